"""A door-knock round on a phone (375 px wide): planned from the ward's prioritised streets, each
door recorded with a thumb (a concern and a sign-up go on in their own forms and come back), the
round finished into a door-knock meeting, and the next round planned from the doors nobody
answered."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting, MeetingType
from messaging.models import DoorKnockRound, DoorOutcome, SignUpSource, Subscriber
from priorities.models import Issue, IssueSource
from tests.browser.a11y import assert_page_basics
from tests.browser.test_meetings import sign_in
from tests.messaging.doorknock.factories import street
from tests.messaging.factories import interest

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


def door(page, address: str):
    return page.locator("li.doorknock-door", has_text=address)


def assert_fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_it_takes_a_round_door_to_door_on_a_phone(page, world):
    interest("burglary")
    ward = world.daneshouse.wards.get()
    street(ward, "Colne Road", 4, postcode="BB10 1AA")
    street(ward, "Elm Street", 2, postcode="BB10 2BB")
    page.set_viewport_size(PHONE)
    sign_in(page, world.pcso)

    page.goto("/officer/door-knocks/")
    assert_page_basics(page)
    page.get_by_role("link", name="Plan a round").click()
    page.get_by_role("link", name=re.compile("Daneshouse with Stoneyholme")).click()
    assert_page_basics(page)
    assert_fits_the_phone(page)
    page.get_by_label("Colne Road").check()
    page.get_by_role("button", name="Make the round's list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Door knocks in Daneshouse with Stoneyholme")
    assert_page_basics(page)
    assert_fits_the_phone(page)
    button = door(page, "1 Colne Road").get_by_role("button", name=re.compile("^Not in"))
    assert button.bounding_box()["height"] >= 44  # a thumb's target

    # htmx swaps each door in place: the page does not reload between doors.
    page.evaluate("window.sameVisit = true")
    button.click()
    expect(door(page, "1 Colne Road")).to_contain_text("Recorded: Not in")
    door(page, "2 Colne Road").get_by_role("button", name=re.compile("^Declined")).click()
    expect(door(page, "2 Colne Road")).to_contain_text("Recorded: Declined")
    door(page, "4 Colne Road").get_by_role("button", name=re.compile("^Leaflet left")).click()
    expect(door(page, "4 Colne Road")).to_contain_text("Recorded: Leaflet left")
    assert page.evaluate("window.sameVisit") is True

    # A concern: the officers' issue log opens as a door knock in the ward, and comes back.
    door(page, "3 Colne Road").get_by_role("button", name=re.compile("^Issue raised")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log a concern")
    assert_fits_the_phone(page)
    expect(page.get_by_label("How was it raised?")).to_have_value(IssueSource.DOOR_KNOCK)
    page.get_by_label("What is it about?").select_option(index=1)
    page.get_by_label("Describe the problem").fill("Cars racing along Colne Road at night")
    page.get_by_role("button", name="Log the concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Door knocks in Daneshouse with Stoneyholme")
    assert Issue.objects.get().source == IssueSource.DOOR_KNOCK

    # Back at 3 Colne Road a neighbour signs up: the doorstep sign-up opens in the ward.
    door(page, "3 Colne Road").get_by_role("button", name=re.compile("^Signed up")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up a household to In the Know")
    assert_fits_the_phone(page)
    expect(page.get_by_label("Home ward")).to_have_value(ward.code)
    page.get_by_label("Email address").fill("neighbour@example.org")
    page.get_by_role("checkbox", name="Email", exact=True).check()
    page.get_by_label("How did the resident agree?").select_option(index=0)
    page.get_by_label("The resident agreed").check()
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Door knocks in Daneshouse with Stoneyholme")
    expect(door(page, "3 Colne Road")).to_contain_text("Recorded: Signed up")
    assert Subscriber.objects.get().source == SignUpSource.FIELD

    page.get_by_role("button", name="Finish the round").click()
    expect(page.locator(".alert-success, .alert").first).to_contain_text("recorded as a door-knock meeting")
    first = DoorKnockRound.objects.get()
    meeting = Meeting.objects.get(meeting_type=MeetingType.DOOR_KNOCK)
    assert first.meeting == meeting and meeting.public_attendees == 2
    assert (meeting.door_knock_reach.knocked, meeting.door_knock_reach.signed_up) == (4, 1)

    page.get_by_role("button", name="Plan the next round from the 1 not in").click()
    expect(page.locator("li.doorknock-door")).to_have_count(1)
    expect(door(page, "1 Colne Road")).to_be_visible()
    assert DoorKnockRound.objects.get(follows=first).doors.get().outcome == ""
    assert first.doors.get(address__number="1").outcome == DoorOutcome.NOT_IN
