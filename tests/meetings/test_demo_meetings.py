"""The demo force's meetings, seeded once for the module at a fixed moment on three districts'
real wards: Burnley (East Division, the featured ward), Chorley (its team-wide online PACT),
Preston (its specialist PACTs) and Blackpool (West Division)."""

import shutil
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, F, Q
from shapely.geometry import Point, shape

from meetings.demo import demo_meetings_seed
from meetings.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
    OfficerAttendance,
    SpecialistAudience,
)
from meetings.services import OfficerHours, meeting_record_outcome, series_extend
from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Force, Neighbourhood, TeamMembership, Ward
from priorities.models import Issue, Priority
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
FIRST_DAY, LAST_DAY = date(2025, 7, 23), date(2027, 1, 23)
DISTRICTS = ["E07000117", "E07000118", "E07000123", "E06000009"]
CHORLEY, PRESTON = "E07000118", "E07000123"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in [f"{code}.json" for code in DISTRICTS] + ["districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        summary = demo_force_seed(data_dir=data_dir)
        yield summary


def _held(**filters):
    return Meeting.objects.filter(outcome_recorded_at__isnull=False, **filters)


def test_it_spans_eighteen_months_ending_two_months_ahead(seeded):
    starts = sorted(Meeting.objects.values_list("starts_at", flat=True))
    assert FIRST_DAY <= starts[0].date() <= FIRST_DAY + timedelta(days=14)
    assert LAST_DAY - timedelta(days=14) <= starts[-1].date() <= LAST_DAY
    assert seeded.meetings == Meeting.objects.count() > 30 * Neighbourhood.objects.count()


def test_it_gives_every_neighbourhood_a_monthly_pact_in_every_month(seeded):
    months = {(d.year, d.month) for d in (FIRST_DAY + timedelta(days=n) for n in range(30, 520))}
    pacts = Meeting.objects.filter(meeting_type__in=[MeetingType.PUBLIC_PACT, MeetingType.HYBRID])
    for neighbourhood in Neighbourhood.objects.all():
        mine = pacts.filter(neighbourhood=neighbourhood, series__rrule__startswith="FREQ=MONTHLY;BYDAY=")
        held_in = {(m.starts_at.year, m.starts_at.month) for m in mine}
        assert months <= held_in, neighbourhood
        assert mine.exclude(venue_name="").exclude(venue_address="").count() == mine.count()


def test_it_gives_every_neighbourhood_a_quarterly_multi_agency_panel(seeded):
    panels = Meeting.objects.filter(meeting_type=MeetingType.PANEL, series__rrule__contains="INTERVAL=3")
    counts = dict(panels.values_list("neighbourhood").annotate(n=Count("pk")))
    assert set(counts) == set(Neighbourhood.objects.values_list("pk", flat=True))
    assert set(counts.values()) <= {5, 6, 7}
    assert _held(meeting_type=MeetingType.PANEL, partner_attendance__isnull=False).distinct().count() > 0.8 * len(
        _held(meeting_type=MeetingType.PANEL)
    )


def test_it_holds_many_public_pacts_of_fewer_than_five_people(seeded):
    attendance = list(_held(meeting_type=MeetingType.PUBLIC_PACT).values_list("public_attendees", flat=True))
    assert all(0 <= n <= 12 for n in attendance)
    assert sum(n < 5 for n in attendance) > 0.35 * len(attendance)
    assert 0 in attendance


def test_it_holds_one_team_wide_online_pact_for_chorley_of_about_1500_views(seeded):
    online = _held(meeting_type=MeetingType.ONLINE, wards__district__code=CHORLEY).distinct()
    assert Neighbourhood.objects.filter(wards__district__code=CHORLEY).distinct().count() > 1
    assert online.values("neighbourhood").distinct().count() == 1
    assert online.count() >= 12
    views = [m.online_later_views for m in online]
    assert all(1100 <= v <= 1800 for v in views) and 1300 < sum(views) / len(views) < 1600
    assert all(20 <= m.questions_received <= 30 and m.online_url and not m.venue_name for m in online)


def test_it_streams_hybrid_pacts_on_youtube_not_facebook(seeded):
    hybrid = Meeting.objects.filter(meeting_type=MeetingType.HYBRID)
    assert hybrid.exists()
    assert not hybrid.filter(Q(title__icontains="facebook") | Q(online_url__icontains="facebook")).exists()


def test_it_counts_both_rooms_at_hybrid_meetings(seeded):
    hybrid = _held(meeting_type=MeetingType.HYBRID)
    assert hybrid.exists()
    for meeting in hybrid:
        assert meeting.public_attendees is not None and meeting.venue_name
        assert meeting.online_live_viewers > 0 and 100 <= meeting.online_later_views <= 1600


def test_it_ends_the_in_person_series_where_a_pact_went_hybrid(seeded):
    hybrid = MeetingSeries.objects.filter(occurrences__meeting_type=MeetingType.HYBRID).distinct().first()
    ended = MeetingSeries.objects.get(neighbourhood=hybrid.neighbourhood, rrule__contains="UNTIL=")
    last_in_person = ended.occurrences.order_by("starts_at").last()
    assert last_in_person.starts_at < hybrid.first_start
    assert series_extend(series=ended, actor=ended.created_by, until=NOW + timedelta(days=365)) == 0


def test_it_cancels_about_four_percent_with_a_public_reason(seeded):
    cancelled = Meeting.objects.filter(status=MeetingStatus.CANCELLED)
    assert 0.02 < cancelled.count() / Meeting.objects.count() < 0.07
    assert not cancelled.filter(cancellation_reason="").exists()
    assert not cancelled.filter(outcome_recorded_at__isnull=False).exists()
    assert not cancelled.filter(series__isnull=False, detached_from_series=False).exists()


def test_it_records_outcomes_only_once_meetings_have_started(seeded):
    assert not Meeting.objects.filter(starts_at__gt=NOW, outcome_recorded_at__isnull=False).exists()
    assert not Meeting.objects.filter(outcome_recorded_at__gt=NOW).exists()
    assert not Meeting.objects.filter(created_at__gt=NOW).exists()
    written_up = Meeting.objects.filter(ends_at__lt=NOW - timedelta(days=10)).exclude(status=MeetingStatus.CANCELLED)
    assert not written_up.filter(outcome_recorded_at__isnull=True).exists()
    assert not written_up.filter(officer_attendance__isnull=True).exists()


def test_it_publishes_future_meetings_and_leaves_a_few_drafts(seeded):
    future = Meeting.objects.filter(starts_at__gt=NOW)
    drafts = future.filter(status=MeetingStatus.DRAFT)
    assert 0 < drafts.count() < 0.15 * future.count()
    assert not Meeting.objects.filter(starts_at__lt=NOW, status=MeetingStatus.DRAFT).exists()
    assert not drafts.filter(series__isnull=False).exists()


def test_it_staffs_meetings_with_the_neighbourhood_team_at_durhams_hours(seeded):
    rows = OfficerAttendance.objects.select_related("meeting")
    members = set(TeamMembership.objects.values_list("user_id", "neighbourhood_id", "role"))
    assert all((row.officer_id, row.meeting.neighbourhood_id, row.rank) in members for row in rows)
    pacts = rows.filter(meeting__meeting_type=MeetingType.PUBLIC_PACT)
    hours = set(pacts.values_list("preparation_hours", "attending_hours", "follow_up_hours"))
    assert hours == {(Decimal(1), Decimal(1), Decimal(1))}


def test_it_names_the_lead_officer_once_not_again_among_the_other_officers(seeded):
    through = Meeting.officers.through.objects
    assert through.exists()
    assert not through.filter(meeting__lead_officer=F("user")).exists()


def test_it_meets_inside_the_neighbourhoods_own_wards(seeded):
    shapes = {w.pk: shape(w.boundary) for w in Ward.objects.all()}
    for meeting in Meeting.objects.prefetch_related("wards", "neighbourhood__wards"):
        own = {w.pk for w in meeting.neighbourhood.wards.all()}
        assert {w.pk for w in meeting.wards.all()} <= own
        if meeting.venue_latitude is not None:
            point = Point(meeting.venue_longitude, meeting.venue_latitude)
            assert any(shapes[pk].contains(point) for pk in own), meeting


def test_it_holds_polish_faith_and_travellers_pacts_only_in_preston(seeded):
    specialist = Meeting.objects.filter(meeting_type=MeetingType.SPECIALIST)
    central = specialist.filter(audience__in=[SpecialistAudience.POLISH, SpecialistAudience.FAITH,
                                              SpecialistAudience.TRAVELLERS])  # fmt: skip
    assert central.exists()
    assert set(central.values_list("wards__district__code", flat=True)) == {PRESTON}
    assert not specialist.filter(audience="").exists()


def test_it_keeps_restricted_notes_out_of_public_summaries(seeded):
    restricted = _held().exclude(restricted_notes="")
    assert 0.05 * _held().count() < restricted.count() < 0.3 * _held().count()
    assert all(m.restricted_notes not in m.public_summary for m in restricted)
    assert Issue.objects.filter(meeting__public_attendees=0, meeting__meeting_type="public_pact").count() == 0


def test_it_writes_rows_that_pass_full_clean(seeded):
    for meeting in Meeting.objects.order_by("pk")[::97]:
        meeting.full_clean()
    for series in MeetingSeries.objects.all():
        series.full_clean()


def test_it_does_not_duplicate_on_a_second_run(seeded):
    counts = (Meeting.objects.count(), MeetingSeries.objects.count(), OfficerAttendance.objects.count())
    result = demo_meetings_seed(force=Force.objects.get(), today=TODAY)
    assert result.created == 0
    assert (Meeting.objects.count(), MeetingSeries.objects.count(), OfficerAttendance.objects.count()) == counts


def _fingerprint(neighbourhoods):
    meetings = Meeting.objects.filter(neighbourhood__in=neighbourhoods).order_by("uid")
    return [
        (m.uid, m.starts_at, m.status, m.public_attendees, m.online_later_views, m.public_summary, m.venue_latitude)
        for m in meetings
    ]


def test_it_makes_the_same_meetings_for_the_same_day(seeded):
    some = list(Neighbourhood.objects.order_by("code")[:4])
    before = _fingerprint(some)
    # Community sign-offs protect the meetings they were given at: the priorities go first.
    Priority.objects.filter(neighbourhood__in=some).delete()
    Meeting.objects.filter(neighbourhood__in=some).delete()
    MeetingSeries.objects.filter(neighbourhood__in=some).delete()
    result = demo_meetings_seed(force=Force.objects.get(), today=TODAY)
    assert result.created == len(before)
    assert _fingerprint(some) == before


def test_the_services_take_over_seeded_meetings(seeded):
    series = MeetingSeries.objects.filter(rrule__startswith="FREQ=MONTHLY;BYDAY=").order_by("pk").first()
    added = series_extend(series=series, actor=series.created_by, until=series.generated_until + timedelta(days=92))
    starts = list(series.occurrences.values_list("occurrence_start", flat=True))
    assert added >= 2 and len(starts) == len(set(starts))
    meeting = _held(meeting_type=MeetingType.PUBLIC_PACT).first()
    officer = meeting.lead_officer
    meeting_record_outcome(
        meeting=meeting, actor=officer, officers=[OfficerHours(officer, officer.role)], public_attendees=3
    )
    assert meeting.officer_attendance.count() == 1
