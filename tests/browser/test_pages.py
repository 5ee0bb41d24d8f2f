"""The page frame as keyboard and phone users meet it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_page_basics

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_it_lets_a_keyboard_user_skip_to_the_main_content(page, world):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Ward, town or neighbourhood")).to_be_focused()


def test_it_draws_a_neighbourhood_map_on_a_phone(page, world):
    page.set_viewport_size(PHONE)
    page.goto("/neighbourhoods/daneshouse/")
    assert_page_basics(page)
    ward_map = page.locator(".ward-map")
    expect(ward_map).to_have_attribute("data-ward-count", "1")
    expect(ward_map.locator('path[data-ward-code="E05005155"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_it_marks_the_current_page_in_the_menu(page, world):
    page.goto("/accounts/login/")
    expect(page.get_by_role("navigation", name="Main").locator("[aria-current=page]")).to_have_text("Sign in")
    expect(page).to_have_title(re.compile(r"^Sign in – "))
