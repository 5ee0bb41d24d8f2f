"""A PCSO plans a hybrid PACT for two wards, the public finds it, and its attendance reaches the charts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.a11y import assert_page_basics
from tests.factories import TEST_PASSWORD, WardFactory

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/officer/$"))


def test_it_takes_a_hybrid_pact_from_plan_to_the_engagement_chart(page, world):
    WardFactory(neighbourhood=world.daneshouse, code="E05005199", name="Stoneyholme North", west=-2.26, south=53.79)
    # Earlier today, so the outcome can be recorded in the same visit.
    start = timezone.localtime() - timedelta(hours=3)
    sign_in(page, world.pcso)
    page.goto("/officer/meetings/new/")
    assert_page_basics(page)
    page.get_by_label("Meeting type").select_option("hybrid")
    page.get_by_label("Title").fill("Daneshouse hybrid PACT")
    page.get_by_label("Daneshouse with Stoneyholme (Daneshouse)").check()
    page.get_by_label("Stoneyholme North (Daneshouse)").check()
    page.get_by_label("Starts at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends at").fill((start + timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Venue name").fill("Stoneyholme Community Centre")
    page.get_by_label("Online link").fill("https://facebook.example/daneshouse/live")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Published")
    officer_url = page.url

    visitor = page.context.browser.new_context(base_url=page.url.split("/officer")[0]).new_page()
    visitor.goto("/neighbourhoods/daneshouse/meetings/")
    visitor.get_by_role("link", name="Daneshouse hybrid PACT").click()
    assert_page_basics(visitor)
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Daneshouse hybrid PACT")
    ics = visitor.request.get(visitor.get_by_role("link", name=re.compile(r"\.ics")).get_attribute("href"))
    event = Calendar.from_ical(ics.body()).events[0]
    assert str(event["SUMMARY"]) == "Daneshouse hybrid PACT"
    visitor.context.close()

    page.goto(officer_url)
    page.get_by_role("link", name="Record outcome").click()
    page.get_by_label("Members of the public in person").fill("9")
    page.get_by_label("Live online viewers").fill("140")
    page.get_by_label("Later online views").fill("610")
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.locator(".outcome-figures")).to_contain_text("759")

    page.goto("/analytics/")
    assert_page_basics(page)
    expect(page.locator("#chart-attendance")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-attendance'))")
    this_month = timezone.localdate().strftime("%b %Y")
    row = page.locator("#table-attendance tr", has_text=this_month)
    expect(row).to_contain_text("9")
    expect(row).to_contain_text("610")
