import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from meetings import selectors, services
from meetings.models import Meeting, MeetingStatus, MeetingType, RankHourlyCost
from meetings.tasks import extend_meeting_series_task
from neighbourhoods.models import Ward

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def new_meeting(world, **overrides) -> Meeting:
    fields = {
        "meeting_type": MeetingType.PUBLIC_PACT,
        "title": "Daneshouse PACT",
        "starts_at": at(2026, 12, 1, 19),
        "ends_at": at(2026, 12, 1, 20, 30),
        "venue_name": "Stoneyholme Community Centre",
        "lead_officer": world.pcso,
    }
    fields.update(overrides)
    wards = fields.pop("wards", list(world.daneshouse.wards.all()))
    return services.meeting_create(actor=world.pcso, neighbourhood=world.daneshouse, wards=wards, **fields)


def test_it_creates_a_draft_for_the_neighbourhood_wards(world):
    meeting = new_meeting(world)
    assert meeting.status == MeetingStatus.DRAFT
    assert [w.code for w in meeting.wards.all()] == ["E05005155"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": at(2026, 12, 1, 18)}, "__all__"),
        ({"meeting_type": MeetingType.ONLINE, "online_url": ""}, "__all__"),
        ({"public_attendees": -1}, "public_attendees"),
    ],
)
def test_it_refuses_impossible_meetings_and_saves_nothing(world, overrides, field):
    with pytest.raises(ValidationError) as error:
        new_meeting(world, **overrides)
    assert field in error.value.message_dict
    assert Meeting.objects.count() == 0


def test_it_refuses_a_ward_outside_the_neighbourhood(world):
    with pytest.raises(ValidationError, match="Not in Daneshouse: Pharos"):
        new_meeting(world, wards=list(Ward.objects.filter(code__in=["E05005155", "E05005400"])))
    assert Meeting.objects.count() == 0


def test_it_bumps_the_sequence_when_a_published_meeting_changes(world):
    meeting = new_meeting(world)
    services.meeting_publish(meeting=meeting, actor=world.pcso)
    uid = meeting.uid
    services.meeting_update(meeting=meeting, actor=world.pcso, title="Daneshouse PACT (moved)")
    meeting.refresh_from_db()
    assert (meeting.sequence, meeting.uid) == (2, uid)


def test_it_needs_a_public_reason_to_cancel(world):
    meeting = new_meeting(world, status=MeetingStatus.PUBLISHED)
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, actor=world.pcso, reason="  ")
    services.meeting_cancel(meeting=meeting, actor=world.pcso, reason="Venue flooded")
    assert Meeting.objects.get().cancellation_reason == "Venue flooded"


def test_it_makes_first_tuesday_occurrences_at_7pm_local_across_the_clock_change(world):
    meeting = new_meeting(world, starts_at=at(2027, 1, 5, 19), ends_at=at(2027, 1, 5, 20, 30))
    series = services.series_create(
        meeting=meeting, actor=world.pcso, rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6", description="first Tuesday"
    )
    starts = [m.starts_at.astimezone(LONDON) for m in series.occurrences.order_by("starts_at")]
    assert [s.date() for s in starts] == [
        datetime.date(2027, 1, 5),
        datetime.date(2027, 2, 2),
        datetime.date(2027, 3, 2),
        datetime.date(2027, 4, 6),
        datetime.date(2027, 5, 4),
        datetime.date(2027, 6, 1),
    ]
    assert {(s.hour, s.minute) for s in starts} == {(19, 0)}
    assert all(m.wards.count() == 1 for m in series.occurrences.all())


def test_it_detaches_an_occurrence_changed_on_its_own(world):
    meeting = new_meeting(world)
    series = services.series_create(
        meeting=meeting, actor=world.pcso, rrule="FREQ=WEEKLY;COUNT=3", description="weekly"
    )
    second = series.occurrences.order_by("starts_at")[1]
    services.meeting_update(meeting=second, actor=world.pcso, venue_name="Library")
    second.refresh_from_db()
    assert second.detached_from_series
    assert second.venue_name == "Library"
    assert series.occurrences.exclude(pk=second.pk).filter(venue_name="Library").count() == 0


def test_it_rejects_a_nonsense_repeat_rule(world):
    meeting = new_meeting(world)
    with pytest.raises(ValidationError) as error:
        services.series_create(meeting=meeting, actor=world.pcso, rrule="FREQ=SOMETIMES", description="?")
    assert "rrule" in error.value.message_dict


def test_it_copies_a_meeting_as_a_draft_at_a_new_time(world):
    meeting = new_meeting(world, status=MeetingStatus.PUBLISHED)
    copy = services.meeting_copy(meeting=meeting, actor=world.pcso, starts_at=at(2027, 2, 1, 18))
    assert copy.status == MeetingStatus.DRAFT
    assert copy.ends_at - copy.starts_at == datetime.timedelta(minutes=90)
    assert copy.uid != meeting.uid and copy.venue_name == meeting.venue_name


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_costs_a_meeting_from_officer_hours_and_rank_rates(world):
    RankHourlyCost.objects.update_or_create(role="pcso", defaults={"hourly_cost": Decimal("30")})
    RankHourlyCost.objects.update_or_create(role="sergeant", defaults={"hourly_cost": Decimal("80")})
    meeting = new_meeting(world)
    services.meeting_record_outcome(
        meeting=meeting,
        actor=world.pcso,
        officers=[
            services.OfficerHours(officer=world.pcso, rank="pcso"),
            services.OfficerHours(officer=world.sergeant, rank="sergeant", preparation_hours=Decimal("0.5")),
        ],
        public_attendees=4,
        online_live_viewers=0,
        issues=["Speeding on Burnley Road", ""],
    )
    [meeting] = selectors.with_figures([Meeting.objects.prefetch_related("officer_attendance").get()])
    assert meeting.figures.officer_hours == Decimal("5.5")
    assert meeting.figures.estimated_cost == Decimal("290.00")  # 3 h × £30 + 2.5 h × £80
    assert meeting.figures.cost_per_person == Decimal("72.50")
    assert [i.description for i in meeting.issues_raised.all()] == ["Speeding on Burnley Road"]


@time_machine.travel(at(2026, 11, 20, 9), tick=False)
def test_it_refuses_an_outcome_before_the_meeting(world):
    with pytest.raises(ValidationError, match="once the meeting has started"):
        services.meeting_record_outcome(meeting=new_meeting(world), actor=world.pcso, officers=[])


PDF = b"%PDF-1.7\n%minutes\n"


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"),
    [
        ("minutes.exe", b"MZ", "minutes", "must be one of"),
        ("minutes.pdf", b"<html>not a pdf</html>", "minutes", "not a real .pdf"),
        ("minutes.pdf", b"", "minutes", "empty"),
        ("audio.mp3", PDF, "audio_minutes", "not a real .mp3"),
        ("minutes.pdf", PDF + b"0" * (10 * 1024 * 1024), "minutes", "the limit is 10 MB"),
    ],
)
def test_it_rejects_bad_attachments(world, settings, tmp_path, name, content, kind, message):
    settings.MEDIA_ROOT = tmp_path
    meeting = new_meeting(world)
    with pytest.raises(ValidationError, match=message):
        services.attachment_add(
            meeting=meeting,
            actor=world.pcso,
            uploaded_file=SimpleUploadedFile(name, content),
            kind=kind,
            is_public=True,
        )
    assert meeting.attachments.count() == 0


def test_it_accepts_real_minutes_and_audio(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = new_meeting(world)
    for name, content, kind in [("m.pdf", PDF, "minutes"), ("a.mp3", b"ID3\x04rest", "audio_minutes")]:
        services.attachment_add(
            meeting=meeting,
            actor=world.pcso,
            uploaded_file=SimpleUploadedFile(name, content),
            kind=kind,
            is_public=True,
        )
    assert sorted(meeting.attachments.values_list("content_type", flat=True)) == ["application/pdf", "audio/mpeg"]


def test_it_deletes_drafts_instead_of_cancelling_them(world):
    draft = new_meeting(world)
    with pytest.raises(ValidationError, match="delete it instead"):
        services.meeting_cancel(meeting=draft, actor=world.pcso, reason="Changed our minds")
    published = new_meeting(world, status=MeetingStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.meeting_delete_draft(meeting=published, actor=world.pcso)
    services.meeting_delete_draft(meeting=draft, actor=world.pcso)
    assert list(Meeting.objects.all()) == [published]


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_replaces_the_issues_when_an_outcome_is_recorded_again(world):
    meeting = new_meeting(world)
    for issues in (["Speeding"], ["Speeding", "Litter"]):
        services.meeting_record_outcome(meeting=meeting, actor=world.pcso, officers=[], issues=issues)
    assert sorted(meeting.issues_raised.values_list("description", flat=True)) == ["Litter", "Speeding"]


def test_it_extends_an_old_weekly_series_from_where_it_stopped(world):
    meeting = new_meeting(world, starts_at=at(2026, 1, 6, 19), ends_at=at(2026, 1, 6, 20))
    series = services.series_create(meeting=meeting, actor=world.pcso, rrule="FREQ=WEEKLY", description="weekly")
    first_year = series.occurrences.count()
    moved = series.occurrences.order_by("-starts_at").first()
    services.meeting_update(meeting=moved, actor=world.pcso, venue_name="One-off venue")
    # Three years on, far past the cap on dates generated in one go.
    added = services.series_extend(series=series, actor=world.pcso, until=at(2029, 1, 10, 0))
    assert first_year == 53 and added == 105  # 12 Jan 2027 to 9 Jan 2029
    newest = series.occurrences.order_by("-starts_at").first()
    assert newest.starts_at == at(2029, 1, 9, 19)
    assert series.occurrences.filter(venue_name="One-off venue").count() == 1


def test_it_tops_up_series_a_year_ahead_from_the_nightly_task(world):
    meeting = new_meeting(world, starts_at=at(2026, 1, 6, 19), ends_at=at(2026, 1, 6, 20))
    series = services.series_create(meeting=meeting, actor=world.pcso, rrule="FREQ=MONTHLY;BYDAY=1TU", description="m")
    with time_machine.travel(at(2026, 11, 23, 2, 30), tick=False):
        added = extend_meeting_series_task.delay().get()
    series.refresh_from_db()
    assert added == 10  # February to November 2027
    assert series.occurrences.order_by("-starts_at").first().starts_at == at(2027, 11, 2, 19)


def test_it_covers_other_neighbourhoods_of_its_division_only(world):
    with pytest.raises(ValidationError, match="its own division only, not Fleetwood") as error:
        new_meeting(world, also_covers=[world.fleetwood])
    assert "also_covers" in error.value.message_dict
    with pytest.raises(ValidationError, match="Daneshouse hosts the meeting"):
        new_meeting(world, also_covers=[world.daneshouse])
    with pytest.raises(ValidationError, match="Not in Daneshouse: Queensgate"):
        new_meeting(world, wards=[world.queensgate.wards.get()])
    assert Meeting.objects.count() == 0
    town = new_meeting(
        world, also_covers=[world.queensgate], wards=[*world.daneshouse.wards.all(), *world.queensgate.wards.all()]
    )
    assert list(Meeting.objects.for_neighbourhood(world.queensgate)) == [town]
    assert list(Meeting.objects.for_neighbourhood(world.daneshouse)) == [town]
    assert not Meeting.objects.for_neighbourhood(world.fleetwood).exists()
