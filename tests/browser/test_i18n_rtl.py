"""Public pages in Urdu, right to left, as a resident's browser shows them: laid out with Bootstrap's
mirrored stylesheet, the switcher usable without script, and no serious or critical axe violation."""

import pytest
from django.conf import settings
from django.urls import reverse

from meetings.models import MeetingStatus
from tests.browser.test_accessibility import AXE, SERIOUS
from tests.conftest import build_world
from tests.i18n.conftest import compiled_locale, translated  # noqa: F401 (fixtures)
from tests.meetings.factories import MeetingFactory
from tests.priorities.factories import agreed
from tests.surveys.factories import survey

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("translated")]


def _in_urdu(page, live_server):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ur", "url": live_server.url}])


def test_public_pages_in_urdu_are_right_to_left_and_pass_axe(page, live_server):
    world = build_world()
    meeting = MeetingFactory(neighbourhood=world.daneshouse, status=MeetingStatus.PUBLISHED, created_by=world.pcso)
    priority = agreed(world)
    open_survey = survey(world, bank=("police_good_job", "age_band"), is_open_to_all=True)
    page.context.add_init_script(path=str(AXE))
    _in_urdu(page, live_server)
    problems = []
    paths = [
        "/",
        world.daneshouse.get_absolute_url(),
        meeting.get_absolute_url(),
        "/accounts/login/",
        reverse("priorities:public-list", args=[world.daneshouse.code]),
        reverse("priorities:public-detail", args=[priority.reference]),
        reverse("priorities:raise-issue"),
        reverse("messaging:signup"),
        reverse("surveys:open", args=[open_survey.reference]),
    ]
    for path in paths:
        page.goto(path)
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl", path
        assert page.locator("html").get_attribute("lang") == "ur"
        assert page.locator("a.skip-link").inner_text() == "مرکزی مواد پر جائیں"
        problems += [f"{path}: {violation}" for violation in page.evaluate(SERIOUS)]
    assert not problems, "\n".join(problems)


def test_the_switcher_works_without_script(browser, live_server, transactional_db, translated):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Language").select_option("ur")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", level=1).inner_text() == "اپنے محلے کی پولیس ٹیم تلاش کریں"
    context.close()
