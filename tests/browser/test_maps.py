"""Finding a neighbourhood, and officers seeing their area, in a real browser with no map tiles."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_page_basics
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser

DANESHOUSE_WARD = "E05005155"


def test_it_signs_a_pcso_in_and_draws_their_wards(page, world):
    page.goto("/accounts/login/")
    assert_page_basics(page)
    page.get_by_label("Email address").fill(world.pcso.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My neighbourhoods")
    assert_page_basics(page)
    ward_map = page.locator(".ward-map")
    expect(ward_map).to_have_attribute("data-ready", "true")
    expect(ward_map).to_have_attribute("data-ward-count", "1")
    expect(ward_map.locator(f'svg path[data-ward-code="{DANESHOUSE_WARD}"]')).to_have_count(1)
    expect(ward_map.locator("path.leaflet-interactive")).to_have_count(1)


def test_it_finds_a_neighbourhood_by_ward_name(page, world):
    page.goto("/")
    assert_page_basics(page)
    page.get_by_label("Ward, town or neighbourhood").fill("Stoneyholme")
    results = page.locator("#search-results")
    results.get_by_role("link", name="Daneshouse with Stoneyholme").click()
    expect(page).to_have_url(re.compile(r"/neighbourhoods/daneshouse/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Daneshouse neighbourhood")
    assert_page_basics(page)
    team = page.get_by_role("region", name="Your neighbourhood team")
    expect(team).to_contain_text("PCSO Priya PCSO")
    expect(team).to_contain_text("Neighbourhood sergeant")
    expect(page.get_by_role("region", name="Wards covered")).to_contain_text("Daneshouse with Stoneyholme")
    expect(page.locator(".ward-map")).to_have_attribute("data-ready", "true")


def test_it_shows_the_search_again_when_the_visitor_goes_back(page, world):
    page.goto("/")
    page.get_by_label("Ward, town or neighbourhood").fill("Stoneyholme")
    page.locator("#search-results").get_by_role("link", name="Daneshouse with Stoneyholme").click()
    expect(page).to_have_url(re.compile(r"/neighbourhoods/daneshouse/$"))
    page.go_back()
    # The live search pushed /?q=...; Back must bring the whole page, not the cached results fragment.
    expect(page).to_have_url(re.compile(r"/\?q=Stoneyholme$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Find your neighbourhood policing team")
    expect(page.locator("#search-results")).to_contain_text("Daneshouse with Stoneyholme")
    assert_page_basics(page)


def test_it_opens_the_neighbourhood_of_the_ward_clicked_on_the_map(page, world):
    page.goto("/")
    ward_map = page.locator(".ward-map")
    expect(ward_map).to_have_attribute("data-ward-count", "3")
    ward_map.locator(f'path[data-ward-code="{DANESHOUSE_WARD}"]').click()
    expect(page).to_have_url(re.compile(r"/neighbourhoods/daneshouse/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Daneshouse neighbourhood")
    assert_page_basics(page)


def test_it_explains_a_map_click_outside_every_ward(page, world):
    page.goto("/")
    ward_map = page.locator(".ward-map")
    expect(ward_map).to_have_attribute("data-ready", "true")
    box = ward_map.bounding_box()
    # The wards sit in a band across the middle; the top-right corner is empty and has no controls.
    ward_map.click(position={"x": box["width"] - 40, "y": 40})
    expect(page).to_have_url(re.compile(r"/neighbourhoods/locate/\?lat=[-\d.]+&lng=[-\d.]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find a neighbourhood there")
    assert_page_basics(page)


def test_it_explains_a_point_in_the_irish_sea(page, world):
    response = page.goto("/neighbourhoods/locate/?lat=53.9&lng=-3.4")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find a neighbourhood there")
    assert_page_basics(page)


def test_it_sends_a_visitor_who_shares_their_location_to_their_neighbourhood(page, world, live_server):
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 53.795, "longitude": -2.245})
    page.goto("/")
    page.get_by_role("button", name="Use my location").click()
    expect(page).to_have_url(re.compile(r"/neighbourhoods/daneshouse/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Daneshouse neighbourhood")


def test_it_says_so_when_the_visitor_does_not_share_their_location(page, world):
    page.goto("/")
    button = page.get_by_role("button", name="Use my location")
    button.click()
    # No permission granted: the browser refuses, and the page says what to do instead.
    expect(page.locator("[data-use-my-location] [role=status]")).to_contain_text("did not share your location")
    expect(button).to_be_enabled()
    expect(page).to_have_url(re.compile(r"/$"))
    assert_page_basics(page)
