import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from tests.factories import WardFactory
from tests.meetings.factories import MeetingAttachmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db
SECRET = "RESTRICTED-MARKER-7f3a"
DANESHOUSE_WARD = "E05005155"


def url(name, *args):
    return reverse(f"meetings:{name}", args=args)


def meeting_in(neighbourhood, **fields):
    return MeetingFactory(neighbourhood=neighbourhood, published=True, **fields)


def held(neighbourhood, **fields):
    fields = {
        "public_attendees": 14,
        "online_live_viewers": 320,
        "public_summary": "Speeding on Burnley Road.",
    } | fields
    return meeting_in(neighbourhood, past=True, outcome_recorded_at=timezone.now() - timedelta(days=6), **fields)


def uids(body: bytes) -> set[str]:
    return {str(event["UID"]).split("@")[0] for event in Calendar.from_ical(body).events}


def test_it_lists_a_neighbourhoods_upcoming_and_past_meetings(client, world):
    meeting_in(world.daneshouse, title="December PACT")
    held(world.daneshouse, title="November PACT")
    meeting_in(world.daneshouse, cancelled=True, title="Street meeting", cancellation_reason="Storm warning.")
    MeetingFactory(neighbourhood=world.daneshouse, title="Draft idea")
    meeting_in(world.fleetwood, title="Fleetwood PACT")
    page = client.get(url("neighbourhood-meetings", "daneshouse")).content.decode()
    assert "December PACT" in page and "November PACT" in page
    assert "Cancelled: Storm warning." in page
    assert "Speeding on Burnley Road." in page
    assert "In person: 14 residents" in page and "Online live: 320 viewers" in page
    assert "Draft idea" not in page and "Fleetwood PACT" not in page


def test_it_offers_the_neighbourhood_calendar_to_subscribe_to(client, world):
    page = client.get(url("neighbourhood-meetings", "daneshouse")).content.decode()
    assert 'href="webcal://testserver/neighbourhoods/daneshouse/meetings.ics"' in page
    assert 'href="http://testserver/neighbourhoods/daneshouse/meetings.ics"' in page


def test_it_lists_on_a_ward_page_the_meetings_covering_that_ward(client, world):
    bank_hall = WardFactory(neighbourhood=world.daneshouse, name="Bank Hall")
    daneshouse_ward = world.daneshouse.wards.get(code=DANESHOUSE_WARD)
    meeting_in(world.daneshouse, title="Joint PACT", wards=[daneshouse_ward, bank_hall])
    meeting_in(world.daneshouse, title="Stoneyholme street meeting", wards=[daneshouse_ward])
    page = client.get(url("ward-meetings", bank_hall.code)).content.decode()
    assert "Joint PACT" in page
    assert "Stoneyholme street meeting" not in page


def test_it_shows_the_meeting_page_with_everything_a_resident_needs(client, world):
    meeting = meeting_in(world.daneshouse, hybrid=True, title="Daneshouse PACT", public_agenda="Parking by the school.")
    MeetingAttachmentFactory(meeting=meeting, original_name="agenda.pdf", size=2048)
    MeetingAttachmentFactory(meeting=meeting, original_name="intelligence.pdf", is_public=False)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-lat="53.7955" data-lng="-2.2455"' in page
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert 'href="https://meet.example.org/pact"' in page
    assert "hearing loop in the main hall" in page and "Parking by the school." in page
    assert "agenda.pdf" in page and "2.0\xa0KB" in page
    assert "intelligence.pdf" not in page
    assert f'href="{url("public-ics", meeting.uid)}"' in page
    assert 'href="webcal://testserver/neighbourhoods/daneshouse/meetings.ics"' in page
    assert "<script>" not in page.split("</head>")[1]


def test_it_says_why_a_meeting_was_cancelled(client, world):
    meeting = meeting_in(world.daneshouse)
    services.meeting_cancel(meeting=meeting, actor=world.pcso, reason="The hall is flooded.")
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "This meeting is cancelled." in page and "The hall is flooded." in page
    assert url("public-ics", meeting.uid) not in page


def test_it_shows_an_online_meeting_without_a_map(client, world):
    meeting = meeting_in(world.daneshouse, online=True)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "venue-map" not in page and "leaflet.js" not in page
    assert 'href="https://meet.example.org/pact"' in page


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/00000000-0000-4000-8000-000000000000/",
        "/meetings/00000000-0000-4000-8000-000000000000.ics",
        "/neighbourhoods/atlantis/meetings/",
        "/neighbourhoods/atlantis/meetings.ics",
        "/wards/E05999999/meetings/",
        "/wards/E05999999/meetings.ics",
    ],
)
def test_it_answers_404_for_what_does_not_exist(client, world, path):
    assert client.get(path).status_code == 404


def test_it_answers_404_for_a_draft_as_if_it_did_not_exist(client, world):
    draft = MeetingFactory(neighbourhood=world.daneshouse)
    client.force_login(world.pcso_other)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(url("public-ics", draft.uid)).status_code == 404


def test_it_refuses_to_change_anything(client, world):
    meeting = meeting_in(world.daneshouse)
    assert client.post(meeting.get_absolute_url()).status_code == 405
    assert client.post(url("neighbourhood-feed", "daneshouse")).status_code == 405


def test_it_never_shows_the_restricted_notes_anywhere_public(client, world):
    meeting = held(world.daneshouse, restricted_notes=f"{SECRET}: names of informants")
    upcoming = meeting_in(world.daneshouse, restricted_notes=f"{SECRET}: planned operation")
    client.force_login(world.resident)
    ward = world.daneshouse.wards.get().code
    paths = [
        meeting.get_absolute_url(),
        upcoming.get_absolute_url(),
        url("public-ics", meeting.uid),
        url("neighbourhood-meetings", "daneshouse"),
        url("neighbourhood-feed", "daneshouse"),
        url("ward-meetings", ward),
        url("ward-feed", ward),
        url("force-feed"),
        reverse("neighbourhoods:detail", args=["daneshouse"]),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert SECRET not in response.content.decode(), path


def test_it_serves_feeds_as_calendar_files(client, world):
    meeting_in(world.daneshouse)
    for path, filename in [
        (url("neighbourhood-feed", "daneshouse"), "pact-daneshouse.ics"),
        (url("ward-feed", DANESHOUSE_WARD), f"pact-{DANESHOUSE_WARD}.ics"),
        (url("force-feed"), "pact-meetings.ics"),
    ]:
        response = client.get(path)
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert f'filename="{filename}"' in response["Content-Disposition"]
        assert "public" in response["Cache-Control"]
        assert len(Calendar.from_ical(response.content).events) == 1


def test_it_puts_a_meeting_in_every_ward_feed_it_covers(client, world):
    bank_hall = WardFactory(neighbourhood=world.daneshouse)
    daneshouse_ward = world.daneshouse.wards.get(code=DANESHOUSE_WARD)
    joint = meeting_in(world.daneshouse, wards=[daneshouse_ward, bank_hall])
    street = meeting_in(world.daneshouse, wards=[daneshouse_ward])
    assert uids(client.get(url("ward-feed", bank_hall.code)).content) == {str(joint.uid)}
    assert uids(client.get(url("ward-feed", DANESHOUSE_WARD)).content) == {str(joint.uid), str(street.uid)}


def test_it_keeps_drafts_out_and_cancellations_in_the_feeds(client, world):
    published = meeting_in(world.daneshouse)
    cancelled = meeting_in(world.daneshouse, cancelled=True)
    MeetingFactory(neighbourhood=world.daneshouse)
    meeting_in(world.fleetwood)
    events = Calendar.from_ical(client.get(url("neighbourhood-feed", "daneshouse")).content).events
    assert {str(e["UID"]).split("@")[0]: str(e["STATUS"]) for e in events} == {
        str(published.uid): "CONFIRMED",
        str(cancelled.uid): "CANCELLED",
    }


def test_it_keeps_the_uid_in_the_feed_when_a_meeting_is_edited(client, world):
    meeting = meeting_in(world.daneshouse)
    before = Calendar.from_ical(client.get(url("force-feed")).content).events[0]
    services.meeting_update(meeting=meeting, actor=world.pcso, starts_at=meeting.starts_at + timedelta(hours=1))
    after = Calendar.from_ical(client.get(url("force-feed")).content).events[0]
    # The UID's domain is the site's, not whatever host the feed was fetched under.
    assert after["UID"] == before["UID"] == f"{meeting.uid}@{urlsplit(settings.SITE_URL).hostname}"
    assert after.decoded("SEQUENCE") > before.decoded("SEQUENCE")


def test_it_keeps_three_months_of_history_in_the_feeds(client, world):
    recent = held(world.daneshouse, days_ahead=-30)
    held(world.daneshouse, days_ahead=-200)
    assert uids(client.get(url("neighbourhood-feed", "daneshouse")).content) == {str(recent.uid)}


def test_it_downloads_one_meeting_as_ics(client, world):
    meeting = meeting_in(world.daneshouse)
    response = client.get(url("public-ics", meeting.uid))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert uids(response.content) == {str(meeting.uid)}


def test_it_shows_the_next_three_meetings_on_the_neighbourhood_page(client, world):
    for days in (1, 2, 3, 4):
        meeting_in(world.daneshouse, days_ahead=days, title=f"Meeting in {days} days")
    page = client.get(reverse("neighbourhoods:detail", args=["daneshouse"])).content.decode()
    assert "Meeting in 3 days" in page and "Meeting in 4 days" not in page
    assert url("neighbourhood-meetings", "daneshouse") in page


def _grow(world, n):
    for i in range(n):
        extra = WardFactory(neighbourhood=world.daneshouse)
        meeting = meeting_in(world.daneshouse, days_ahead=i + 1, wards=list(world.daneshouse.wards.all()))
        MeetingAttachmentFactory(meeting=meeting)
        held(world.daneshouse, days_ahead=-(i + 1), wards=[extra])


@pytest.mark.parametrize("n", [1, 12])
def test_it_lists_meetings_in_constant_queries(client, world, django_assert_max_num_queries, n):
    _grow(world, n)
    # neighbourhood, its wards; upcoming, their wards; past, their wards
    with django_assert_max_num_queries(6):
        client.get(url("neighbourhood-meetings", "daneshouse"))
    # ward (with neighbourhood); upcoming, wards; past, wards
    with django_assert_max_num_queries(5):
        client.get(url("ward-meetings", DANESHOUSE_WARD))


@pytest.mark.parametrize("n", [1, 12])
def test_it_builds_feeds_in_constant_queries(client, world, django_assert_max_num_queries, n):
    _grow(world, n)
    with django_assert_max_num_queries(4):  # neighbourhood, its wards, meetings, their wards
        client.get(url("neighbourhood-feed", "daneshouse"))
    with django_assert_max_num_queries(3):  # ward, meetings, their wards
        client.get(url("ward-feed", DANESHOUSE_WARD))
    with django_assert_max_num_queries(2):  # meetings, their wards
        client.get(url("force-feed"))


def test_it_shows_a_meeting_in_constant_queries(client, world, django_assert_max_num_queries):
    meeting = meeting_in(world.daneshouse, wards=[WardFactory(neighbourhood=world.daneshouse) for _ in range(5)])
    MeetingAttachmentFactory.create_batch(4, meeting=meeting)
    with django_assert_max_num_queries(3):  # meeting with neighbourhood and officer, wards, attachments
        client.get(meeting.get_absolute_url())


def test_it_answers_404_for_a_malformed_meeting_id(client, world):
    assert client.get(f"/meetings/{uuid.uuid4().hex[:8]}/").status_code == 404


def test_it_lists_a_town_wide_meeting_on_each_neighbourhood_it_covers(client, world):
    town = services.meeting_create(
        actor=world.inspector, neighbourhood=world.daneshouse, also_covers=[world.queensgate],
        wards=[*world.daneshouse.wards.all(), *world.queensgate.wards.all()], meeting_type="online",
        title="Burnley online PACT", starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=1), online_url="https://meet.example.org/pact",
    )  # fmt: skip
    services.meeting_publish(meeting=town, actor=world.inspector)
    for code in ("daneshouse", "queensgate"):
        page = client.get(reverse("meetings:neighbourhood-meetings", args=[code])).content.decode()
        assert "Burnley online PACT" in page, code
    assert (
        "Burnley online PACT"
        not in client.get(reverse("meetings:neighbourhood-meetings", args=["fleetwood"])).content.decode()
    )
    assert "Burnley online PACT" in client.get(world.queensgate.get_absolute_url()).content.decode()
