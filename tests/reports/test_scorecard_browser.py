"""The scorecard in a browser: its trend charts draw under the real Content-Security-Policy and
the page passes the accessibility basics every page is held to."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_page_basics
from tests.browser.conftest import browser, page  # noqa: F401 (the browser package's fixtures)
from tests.browser.test_meetings import sign_in
from tests.reports.factories import at, held_meeting

pytestmark = pytest.mark.browser


def test_it_draws_the_two_year_trend(page, world):  # noqa: F811
    held_meeting(world, starts_at=at(date(2026, 7, 7)), public=12)
    held_meeting(world, starts_at=at(date(2025, 8, 7)), public=4)
    sign_in(page, world.chief_inspector)
    page.goto("/officer/scorecard/?quarter=2026-08")
    expect(page.get_by_role("heading", level=1)).to_contain_text("East Division, Jul to Sep 2026")
    drawn = "id => { const c = document.getElementById(id); return !!(window.Chart && window.Chart.getChart(c)); }"
    canvases = page.locator("canvas[id^=scorecard-chart-]").evaluate_all("cs => cs.map(c => c.id)")
    assert len(canvases) > 5  # one per section, and one more for each section's percentages
    page.wait_for_function(drawn, arg=canvases[0])
    assert all(page.evaluate(drawn, canvas) for canvas in canvases)
    assert_page_basics(page)
