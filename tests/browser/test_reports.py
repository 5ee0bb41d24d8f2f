"""A month's return in a browser: the chief inspector opens the draft the 1st made, writes a
highlight, pins a priority and submits; HQ sees it submitted on the status page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from priorities.models import Priority
from reports import services
from reports.models import HighlightReturn
from tests.browser.a11y import assert_page_basics
from tests.browser.test_meetings import sign_in
from tests.browser.test_priorities import new_page
from tests.priorities.factories import agreed

pytestmark = pytest.mark.browser


def last_months_draft(world) -> HighlightReturn:
    # Only agreed priorities are the community's: a proposal cannot be pinned to a return.
    priority = agreed(world, title="Speeding on Burnley Road")
    # The force's data must begin before the month reported on.
    Priority.objects.filter(pk=priority.pk).update(created_at=timezone.now() - timedelta(days=40))
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    return services.return_draft_create(division=world.east, period_start=last_month)


def test_it_takes_a_return_from_draft_to_submitted_and_shows_hq(page, world):
    draft = last_months_draft(world)
    sign_in(page, world.chief_inspector)
    page.get_by_role("link", name="Returns", exact=True).click()
    page.get_by_role("link", name=draft.period_label).click()
    assert_page_basics(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"East Division: {draft.period_label} return")

    page.get_by_role("link", name="Edit the highlights").click()
    page.get_by_label("Engagement highlights").fill("Online PACT reached 1,400 people <script>alert(1)</script>")
    page.get_by_role("button", name="Save the highlights").click()
    expect(page.locator("#narrative")).to_contain_text("Online PACT reached 1,400 people <script>alert(1)</script>")

    page.get_by_role("button", name="Pin Speeding on Burnley Road").first.click()
    expect(page.locator(".alert-success")).to_contain_text("Priority pinned")
    expect(page.locator(".pinned-priorities")).to_contain_text("Speeding on Burnley Road")

    page.get_by_role("link", name="Submit to HQ…").click()
    assert_page_basics(page)
    page.get_by_label(re.compile("I have reviewed the figures")).check()
    page.get_by_role("button", name="Submit the return to HQ").click()
    expect(page.locator(".alert-success")).to_contain_text("Return submitted to HQ")
    expect(page.locator(".return-status")).to_contain_text("Submitted")
    expect(page.get_by_role("link", name="Submit to HQ…")).to_have_count(0)

    hq = new_page(page)
    sign_in(hq, world.hq)
    hq.get_by_role("link", name="Returns", exact=True).click()
    hq.get_by_role("link", name="Status of every division").click()
    assert_page_basics(hq)
    expect(hq.get_by_role("heading", level=1)).to_have_text(f"Returns for {draft.period_label}")
    east = hq.locator("#status-east")
    expect(east).to_contain_text("Submitted")
    expect(east).to_contain_text("Chris Chief")
    expect(hq.locator("#status-west")).to_contain_text("No return")
    hq.context.close()
