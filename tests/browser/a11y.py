"""A screenshot-free accessibility smoke check, run on every page the browser tests visit."""

# The first element a keyboard reaches, in document order, whatever page autofocus does later.
_PAGE_BASICS = """() => {
  const focusable = [...document.querySelectorAll(
    'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], [contenteditable]'
  )].filter((el) => el.tabIndex >= 0 && !el.disabled && el.type !== 'hidden');
  const first = focusable[0];
  const target = first && first.hash ? document.getElementById(first.hash.slice(1)) : null;
  return {
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main, [role="main"]').length,
    first_focusable: first ? first.textContent.trim() : null,
    skip_link_target: target ? target.tagName.toLowerCase() : null,
  };
}"""


def assert_page_basics(page):
    """One h1, one main landmark, and a skip link to it as the first thing a keyboard reaches."""
    # A click returns once the next page's navigation commits, while a long page may still be
    # arriving: read it only once it has been parsed.
    page.wait_for_load_state("domcontentloaded")
    assert page.evaluate(_PAGE_BASICS) == {
        "h1": 1,
        "main": 1,
        "first_focusable": "Skip to main content",
        "skip_link_target": "main",
    }, page.url
