"""axe-core (from npm) on every HTML page of the portal, as the person who would use it.

The pages come from the authorization matrix: each URL that answers a GET with 200 is opened as the
first of VIEWERS the matrix lets in (anonymous first, so public pages are checked as residents see
them), with the matrix's objects. axe runs through the browser's DevTools channel, so the strict
Content-Security-Policy stays on while it works. Serious and critical violations fail the test.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import build_world
from tests.test_authorization_matrix import EXPECTED, PEOPLE, Objects

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
VIEWERS = ["anonymous", "pcso", "sergeant", "inspector", "chief_inspector", "hq", "comms", "partner", "admin"]
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}"""


def _pages() -> list[tuple[str, str, str]]:
    """(url name, objects key, viewer) for every GET that someone is allowed to see."""
    pages = []
    for name, (method, key, expected) in sorted(EXPECTED.items()):
        statuses = dict(zip(PEOPLE, expected.split(), strict=True))
        viewer = next((who for who in VIEWERS if statuses[who] == "200"), None)
        if method == "GET" and viewer is not None and not name.startswith(("api-", "open311:", "policeuk:")):
            pages.append((name, key, viewer))
    return pages


@pytest.mark.browser
def test_every_page_has_no_serious_or_critical_accessibility_violation(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    objects = Objects(build_world())
    page.context.add_init_script(path=str(AXE))
    sessions = {}
    problems, checked = [], 0
    for name, key, viewer in _pages():
        page.context.clear_cookies()
        if viewer != "anonymous":
            if viewer not in sessions:
                client = Client()
                client.force_login(objects.person(viewer))
                sessions[viewer] = client.cookies[settings.SESSION_COOKIE_NAME].value
            page.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": sessions[viewer], "url": live_server.url}]
            )
        path = reverse(name, kwargs=objects.kwargs(key))
        # Asked first without opening it: feeds, files, images and htmx fragments are not pages.
        probe = page.request.get(path, max_redirects=0)
        html = probe.headers.get("content-type", "").startswith("text/html")
        if probe.status != 200 or not html or "<html" not in probe.text()[:200].lower():
            continue
        page.goto(path)
        checked += 1
        problems += [f"{name} as {viewer}: {violation}" for violation in page.evaluate(SERIOUS)]
    assert checked > 60, f"only {checked} pages were checked"
    assert not problems, "\n".join(problems)
