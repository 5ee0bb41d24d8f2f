from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from meetings import ical, services
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db
SECRET = "RESTRICTED-MARKER-7f3a: informant named at the mosque"


def feed(*meetings, host="pact.example.police.uk") -> bytes:
    return ical.meetings_feed_ics(meetings=meetings, name="PACT meetings: Daneshouse", request_host=host)


def only_event(body: bytes):
    (event,) = Calendar.from_ical(body).events
    return event


def published(world, **fields):
    return MeetingFactory(neighbourhood=world.daneshouse, created_by=world.pcso, published=True, **fields)


def test_it_makes_a_publishable_calendar(world):
    calendar = Calendar.from_ical(feed(published(world)))
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == ical.PRODID
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "PACT meetings: Daneshouse"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_it_describes_the_meeting_for_calendar_apps(world):
    meeting = published(world, title="Daneshouse PACT", public_agenda="Parking near the school.")
    event = only_event(feed(meeting))
    assert str(event["UID"]) == f"{meeting.uid}@pact.example.police.uk"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == meeting.ends_at
    assert event["SUMMARY"] == "Daneshouse PACT"
    assert event["LOCATION"] == "Stoneyholme Community Centre, Stoneyholme Road, Burnley BB12 0AA"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (53.7955, -2.2455)
    assert event["URL"] == f"https://pact.example.police.uk/meetings/{meeting.uid}/"
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 1
    assert "Parking near the school." in event["DESCRIPTION"]
    assert "DTSTAMP" in event


def test_it_round_trips_through_the_icalendar_parser(world):
    meetings = [
        published(world, title='Parking; litter, and "noise"', public_agenda="One\nTwo, three; four"),
        MeetingFactory(neighbourhood=world.daneshouse, cancelled=True),
        MeetingFactory(neighbourhood=world.daneshouse, published=True, online=True),
    ]
    first = Calendar.from_ical(feed(*meetings))
    second = Calendar.from_ical(first.to_ical())
    assert len(first.events) == 3
    assert first.events == second.events
    assert first.events[0]["SUMMARY"] == 'Parking; litter, and "noise"'


def test_it_keeps_the_uid_and_bumps_the_sequence_when_a_meeting_changes(world):
    meeting = published(world)
    before = only_event(feed(meeting))
    services.meeting_update(meeting=meeting, actor=world.pcso, venue_name="Burnley Library")
    after = only_event(feed(meeting))
    assert after["UID"] == before["UID"]
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1
    assert after["LOCATION"].startswith("Burnley Library")


def test_it_sends_a_cancellation_with_the_public_reason(world):
    meeting = published(world, title="Daneshouse PACT")
    services.meeting_cancel(meeting=meeting, actor=world.pcso, reason="The hall is flooded.")
    event = only_event(feed(meeting))
    assert event["STATUS"] == "CANCELLED"
    assert event["SUMMARY"] == "Cancelled: Daneshouse PACT"
    assert "The hall is flooded." in event["DESCRIPTION"]
    assert event.decoded("SEQUENCE") == 2


def test_it_leaves_drafts_out_even_when_handed_one(world):
    draft = MeetingFactory(neighbourhood=world.daneshouse, title="Not announced yet")
    assert Calendar.from_ical(feed(draft, published(world))).events.__len__() == 1
    assert b"Not announced yet" not in feed(draft)
    assert b"Not announced yet" not in ical.meeting_ics(meeting=draft, request_host="testserver")


def test_it_never_includes_the_restricted_notes(world):
    meeting = published(world, days_ahead=-3, restricted_notes=SECRET, public_summary="Parking was raised.")
    meeting.outcome_recorded_at = timezone.now()
    body = feed(meeting) + ical.meeting_ics(meeting=meeting, request_host="testserver")
    assert b"RESTRICTED-MARKER" not in body
    assert "Parking was raised." in only_event(feed(meeting))["DESCRIPTION"]


def test_it_puts_an_online_meeting_online_without_a_map_point(world):
    meeting = MeetingFactory(neighbourhood=world.daneshouse, published=True, online=True)
    event = only_event(feed(meeting))
    assert event["LOCATION"] == "Online"
    assert "GEO" not in event
    assert "https://meet.example.org/pact" in event["DESCRIPTION"]
    assert event["CONFERENCE"] == "https://meet.example.org/pact"


def test_it_says_a_hybrid_meeting_is_both_in_a_room_and_online(world):
    meeting = MeetingFactory(neighbourhood=world.daneshouse, published=True, hybrid=True)
    assert only_event(feed(meeting))["LOCATION"].endswith("Burnley BB12 0AA (and online)")


def test_it_leaves_the_port_out_of_the_uid(world):
    meeting = published(world)
    event = only_event(ical.meeting_ics(meeting=meeting, request_host="localhost:8000", scheme="http"))
    assert str(event["UID"]) == f"{meeting.uid}@localhost"
    assert event["URL"] == f"http://localhost:8000/meetings/{meeting.uid}/"
