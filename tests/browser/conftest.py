"""Debian's Chromium, driven by Playwright, against pytest-django's live server.

The browser is shared by the tests of this package and a fresh context and page is made per test,
so no cookie or storage outlives its test.
"""

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Port 9 (discard) refuses connections: the maps must draw their boundaries with no tiles at all.
UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, alive only while they run.

    Playwright's sync API marks an asyncio loop as running in the test thread for as long as it is
    started, and Django refuses ORM calls while a loop runs unless DJANGO_ALLOW_ASYNC_UNSAFE is set.
    Package scope keeps both the loop and the variable away from the rest of the suite, which must
    neither trip over the loop nor hand the variable to the processes it starts (the deployment
    check rejects it). Under xdist a worker that interleaves other tests simply starts it again.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db, settings):
    settings.MAP_TILE_URL = UNREACHABLE_TILES
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "img-src": [*directives["img-src"], "http://127.0.0.1:9"]}
    }
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Every page the browser tests visit runs under the real Content-Security-Policy: anything it
    # blocks (an inline script, a style attribute, a third-party file) fails the test that met it.
    violations = []
    page.on(
        "console",
        lambda m: (
            violations.append(f"{page.url}: {m.text} at {m.location}") if "Content Security Policy" in m.text else None
        ),
    )
    yield page
    context.close()
    assert not violations, violations
