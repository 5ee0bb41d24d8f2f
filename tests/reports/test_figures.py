"""The return's figures against numbers worked out by hand from tests/reports/factories.py
(DIVISION_MONTH lists the data; each expectation below says which rows make it)."""

import json
from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.analytics import selectors as analytics
from meetings.models import MeetingType
from messaging.models import ChannelStatus
from neighbourhoods.models import Division, Force
from reports.models import PeriodKind
from reports.periods import force_data_start, period_bounds, previous_period, same_period_last_year
from reports.selectors import HEADLINE, return_figures, return_figures_for_divisions
from tests.factories import DivisionFactory, NeighbourhoodFactory, WardFactory
from tests.reports import factories as f

pytestmark = pytest.mark.django_db
OCTOBER = {"period_kind": PeriodKind.MONTH, "period_start": date(2026, 10, 1), "period_end": date(2026, 10, 31)}
Q3 = {"period_kind": PeriodKind.QUARTER, "period_start": date(2026, 7, 1), "period_end": date(2026, 9, 30)}
# neighbourhoods, wards, rank costs, meetings, officer hours, new priorities, transitions, overdue
# actions, top priorities, neighbourhoods engaged each month, recorded membership, sign-ups, alerts,
# deliveries, survey answers, census
RECORDED_QUERIES = 16
# ... and, with months not recorded yet, the members' channels and the profiles counted live.
QUERIES = RECORDED_QUERIES + 2


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(f.NOVEMBER_3RD, tick=False):
        yield


@pytest.fixture
def month(world):
    return f.division_month(world)


@pytest.fixture
def october(world, month):
    return return_figures(division=world.east, **OCTOBER)


def headline(figures) -> dict:
    return {row["key"]: (row["value"], row["previous"], row["last_year"]) for row in figures["headline"]}


def test_it_names_the_division_and_the_three_periods(october):
    assert october["schema"] == 1
    assert october["division"] == {"code": "east", "name": "East Division"}
    assert october["period"] == {"kind": "month", "start": "2026-10-01", "end": "2026-10-31", "label": "October 2026"}
    assert october["previous_period"] == {"start": "2026-09-01", "end": "2026-09-30", "label": "September 2026"}
    assert october["last_year_period"] == {"start": "2025-10-01", "end": "2025-10-31", "label": "October 2025"}


def test_it_lists_every_headline_figure_in_order_with_its_unit(october):
    assert [(r["key"], r["label"], r["unit"]) for r in october["headline"]] == HEADLINE
    units = {r["key"]: r["unit"] for r in october["headline"]}
    assert (units["officer_hours"], units["officer_cost"], units["conversion_percent"]) == ("hours", "money", "percent")


def test_it_counts_held_meetings_by_their_local_start(october):
    h = headline(october)
    # October: A, B, C, D and K (00:30 BST on 1 Oct is still 30 Sep in UTC); not E (cancelled),
    # F (draft), G (no outcome), N (November), H (West). September: I and L. October 2025: M.
    assert h["meetings_held"] == (5, 2, 1)
    # D (the panel); C had the council there but is a street meeting, counted as one.
    assert h["multi_agency_meetings"] == (1, 0, 0)
    assert h["people_in_person"] == (12 + 3 + 8, 7 + 4, 20)
    assert h["people_online"] == (30 + 200, 5 + 10, 0)
    # C (3 people) and D (panel, none counted); B is online; K had 8. September: L (4).
    assert h["small_meetings"] == (2, 1, 0)


def test_it_counts_meetings_as_the_engagement_page_does(world, month, october):
    # One definition of held and multi-agency meetings: the return and the engagement page agree.
    east = Division.objects.get(code="east")
    engagement = analytics.division_engagement(division=east, period=analytics.Period(months=(date(2026, 10, 1),)))
    h = headline(october)
    assert (h["meetings_held"][0], h["multi_agency_meetings"][0]) == (5, 1)
    assert (engagement.figures.total.held, engagement.figures.total.multi_agency) == (5, 1)
    panels = next(t["count"] for t in october["meetings_by_type"] if t["type"] == MeetingType.PANEL)
    assert h["multi_agency_meetings"][0] == panels


def test_it_costs_officer_time_at_each_rank(october):
    h = headline(october)
    # A: PCSO 3 h × £30 + sergeant 3 h × £50; B: PCSO 3 h × £30; D: inspector 2 h × £100.
    assert h["officer_hours"] == (11.0, 0.0, 0.0)
    assert h["officer_cost"] == (530.0, 0.0, 0.0)
    assert h["cost_per_person"] == (round(530 / 253, 2), 0.0, 0.0)


def test_it_shows_meetings_by_type_in_choice_order(october):
    by_type = {row["type"]: row["count"] for row in october["meetings_by_type"]}
    assert list(by_type)[:3] == ["public_pact", "panel", "street"]
    assert len(by_type) == 13  # every engagement type, another organisation's event and open days included
    assert (by_type["public_pact"], by_type["online"], by_type["street"], by_type["panel"]) == (2, 1, 1, 1)
    assert by_type["hybrid"] == by_type["partner_event"] == by_type["open_day"] == 0
    assert october["meetings_by_type"][0]["label"] == "PACT public meeting"


def test_it_counts_priorities_and_their_transitions_in_the_period(october):
    h = headline(october)
    assert h["priorities_new"] == (2, 1, 1)  # P1, P4 | P3 | P7 (P6 is November, P5 West)
    assert h["priorities_agreed"] == (1, 1, 1)  # P1 | P3 | P7
    assert h["priorities_escalated"] == (1, 0, 0)
    assert h["priorities_resolved"] == (1, 0, 0)  # P2
    assert h["priorities_signed_off"] == (1, 0, 0)
    # P3's open action due 15 Oct and P7's due 1 Jan; not P3's due on the 31st, its done one, or
    # P8's (the priority is closed). No history of action status, so no comparison.
    assert h["overdue_actions"] == (2, None, None)


def test_it_counts_members_at_each_period_end(october):
    h = headline(october)
    # 31 Oct: S1, S2, S5, S8 (S4 unsubscribed on the 20th, S3 never confirmed, S7 undeliverable).
    # 30 Sep: S1, S4, S5. 31 Oct 2025: S1.
    assert h["members_total"] == (4, 3, 1)
    assert h["members_new"] == (2, 1, 0)  # S2, S8 (first confirmed in October) | S5
    assert h["field_sign_ups"] == (1, 0, 0)  # S2
    assert h["unsubscribes"] == (1, 0, 0)  # S4
    # Sign-ups by consent: October S2 (confirmed) and S3 (not); September S5 and S8, both confirmed.
    assert h["conversion_percent"] == (50.0, 100.0, None)


def test_it_counts_alerts_to_the_division_and_their_messages(october):
    h = headline(october)
    # AL1 (Daneshouse), AL2 (force-wide), AL3 (East and Daneshouse: once); not AL4 (West's ward)
    # or AL5 (cancelled). September: AL6 (Queensgate's ward).
    assert h["alerts_sent"] == (3, 1, 0)
    assert h["messages_delivered"] == (3, 0, 0)
    itk = october["in_the_know"]
    # Four messages, one failed: 2 of 3 opened, 1 of 3 clicked.
    assert (itk["open_percent"], itk["click_percent"]) == (66.7, 33.3)
    assert itk["members_total"] == 4
    assert itk["alerts_sent"] == 3


def test_it_reports_survey_shares_only_from_ten_responses(october):
    h = headline(october)
    assert h["survey_confidence_percent"] == (75.0, None, None)  # 9 of 12 | 4 responses: suppressed
    assert h["survey_safe_after_dark_percent"] == (50.0, None, None)  # 6 of 12
    surveys = october["surveys"]
    assert surveys["responses"] == 12
    assert surveys["safe_day_percent"] == 72.7  # 8 of the 11 who answered
    assert surveys["suppressed"] is False
    assert surveys["survey_titles"] == ["Feeling safe in East Division"]


def test_it_suppresses_a_period_with_fewer_than_ten_responses(world, month):
    september = return_figures(
        division=world.east, period_kind="month", period_start=date(2026, 9, 1), period_end=date(2026, 9, 30)
    )
    surveys = september["surveys"]
    assert (surveys["responses"], surveys["suppressed"]) == (4, True)
    assert surveys["confidence_percent"] is None
    assert surveys["safe_after_dark_percent"] is None


def test_it_breaks_the_division_down_by_neighbourhood(october):
    daneshouse, queensgate = october["neighbourhoods"]
    assert (daneshouse["code"], queensgate["name"]) == ("daneshouse", "Queensgate")
    assert daneshouse["meetings_held"] == 4
    assert daneshouse["meetings_by_type"]["public_pact"] == 2
    assert (daneshouse["officer_hours"], daneshouse["officer_cost"]) == (9.0, 330.0)
    assert (queensgate["multi_agency_meetings"], queensgate["small_meetings"], queensgate["officer_cost"]) == (
        1,
        1,
        200.0,
    )
    assert (daneshouse["priorities_new"], queensgate["priorities_new"]) == (1, 1)
    assert daneshouse["overdue_actions"] == 2
    assert (daneshouse["members_total"], queensgate["members_total"]) == (3, 1)
    assert (daneshouse["field_sign_ups"], queensgate["unsubscribes"]) == (1, 1)


def test_it_picks_top_priorities_by_evidence_and_by_age(october):
    top = october["top_priorities"]
    # Agreed and open at the month's end: P1 (14 residents), then P7 and P3 (none; older first).
    # P4, a proposal of 3 residents, is not the community's priority yet, so never a top one.
    assert [p["title"] for p in top["by_evidence"]] == [
        "Off-road bikes", "Drug dealing in the park", "Speeding on Burnley Road",
    ]  # fmt: skip
    assert "Parking at the school" not in [p["title"] for p in top["by_age"]]
    assert [p["title"] for p in top["by_age"]][:2] == ["Drug dealing in the park", "Speeding on Burnley Road"]
    first = top["by_evidence"][0]
    assert (first["residents"], first["neighbourhood"], first["state"], first["state_label"]) == (
        14, "Daneshouse", "escalated", "Escalated",
    )  # fmt: skip
    oldest = top["by_age"][0]
    assert (oldest["opened"], oldest["age_days"]) == ("2025-10-08", 388)  # 8 Oct 2025 to 31 Oct 2026


def test_it_keeps_top_priorities_to_five(world, month):
    for n in range(6):
        f.priority(world, created_at=f.at(date(2026, 10, 2)), title=f"Extra {n}", supporters=(20 + n,),
                   state="agreed")  # fmt: skip
    # A proposal with more residents behind it than any is still not a top priority.
    f.priority(world, created_at=f.at(date(2026, 10, 2)), title="Proposal", supporters=(99,))
    top = return_figures(division=world.east, **OCTOBER)["top_priorities"]
    assert [p["title"] for p in top["by_evidence"]] == [f"Extra {n}" for n in (5, 4, 3, 2, 1)]
    assert len(top["by_age"]) == 5


def test_it_finds_the_most_under_represented_groups(world):
    ward = world.daneshouse.wards.get()
    f.population(ward, **{"16-24": 300, "50-64": 700})
    for _ in range(10):
        f.member(world, consent_at=f.at(date(2026, 5, 1)), confirmed_at=f.at(date(2026, 5, 1)), age_band="50-64")
    representation = return_figures(division=world.east, **OCTOBER)["representation"]
    # 16-24: 0 of 10 members against 30% of residents; 50-64 (100% against 70%) is over-represented.
    assert representation["most_under_represented"] == [
        {"category": "age_band", "group": "16-24", "label": "Aged 16 to 24", "index": 0}
    ]
    assert representation["wards_with_population"] == 1


def test_it_builds_quarters_against_the_previous_quarter_and_last_year(world, month):
    figures = return_figures(division=world.east, **Q3)
    assert figures["period"]["label"] == "Jul to Sep 2026"
    assert figures["previous_period"] == {"start": "2026-04-01", "end": "2026-06-30", "label": "Apr to Jun 2026"}
    assert figures["last_year_period"]["label"] == "Jul to Sep 2025"
    h = headline(figures)
    assert h["meetings_held"] == (2, 0, 0)  # I and L
    assert h["priorities_new"] == (2, 1, 0)  # P3, P8 | P2
    assert h["priorities_agreed"] == (1, 1, 0)  # P3 | P2
    assert h["members_total"] == (3, 2, 1)  # S1, S4, S5 | S1, S4 | S1


def test_it_is_plain_json(october):
    assert json.loads(json.dumps(october)) == october


def test_it_gives_an_empty_division_zeros_and_nulls(world):
    figures = return_figures(division=world.west, **OCTOBER)
    h = headline(figures)
    assert h["meetings_held"] == (0, 0, 0)
    assert h["cost_per_person"] == (None, None, None)
    assert h["conversion_percent"] == (None, None, None)
    assert figures["surveys"]["suppressed"] is False
    assert figures["top_priorities"] == {"by_evidence": [], "by_age": []}
    assert [n["code"] for n in figures["neighbourhoods"]] == ["fleetwood"]


def test_it_builds_several_divisions_at_once_the_same(world, month):
    both = return_figures_for_divisions(divisions=[world.east, world.west], **OCTOBER)
    assert both[world.east.pk] == return_figures(division=world.east, **OCTOBER)
    west = headline(both[world.west.pk])
    assert west["meetings_held"] == (1, 0, 0)  # H
    assert west["alerts_sent"] == (2, 0, 0)  # AL2 (force-wide), AL4
    assert west["members_total"][0] == 1  # S6


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        return_figures_for_divisions(**kwargs)
    return len(captured.captured_queries)


def test_it_runs_the_same_queries_whatever_the_data(world, django_assert_max_num_queries):
    empty = _queries(divisions=[world.east], **OCTOBER)
    f.division_month(world)
    for n in range(4):
        place = NeighbourhoodFactory(division=world.east, name=f"Extra {n}")
        ward = WardFactory(neighbourhood=place)
        f.held_meeting(world, neighbourhood=place, starts_at=f.at(date(2026, 10, 3 + n)), public=n)
        f.member(world, ward=ward, consent_at=f.at(date(2026, 10, 3)), confirmed_at=f.at(date(2026, 10, 3)))
        f.priority(world, neighbourhood=place, created_at=f.at(date(2026, 10, 4)), supporters=(n + 1,))
    extra = DivisionFactory(force=world.force)
    WardFactory(neighbourhood=NeighbourhoodFactory(division=extra))
    with django_assert_max_num_queries(QUERIES):
        figures = return_figures_for_divisions(divisions=[world.east, world.west, extra], **OCTOBER)
    assert empty == QUERIES == _queries(divisions=[world.east, world.west, extra], **OCTOBER)
    assert len(figures[world.east.pk]["neighbourhoods"]) == 6


def test_it_reads_divisions_from_a_queryset_with_one_more_query(world):
    assert _queries(divisions=Division.objects.filter(force=world.force), **OCTOBER) == QUERIES + 1


def test_it_counts_a_member_who_comes_back_from_the_day_they_rejoined(world):
    # Unsubscribed in September, then a second channel confirmed in October.
    person = f.member(
        world, consent_at=f.at(date(2026, 8, 1)), confirmed_at=f.at(date(2026, 8, 1)),
        status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=f.at(date(2026, 9, 10)),
    )  # fmt: skip
    person.channels.create(
        channel="sms", address="+447700900123", status="active", confirmed_at=f.at(date(2026, 10, 7))
    )
    h = headline(return_figures(division=world.east, **OCTOBER))
    assert h["members_total"] == (1, 0, 0)
    assert h["members_new"] == (0, 0, 0)  # joined in August, when the first channel was confirmed


@pytest.mark.parametrize(
    ("kind", "day", "bounds"),
    [
        ("month", date(2024, 2, 14), (date(2024, 2, 1), date(2024, 2, 29))),
        ("month", date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
        ("quarter", date(2026, 11, 15), (date(2026, 10, 1), date(2026, 12, 31))),
        ("quarter", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        ("quarter", date(2026, 6, 30), (date(2026, 4, 1), date(2026, 6, 30))),
    ],
)
def test_it_finds_the_period_containing_a_day(kind, day, bounds):
    assert period_bounds(period_kind=kind, day=day) == bounds


def test_it_finds_the_comparison_periods():
    assert previous_period(period_kind="month", period_start=date(2026, 1, 1)) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    assert previous_period(period_kind="quarter", period_start=date(2026, 1, 1)) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    assert same_period_last_year(period_kind="month", period_start=date(2024, 2, 1)) == (
        date(2023, 2, 1),
        date(2023, 2, 28),
    )
    assert same_period_last_year(period_kind="quarter", period_start=date(2026, 7, 1)) == (
        date(2025, 7, 1),
        date(2025, 9, 30),
    )


def test_it_finds_when_a_forces_data_begins(world):
    assert force_data_start(force=world.force) is None
    f.held_meeting(world, starts_at=f.at(date(2025, 10, 14)), public=20)
    assert force_data_start(force=world.force) == date(2025, 10, 1)
    f.member(world, consent_at=f.at(date(2025, 6, 20)))
    assert force_data_start(force=world.force) == date(2025, 6, 1)
    # 00:30 BST on 1 June is still 31 May in UTC: the month is the local one.
    f.priority(world, created_at=f.at(date(2025, 6, 1), 0, 30))
    assert force_data_start(force=world.force) == date(2025, 6, 1)


def test_it_ignores_other_forces_data_when_finding_the_start(world):
    other = Force.objects.create(slug="cumbria", name="Cumbria Constabulary")
    place = NeighbourhoodFactory(division=DivisionFactory(force=other))
    WardFactory(neighbourhood=place)
    f.held_meeting(world, neighbourhood=place, starts_at=f.at(date(2020, 1, 5)), public=3)
    f.priority(world, created_at=f.at(date(2026, 3, 3)))
    assert force_data_start(force=world.force) == date(2026, 3, 1)
    assert force_data_start(force=other) == date(2020, 1, 1)


def test_it_builds_a_division_without_neighbourhoods(world):
    empty = DivisionFactory(force=world.force, code="new", name="New Division")
    figures = return_figures(division=empty, **OCTOBER)
    assert figures["neighbourhoods"] == []
    assert headline(figures)["members_total"] == (0, 0, 0)
    assert figures["representation"] == {"most_under_represented": [], "wards_with_population": 0}


def test_it_lists_the_neighbourhoods_with_no_engagement_recorded_each_month(world, month):
    october = return_figures(division=world.east, **OCTOBER)["no_engagement"]
    assert october == [{"month": "2026-10-01", "label": "October 2026", "neighbourhoods": []}]
    quarter = return_figures(division=world.east, **Q3)["no_engagement"]
    assert [(row["label"], row["neighbourhoods"]) for row in quarter] == [
        ("July 2026", ["Daneshouse", "Queensgate"]),
        ("August 2026", ["Daneshouse", "Queensgate"]),
        ("September 2026", ["Queensgate"]),
    ]


def test_it_counts_a_town_wide_meeting_as_engagement_of_each_neighbourhood_it_covers(world):
    town = f.held_meeting(world, starts_at=f.at(date(2026, 10, 6)), public=12)
    town.also_covers.set([world.queensgate])
    figures = return_figures(division=world.east, **OCTOBER)
    assert figures["no_engagement"][0]["neighbourhoods"] == []
    assert headline(figures)["meetings_held"][0] == 1  # once in the division's total


def test_it_counts_finished_door_knock_rounds_in_the_same_queries(world):
    from messaging.models import DoorKnockReach

    before = _queries(divisions=[world.east], **OCTOBER)
    knocks = f.held_meeting(world, starts_at=f.at(date(2026, 10, 10)), meeting_type=MeetingType.DOOR_KNOCK, public=9)
    DoorKnockReach.objects.create(
        meeting=knocks, doors=40, knocked=31, spoken_to=9, signed_up=4, declined=3, leaflets=12, issues=2, not_in=10
    )
    f.held_meeting(world, starts_at=f.at(date(2026, 10, 11)), public=12)  # a PACT meeting has no reach record
    figures = return_figures(division=world.east, **OCTOBER)
    h = headline(figures)
    assert (h["doors_knocked"][0], h["door_knock_spoken_to"][0], h["door_knock_sign_ups"][0]) == (31, 9, 4)
    assert figures["door_knocks"] == {
        "door_knock_rounds": 1, "doors_knocked": 31, "door_knock_spoken_to": 9, "door_knock_sign_ups": 4,
    }  # fmt: skip
    assert h["people_in_person"][0] == 21 and h["meetings_held"][0] == 2
    assert _queries(divisions=[world.east], **OCTOBER) == before == QUERIES
