"""A survey end to end in a browser: the chief inspector builds it from the question bank and
sends it to Daneshouse's In the Know members, a member answers through their own link, and the
results show it (behind disclosure control: at least 10 respondents before figures appear)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from messaging.models import Interest
from surveys.models import Response, Survey
from tests.browser.a11y import assert_page_basics
from tests.browser.test_accessibility import AXE, SERIOUS
from tests.browser.test_meetings import sign_in
from tests.messaging.factories import subscriber
from tests.surveys.factories import respond, survey

pytestmark = pytest.mark.browser


def test_it_builds_sends_answers_and_shows_a_survey(page, world, settings):
    settings.MESSAGING_EMAIL_SENDER = "email"
    Interest.objects.get_or_create(slug="burglary", defaults={"name": "Burglary"})
    subscriber(world, email="amina@example.org")

    sign_in(page, world.chief_inspector)
    page.goto("/officer/surveys/")
    page.get_by_role("link", name="New survey").click()
    assert_page_basics(page)
    page.get_by_label("Title").fill("Daneshouse: your area")
    page.get_by_label("Opens").fill((timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    assert_page_basics(page)
    page.get_by_label("Standard question").select_option(value="police_good_job")
    page.get_by_role("button", name="Add the standard question").click()
    page.get_by_role("button", name="Open the survey").click()
    page.get_by_role("link", name="Send to In the Know members").click()
    assert_page_basics(page)
    page.get_by_role("radio", name="Neighbourhoods").check()
    page.get_by_role("listbox", name="Neighbourhoods").select_option(label="Daneshouse")
    page.get_by_role("checkbox", name="Email").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    survey = Survey.objects.get()

    # The member answers through the link in their own invitation, without signing in.
    [invitation] = mail.outbox
    link = re.search(r"https?://\S+/surveys/r/[0-9a-f-]+/", invitation.body).group(0)
    member = page.context.browser.new_context(base_url=page.url.split("/officer")[0]).new_page()
    member.goto(urlsplit(link).path)
    assert_page_basics(member)
    member.get_by_role("radio", name="Good", exact=True).check()
    member.get_by_role("button", name="Send your answers").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Thank you")
    member.goto(urlsplit(link).path)  # a second visit cannot answer again
    expect(member.locator("main")).to_contain_text(re.compile("already answered", re.I))
    member.context.close()
    assert Response.objects.filter(survey=survey, source="invited").count() == 1

    # Eleven neighbours answered too: with 12 responses the figures are shown.
    ward = world.daneshouse.wards.first()
    for _ in range(11):
        respond(survey, ward=ward, police_good_job="good")
    page.goto(f"/officer/surveys/{survey.pk}/")
    page.get_by_role("link", name="Results").click()
    assert_page_basics(page)
    expect(page.locator(".lead")).to_contain_text("12 responses so far")
    expect(page.locator("main")).to_contain_text("100.0%")


def test_it_opens_a_results_part_from_the_contents_or_the_keyboard(page, world):
    made = survey(world, bank=("police_good_job", "safe_after_dark"))
    ward = world.daneshouse.wards.first()
    for n in range(12):
        respond(made, ward=ward, police_good_job="good" if n % 3 else "poor", safe_after_dark="fairly_safe")
    sign_in(page, world.hq)
    page.context.add_init_script(path=str(AXE))
    page.goto(f"/officer/surveys/{made.pk}/results/")
    assert_page_basics(page)
    assert page.evaluate(SERIOUS) == []
    section = page.locator(f"#section-{made.sections.get().pk}")
    expect(section).not_to_have_attribute("open", "")
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Your area").click()
    expect(section).to_have_attribute("open", "")
    question = made.questions.get(bank_key="police_good_job")
    # A chart drawn while its part was closed takes its size when the part opens.
    page.wait_for_function(f"document.getElementById('chart-question-{question.pk}').offsetHeight > 50")
    by_area = page.locator("#tab-1")
    by_area.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(by_area).to_have_attribute("open", "")
    assert page.evaluate(SERIOUS) == []
    page.get_by_role("button", name="Close every part").click()
    expect(page.locator("details.results-part[open]")).to_have_count(0)
