"""A resident with no mouse: joining In the Know and raising a concern with the keyboard alone.

Every field is reached by Tab from the top of the page (never by clicking or by a locator's
focus()), filled by typing, ticked with Space, chosen in a list with the keys, and the form is sent
with Enter. A field Tab cannot reach, or a control the keys cannot work, fails the test.
"""

import pytest
from playwright.sync_api import expect

from messaging.models import Interest, SubscriberChannel
from priorities.models import Issue

pytestmark = pytest.mark.browser

MAX_TABS = 120
ACTIVE = """() => {
  const el = document.activeElement;
  const label = el && el.labels && el.labels.length ? el.labels[0].textContent.trim() : "";
  return {tag: el.tagName.toLowerCase(), type: el.type || "", label: label, text: el.textContent.trim()};
}"""


def tab_to(page, *, label: str = "", text: str = "") -> None:
    """Press Tab until the focused control has this label (or, for buttons, this text)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(ACTIVE)
        if (label and focused["label"].startswith(label)) or (text and focused["text"] == text):
            return
    raise AssertionError(f"Tab never reached {label or text!r}")


def tick(page) -> None:
    """Space on the focused checkbox, if it is not ticked already (a form may tick one for you)."""
    if not page.evaluate("() => document.activeElement.checked"):
        page.keyboard.press("Space")
    assert page.evaluate("() => document.activeElement.checked")


def test_a_resident_joins_in_the_know_with_the_keyboard_alone(page, world):
    Interest.objects.get_or_create(slug="burglary", defaults={"name": "Burglary"})
    page.goto("/in-the-know/")
    tab_to(page, label="Email address")
    page.keyboard.type("amina@example.org")
    tab_to(page, label="Email")  # the channel checkbox
    tick(page)
    tab_to(page, label="Home ward")
    page.keyboard.type("Daneshouse")  # a closed list chooses by typing, as a screen-reader user would
    tab_to(page, label="Burglary")
    tick(page)
    tab_to(page, text="Sign up")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nearly done: confirm your details")
    channel = SubscriberChannel.objects.get()
    assert channel.address == "amina@example.org" and channel.subscriber.ward.code == "E05005155"


def test_a_resident_raises_a_concern_with_the_keyboard_alone(page, world):
    page.goto("/report/")
    tab_to(page, label="What is it about?")
    page.keyboard.type("Anti")
    tab_to(page, label="Describe the problem")
    page.keyboard.type("Youths throw stones at buses on Elm Street after school.")
    tab_to(page, label="Ward")
    page.keyboard.type("Daneshouse")
    tab_to(page, label="Report anonymously")
    tick(page)
    tab_to(page, text="Send your concern")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been received")
    issue = Issue.objects.get()
    assert issue.category == "asb" and issue.ward.code == "E05005155" and issue.reported_by is None
