import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from icalendar import Calendar

from meetings import ical, services
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db
SECRET = "RESTRICTED-MARKER-7f3a: informant named at the mosque"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _site_address(settings):
    settings.SITE_URL = "https://pact.example.police.uk"


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
    assert event["DTSTART"].params["TZID"] == "Europe/London"
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


def test_it_takes_the_uid_from_the_site_address_whatever_host_was_asked(world):
    meeting = published(world)
    event = only_event(ical.meeting_ics(meeting=meeting, request_host="localhost:8000", scheme="http"))
    assert str(event["UID"]) == f"{meeting.uid}@pact.example.police.uk"
    assert only_event(feed(meeting, host="www.pact.example.police.uk"))["UID"] == event["UID"]
    assert event["URL"] == f"http://localhost:8000/meetings/{meeting.uid}/"


def test_it_falls_back_to_the_request_host_without_its_port(world, settings):
    settings.SITE_URL = ""
    meeting = published(world)
    event = only_event(ical.meeting_ics(meeting=meeting, request_host="localhost:8000", scheme="http"))
    assert str(event["UID"]) == f"{meeting.uid}@localhost"


# --- RFC 5545 validity ------------------------------------------------------------------------


def lines_of(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines), "a bare LF or CR"
    return lines


def test_it_writes_crlf_lines_folded_at_75_octets(world):
    meeting = published(
        world,
        title="Spotkanie PACT dla społeczności polskiej — Łódź, Gdańsk, Kraków i Burnley razem 🤝",
        public_agenda="Zażółć gęślą jaźń. " * 30,
        accessibility_notes="Pętla indukcyjna; tłumacz języka migowego. " * 5,
    )
    body = feed(meeting)
    assert all(len(line) <= 75 for line in lines_of(body))
    assert any(line.startswith(b" ") for line in lines_of(body)), "long lines are folded"
    assert only_event(body)["SUMMARY"] == meeting.title


def test_it_gives_every_event_what_rfc_5545_requires(world):
    meetings = [published(world), MeetingFactory(neighbourhood=world.daneshouse, cancelled=True)]
    calendar = Calendar.from_ical(feed(*meetings))
    assert (calendar["VERSION"], str(calendar["PRODID"])) == ("2.0", ical.PRODID)
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert zones == {"Europe/London"}
    for event in calendar.events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS"} <= set(event)
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
        assert re.fullmatch(rb"\d{8}T\d{6}Z", event["DTSTAMP"].to_ical())
        for name in ("DTSTART", "DTEND"):
            assert event[name].params["TZID"] in zones, "every TZID is defined by a VTIMEZONE"


def test_it_keeps_a_feed_without_meetings_valid(world):
    body = feed()
    calendar = Calendar.from_ical(body)
    assert calendar.events == []
    assert len(calendar.subcomponents) == 1, "RFC 5545 wants at least one component"
    assert Calendar.from_ical(calendar.to_ical()) == calendar
    assert b"Not announced" not in ical.meeting_ics(
        meeting=MeetingFactory(neighbourhood=world.daneshouse, title="Not announced"), request_host="testserver"
    )


def test_it_writes_local_times_either_side_of_the_clock_change(world):
    summer = datetime(2026, 7, 1, 19, 0, tzinfo=LONDON)
    winter = datetime(2027, 1, 12, 19, 0, tzinfo=LONDON)
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=LONDON), tick=False):
        body = feed(
            published(world, starts_at=summer, ends_at=summer + timedelta(hours=1)),
            published(world, starts_at=winter, ends_at=winter + timedelta(hours=1)),
        )
    assert b"DTSTART;TZID=Europe/London:20260701T190000" in body
    assert b"DTSTART;TZID=Europe/London:20270112T190000" in body
    starts = [event.decoded("DTSTART").astimezone(UTC) for event in Calendar.from_ical(body).events]
    assert starts == [datetime(2026, 7, 1, 18, tzinfo=UTC), datetime(2027, 1, 12, 19, tzinfo=UTC)]


def test_it_defines_the_time_zone_as_the_clocks_really_change(world):
    """The VTIMEZONE read back gives the UTC offset zoneinfo gives, every half hour of the span,
    both clock changes included."""
    start = datetime(2026, 3, 1, 19, 0, tzinfo=LONDON)
    with time_machine.travel(datetime(2026, 2, 1, 12, tzinfo=LONDON), tick=False):
        body = feed(published(world, starts_at=start, ends_at=start + timedelta(hours=1)))
    (vtimezone,) = Calendar.from_ical(body).walk("VTIMEZONE")
    defined = vtimezone.to_tz()
    moment = datetime(2026, 2, 1, tzinfo=UTC)
    while moment < datetime(2027, 2, 1, tzinfo=UTC):
        assert moment.astimezone(defined).utcoffset() == moment.astimezone(LONDON).utcoffset(), moment
        moment += timedelta(minutes=30)


def test_it_keeps_uids_stable_and_stamps_every_request(client, world):
    meeting = published(world)
    path = "/neighbourhoods/daneshouse/meetings.ics"
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        first = only_event(client.get(path, HTTP_HOST="testserver").content)
    with time_machine.travel(datetime(2026, 6, 1, 13, tzinfo=UTC), tick=False):
        second = only_event(client.get(path, HTTP_HOST="localhost").content)
    assert first["UID"] == second["UID"] == f"{meeting.uid}@pact.example.police.uk"
    assert (first.decoded("DTSTAMP"), second.decoded("DTSTAMP")) == (
        datetime(2026, 6, 1, 12, tzinfo=UTC),
        datetime(2026, 6, 1, 13, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "path", ["/meetings.ics", "/neighbourhoods/daneshouse/meetings.ics", "/wards/E05005155/meetings.ics", "one"]
)
def test_it_serves_feeds_that_round_trip(client, world, path):
    meeting = published(world, title='Daneshouse; PACT, "summer"', public_agenda="One\nTwo, three; four")
    MeetingFactory(neighbourhood=world.daneshouse, cancelled=True)
    response = client.get(f"/meetings/{meeting.uid}.ics" if path == "one" else path)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines_of(response.content)
    first = Calendar.from_ical(response.content)
    again = Calendar.from_ical(first.to_ical())
    assert again == first
    assert first.events and all(str(e["UID"]).endswith("@pact.example.police.uk") for e in first.events)
    statuses = {str(e["STATUS"]) for e in first.events}
    assert statuses == ({"CONFIRMED"} if path == "one" else {"CONFIRMED", "CANCELLED"})


def test_a_feed_fetched_in_polish_reads_in_polish(client, world):
    from django.urls import reverse

    meeting = published(world, title="Daneshouse PACT", venue_name="Burnley Library")
    services.meeting_cancel(meeting=meeting, actor=world.pcso, reason="The hall is flooded.")
    body = client.get(
        reverse("meetings:neighbourhood-feed", args=["daneshouse"]), headers={"accept-language": "pl"}
    ).content
    calendar = Calendar.from_ical(body)
    assert calendar["X-WR-CALNAME"].startswith("Spotkania PACT: ")
    (event,) = calendar.events
    assert event["SUMMARY"] == "Odwołane: Daneshouse PACT"
    assert "To spotkanie zostało odwołane: The hall is flooded." in event["DESCRIPTION"]
    assert "Szczegóły: " in event["DESCRIPTION"]
