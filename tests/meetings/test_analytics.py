"""Engagement analytics against figures worked out by hand.

The fixed data set (Daneshouse, all 2024, "now" 15 January 2025 so the default period is
January to December 2024), with hourly costs PCSO £30, constable £60, sergeant £50, inspector £100:

  A  5 Mar  PACT public meeting  12 in person          PCSO 1+1+1 h, sergeant 0.5+2+0.5 h
  B 20 Mar  online               30 live, 200 later    PCSO 1+1+1 h
  C 10 Apr  hybrid               6 in person, 10 live, 50 later   constable 1+1+1 h
  D 15 Apr  street meeting       4 in person           PCSO 1+1+1 h
  E 22 Apr  multi-agency panel   no public figure      inspector 0.5+1+0.5 h
"""

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from meetings.analytics import selectors as analytics
from meetings.models import EngagementMode, Meeting, MeetingStatus, MeetingType, PartnerAttendance, RankHourlyCost
from meetings.services import OfficerHours, meeting_create, meeting_publish, meeting_record_outcome
from tests.factories import PartnerAgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2024, 12, 31, 12, 0, tzinfo=LONDON)
MARCH, APRIL = date(2024, 3, 1), date(2024, 4, 1)
LINKED = {MeetingType.ONLINE, MeetingType.HYBRID}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def costs(db):
    for role, cost in {"pcso": "30", "constable": "60", "sergeant": "50", "inspector": "100"}.items():
        RankHourlyCost.objects.update_or_create(role=role, defaults={"hourly_cost": Decimal(cost)})


def hours(officer, rank, prep="1", attend="1", follow="1"):
    return OfficerHours(officer, rank, Decimal(prep), Decimal(attend), Decimal(follow))


def meeting(
    world,
    *,
    at,
    meeting_type=MeetingType.PUBLIC_PACT,
    neighbourhood=None,
    officers=(),
    publish=True,
    record=True,
    **outcome,
):
    neighbourhood = neighbourhood or world.daneshouse
    created = meeting_create(
        actor=world.pcso,
        neighbourhood=neighbourhood,
        wards=list(neighbourhood.wards.all()),
        meeting_type=meeting_type,
        title="PACT meeting",
        starts_at=at,
        ends_at=at + timedelta(hours=1),
        online_url="https://meet.example.org/pact" if meeting_type in LINKED else "",
    )
    if publish:
        meeting_publish(meeting=created, actor=world.pcso)
    if record:
        meeting_record_outcome(meeting=created, actor=world.pcso, officers=list(officers), **outcome)
    return created


def local(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def data_set(world, costs):
    constable = UserFactory(role=Role.CONSTABLE, force=world.force)
    pcso = hours(world.pcso, Role.PCSO)
    meeting(
        world,
        at=local(2024, 3, 5, 19),
        officers=[pcso, hours(world.sergeant, Role.SERGEANT, "0.5", "2", "0.5")],
        public_attendees=12,
    )
    meeting(
        world,
        at=local(2024, 3, 20, 19),
        meeting_type=MeetingType.ONLINE,
        officers=[pcso],
        online_live_viewers=30,
        online_later_views=200,
    )
    meeting(
        world,
        at=local(2024, 4, 10, 19),
        meeting_type=MeetingType.HYBRID,
        officers=[hours(constable, Role.CONSTABLE)],
        public_attendees=6,
        online_live_viewers=10,
        online_later_views=50,
    )
    meeting(world, at=local(2024, 4, 15, 11), meeting_type=MeetingType.STREET, officers=[pcso], public_attendees=4)
    meeting(
        world,
        at=local(2024, 4, 22, 14),
        meeting_type=MeetingType.PANEL,
        officers=[hours(world.inspector, Role.INSPECTOR, "0.5", "1", "0.5")],
    )
    return world


def figures_for(world, *, months=12, neighbourhood=None):
    period = analytics.period_of_full_months(months=months)
    return analytics.neighbourhood_engagement(neighbourhood=neighbourhood or world.daneshouse, period=period)


def month(figures, day):
    return next(m for m in figures.months if m.month == day)


# --- periods ----------------------------------------------------------------------------------


def test_it_defaults_to_the_last_twelve_full_months():
    period = analytics.period_of_full_months()
    assert period.months == tuple(date(2024, m, 1) for m in range(1, 13))
    assert period.start == local(2024, 1, 1)
    assert period.end == local(2025, 1, 1)


def test_it_offers_six_and_eighteen_months_across_year_ends():
    assert analytics.period_of_full_months(months=6).months[0] == date(2024, 7, 1)
    eighteen = analytics.period_of_full_months(months=18).months
    assert (eighteen[0], eighteen[-1], len(eighteen)) == (date(2023, 7, 1), date(2024, 12, 1), 18)


# --- figures ----------------------------------------------------------------------------------


def test_it_counts_held_meetings_by_month_and_type(data_set):
    figures = figures_for(data_set)
    assert month(figures, MARCH).held_by_type == {MeetingType.PUBLIC_PACT: 1, MeetingType.ONLINE: 1}
    assert month(figures, APRIL).held_by_type == {MeetingType.HYBRID: 1, MeetingType.STREET: 1, MeetingType.PANEL: 1}
    assert [m.held for m in figures.months] == [0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    assert figures.meeting_types == [
        MeetingType.PUBLIC_PACT,
        MeetingType.PANEL,
        MeetingType.STREET,
        MeetingType.ONLINE,
        MeetingType.HYBRID,
    ]
    assert figures.type_totals == [1, 1, 1, 1, 1]


def test_it_sums_attendance_each_month(data_set):
    march, april = month(figures_for(data_set), MARCH), month(figures_for(data_set), APRIL)
    assert (march.public_in_person, march.online_live, march.online_later, march.people_reached) == (12, 30, 200, 242)
    # 6 + 4 + nobody recorded at the panel; 10 live and 50 later at the hybrid meeting.
    assert (april.public_in_person, april.online_live, april.online_later, april.people_reached) == (10, 10, 50, 70)


def test_it_counts_in_person_meetings_with_fewer_than_five_of_the_public(data_set):
    figures = figures_for(data_set)
    march, april = month(figures, MARCH), month(figures, APRIL)
    # March: only A (12) is in person; the online meeting's nobody-in-the-room does not count.
    assert (march.in_person_held, march.fewer_than_five, march.fewer_than_five_share) == (1, 0, Decimal("0.0"))
    # April: C (6 in person, however many online) is not few; D (4) and E (no figure) are.
    assert (april.in_person_held, april.fewer_than_five, april.fewer_than_five_share) == (3, 2, Decimal("66.7"))
    assert (figures.total.fewer_than_five, figures.total.fewer_than_five_share) == (2, Decimal("50.0"))
    assert month(figures, date(2024, 5, 1)).fewer_than_five_share is None


def test_it_counts_exactly_five_as_enough(world):
    meeting(world, at=local(2024, 6, 4, 19), public_attendees=5)
    meeting(world, at=local(2024, 6, 11, 19), public_attendees=4)
    june = month(figures_for(world), date(2024, 6, 1))
    assert (june.in_person_held, june.fewer_than_five) == (2, 1)


def test_it_averages_reach_by_method(data_set):
    modes = figures_for(data_set).by_mode
    # In person: A, D, E reach 12 + 4 + 0 = 16 over 3 meetings.
    assert (modes[EngagementMode.IN_PERSON].held, modes[EngagementMode.IN_PERSON].people_reached) == (3, 16)
    assert modes[EngagementMode.IN_PERSON].average_reach == Decimal("5.3")
    assert modes[EngagementMode.ONLINE].average_reach == Decimal("230.0")
    assert modes[EngagementMode.HYBRID].average_reach == Decimal("66.0")
    assert figures_for(data_set).total.average_reach == Decimal("62.4")  # 312 / 5


def test_it_costs_officer_hours_at_the_recorded_rank(data_set):
    figures = figures_for(data_set)
    march, april = month(figures, MARCH), month(figures, APRIL)
    # March: A = 3 h x £30 + 3 h x £50, B = 3 h x £30.
    assert (march.officer_hours, march.estimated_cost) == (Decimal("9"), Decimal("330.00"))
    # April: C = 3 h x £60, D = 3 h x £30, E = 2 h x £100.
    assert (april.officer_hours, april.estimated_cost) == (Decimal("8"), Decimal("470.00"))
    assert (figures.total.officer_hours, figures.total.estimated_cost) == (Decimal("17"), Decimal("800.00"))


def test_it_works_out_cost_per_person_by_month_and_method(data_set):
    figures = figures_for(data_set)
    assert month(figures, MARCH).cost_per_person == Decimal("1.36")  # 330 / 242
    assert month(figures, APRIL).cost_per_person == Decimal("6.71")  # 470 / 70
    assert month(figures, date(2024, 5, 1)).cost_per_person is None
    modes = figures.by_mode
    assert modes[EngagementMode.IN_PERSON].estimated_cost == Decimal("530.00")
    assert modes[EngagementMode.IN_PERSON].cost_per_person == Decimal("33.13")  # 530 / 16 = 33.125, rounded up
    assert modes[EngagementMode.ONLINE].cost_per_person == Decimal("0.39")  # 90 / 230
    assert modes[EngagementMode.HYBRID].cost_per_person == Decimal("2.73")  # 180 / 66
    assert figures.total.cost_per_person == Decimal("2.56")  # 800 / 312


def test_it_uses_the_forces_own_hourly_costs(data_set):
    RankHourlyCost.objects.filter(role=Role.PCSO).update(hourly_cost=Decimal("40"))
    # March: A = 3 x £40 + 3 x £50, B = 3 x £40.
    assert month(figures_for(data_set), MARCH).estimated_cost == Decimal("390.00")


def test_it_counts_multi_agency_meetings(data_set):
    figures = figures_for(data_set)
    assert [m.multi_agency for m in figures.months][2:4] == [0, 1]
    assert figures.total.multi_agency == 1


def test_it_does_not_count_a_meeting_partners_attend_as_multi_agency(world, costs):
    public = meeting(world, at=local(2024, 5, 7, 19), public_attendees=9)
    PartnerAttendance.objects.create(meeting=public, agency=PartnerAgencyFactory(), people=2)
    meeting(world, at=local(2024, 5, 21, 14), meeting_type=MeetingType.PANEL)
    figures = analytics.neighbourhood_engagement(
        neighbourhood=world.daneshouse, period=analytics.period_of_full_months()
    )
    assert (figures.total.held, figures.total.multi_agency) == (2, 1)


def test_it_says_on_the_page_what_multi_agency_meetings_are(client, data_set):
    client.force_login(data_set.pcso)
    page = client.get(reverse("analytics:neighbourhood", kwargs={"code": data_set.daneshouse.code})).content.decode()
    assert "the meetings of the PACT multi-agency group" in page
    assert "that partners attend counts as that kind of meeting" in page


def test_it_leaves_out_cancelled_draft_unrecorded_and_out_of_period_meetings(world, costs):
    officers = [hours(world.pcso, Role.PCSO)]
    cancelled = meeting(world, at=local(2024, 5, 1, 19), officers=officers, public_attendees=40)
    # No service cancels a recorded meeting; an import might, so the figures must not trust it.
    Meeting.objects.filter(pk=cancelled.pk).update(status=MeetingStatus.CANCELLED, cancellation_reason="Flood")
    meeting(world, at=local(2024, 5, 2, 19), officers=officers, public_attendees=40, publish=False)
    meeting(world, at=local(2024, 5, 3, 19), officers=officers, record=False)
    meeting(world, at=local(2023, 12, 31, 19), officers=officers, public_attendees=40)
    # The period runs to today, so nothing recorded can lie after it; before it is the case to test.
    meeting(world, at=local(2024, 5, 4, 19), officers=officers, public_attendees=40, neighbourhood=world.queensgate)
    total = figures_for(world).total
    assert (total.held, total.people_reached, total.officer_hours, total.estimated_cost) == (0, 0, 0, 0)


def test_it_puts_a_late_meeting_in_its_uk_month(world):
    # 23:30 UTC on 31 August is 00:30 BST on 1 September; 23:30 UTC on 31 October is still October (GMT).
    meeting(world, at=datetime(2024, 8, 31, 23, 30, tzinfo=UTC), public_attendees=7)
    meeting(world, at=datetime(2024, 10, 31, 23, 30, tzinfo=UTC), public_attendees=9)
    figures = figures_for(world)
    assert [month(figures, date(2024, m, 1)).held for m in (8, 9, 10, 11)] == [0, 1, 1, 0]
    assert month(figures, date(2024, 9, 1)).public_in_person == 7


def test_it_starts_the_period_at_uk_midnight(world):
    # The six months from July start at 00:00 BST on 1 July, which is 23:00 UTC on 30 June.
    meeting(world, at=datetime(2024, 6, 30, 22, 30, tzinfo=UTC))
    meeting(world, at=datetime(2024, 6, 30, 23, 30, tzinfo=UTC))
    figures = figures_for(world, months=6)
    assert (figures.total.held, month(figures, date(2024, 7, 1)).held) == (1, 1)


# --- side by side -----------------------------------------------------------------------------


def test_it_sets_a_divisions_neighbourhoods_side_by_side(data_set):
    meeting(
        data_set,
        at=local(2024, 4, 3, 19),
        neighbourhood=data_set.queensgate,
        public_attendees=3,
        officers=[hours(data_set.pcso, Role.PCSO)],
    )
    comparison = analytics.division_engagement(division=data_set.east, period=analytics.period_of_full_months())
    by_name = {row.area.name: row.figures.total for row in comparison.areas}
    assert (by_name["Daneshouse"].held, by_name["Queensgate"].held, comparison.figures.total.held) == (5, 1, 6)
    assert comparison.figures.total.estimated_cost == Decimal("890.00")  # 800 + 3 h x £30
    assert comparison.figures.total.fewer_than_five == 3
    assert [len(areas) for _, areas in comparison.by_month] == [2] * 12


def test_it_sets_the_forces_divisions_side_by_side(data_set):
    meeting(data_set, at=local(2024, 4, 3, 19), neighbourhood=data_set.fleetwood, public_attendees=20)
    divisions = analytics.force_divisions(force=data_set.force)
    comparison = analytics.force_engagement(
        force=data_set.force, divisions=divisions, period=analytics.period_of_full_months()
    )
    assert [(row.area.code, row.figures.total.held) for row in comparison.areas] == [("east", 5), ("west", 1)]
    assert comparison.figures.total.people_reached == 312 + 20


# --- queries ----------------------------------------------------------------------------------


def many(world, count):
    types = [MeetingType.PUBLIC_PACT, MeetingType.ONLINE, MeetingType.HYBRID, MeetingType.PANEL]
    for i in range(count):
        neighbourhood = [world.daneshouse, world.queensgate, world.fleetwood][i % 3]
        meeting(
            world,
            at=local(2024, 1 + i % 12, 1 + i % 28, 19),
            meeting_type=types[i % 4],
            neighbourhood=neighbourhood,
            officers=[hours(world.pcso, Role.PCSO)],
            public_attendees=i,
        )


@pytest.mark.parametrize("count", [5, 50])
def test_it_needs_the_same_queries_however_many_meetings(world, costs, count, django_assert_max_num_queries):
    many(world, count)
    period = analytics.period_of_full_months()
    with django_assert_max_num_queries(3):  # cost table, meetings by month and type, hours by month, type and rank
        assert analytics.neighbourhood_engagement(neighbourhood=world.daneshouse, period=period).total.held
    with django_assert_max_num_queries(4):  # neighbourhoods, then the same three
        analytics.division_engagement(division=world.east, period=period)
    with django_assert_max_num_queries(4):  # divisions, then the same three
        analytics.force_engagement(
            force=world.force, divisions=analytics.force_divisions(force=world.force), period=period
        )


@pytest.mark.parametrize("count", [5, 50])
def test_it_renders_the_force_page_in_constant_queries(client, world, costs, count, django_assert_max_num_queries):
    many(world, count)
    client.force_login(world.hq)
    with django_assert_max_num_queries(7):  # session, user, force, divisions, costs, meetings, hours
        assert client.get(reverse("analytics:force")).status_code == 200


# --- pages ------------------------------------------------------------------------------------


def neighbourhood_url(neighbourhood):
    return reverse("analytics:neighbourhood", kwargs={"code": neighbourhood.code})


def division_url(division):
    return reverse("analytics:division", kwargs={"code": division.code})


def test_it_shows_a_pcso_their_neighbourhoods_figures(client, data_set, django_assert_max_num_queries):
    client.force_login(data_set.pcso)
    with django_assert_max_num_queries(7):  # session, user, neighbourhood, team, costs, meetings, hours
        page = client.get(neighbourhood_url(data_set.daneshouse)).content.decode()
    assert 'data-figure="held">5<' in page
    assert 'data-figure="cost">£800.00<' in page
    assert 'data-figure="cost-per-person">£2.56<' in page
    assert "fewer than 5 members of the public there in person" in page
    assert 'id="table-held-by-type"' in page


def test_it_passes_chart_data_as_json_and_runs_no_inline_script(client, data_set):
    client.force_login(data_set.pcso)
    page = client.get(neighbourhood_url(data_set.daneshouse)).content.decode()
    data = json.loads(re.search(r'<script id="engagement-data" type="application/json">(.*?)</script>', page)[1])
    charts = {chart["id"]: chart for chart in data["charts"]}
    assert charts["chart-attendance"]["datasets"][0]["data"][2:4] == [12, 10]
    assert all(f'<canvas id="{chart_id}"' in page for chart_id in charts)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)
    assert inline == []


def test_it_lets_the_period_be_chosen(client, data_set):
    client.force_login(data_set.pcso)
    six = client.get(neighbourhood_url(data_set.daneshouse), {"months": "6"}).context["figures"]
    assert (len(six.months), six.total.held) == (6, 0)
    odd = client.get(neighbourhood_url(data_set.daneshouse), {"months": "99"}).context["figures"]
    assert (len(odd.months), odd.total.held) == (12, 5)


def test_it_hides_another_neighbourhood_from_a_pcso(client, world):
    client.force_login(world.pcso)
    assert client.get(neighbourhood_url(world.fleetwood)).status_code == 404
    assert client.get(neighbourhood_url(world.queensgate)).status_code == 404
    assert client.get(division_url(world.east)).status_code == 404
    assert client.get(reverse("analytics:force")).status_code == 404


def test_it_shows_a_chief_inspector_their_division_only(client, world):
    client.force_login(world.chief_inspector)
    assert client.get(division_url(world.east)).status_code == 200
    assert client.get(neighbourhood_url(world.queensgate)).status_code == 200
    assert client.get(division_url(world.west)).status_code == 404
    assert client.get(neighbourhood_url(world.fleetwood)).status_code == 404
    assert client.get(reverse("analytics:force")).status_code == 404


def test_it_shows_hq_the_divisions_side_by_side(client, data_set):
    client.force_login(data_set.hq)
    page = client.get(reverse("analytics:force")).content.decode()
    assert 'id="table-areas"' in page
    assert f'{division_url(data_set.east)}?months=12">East Division</a>' in page
    assert "West Division" in page
    assert client.get(division_url(data_set.west)).status_code == 200


def test_it_keeps_residents_and_visitors_out(client, world):
    client.force_login(world.resident)
    assert client.get(neighbourhood_url(world.daneshouse)).status_code == 404
    assert client.get(division_url(world.east)).status_code == 404
    assert client.get(reverse("analytics:force")).status_code == 403
    assert client.get(reverse("analytics:home")).status_code == 403
    client.logout()
    response = client.get(neighbourhood_url(world.daneshouse))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("person", "expected"),
    [("pcso", "neighbourhoods/daneshouse/"), ("chief_inspector", "divisions/east/"), ("hq", "force/")],
)
def test_it_sends_each_user_to_their_own_area(client, world, person, expected):
    client.force_login(getattr(world, person))
    response = client.get(reverse("analytics:home"), {"months": "6"})
    assert response.url == f"/analytics/{expected}?months=6"


def test_it_explains_when_a_user_has_no_area(client, world):
    client.force_login(UserFactory(role=Role.PCSO, force=world.force))
    response = client.get(reverse("analytics:home"))
    assert response.status_code == 200
    assert "not currently a member of any neighbourhood team" in response.content.decode()


def test_it_counts_a_town_wide_meeting_for_each_neighbourhood_it_covers_and_once_in_the_division(world):
    town = meeting_create(
        actor=world.inspector, neighbourhood=world.daneshouse, also_covers=[world.queensgate],
        wards=[*world.daneshouse.wards.all(), *world.queensgate.wards.all()], meeting_type=MeetingType.ONLINE,
        title="Burnley online PACT", starts_at=local(2024, 3, 5, 19), ends_at=local(2024, 3, 5, 20),
        online_url="https://meet.example.org/pact",
    )  # fmt: skip
    meeting_publish(meeting=town, actor=world.inspector)
    meeting_record_outcome(meeting=town, actor=world.inspector, officers=[], online_live_viewers=300)
    period = analytics.period_of_full_months()
    for neighbourhood in (world.daneshouse, world.queensgate):
        figures = analytics.neighbourhood_engagement(neighbourhood=neighbourhood, period=period)
        assert (figures.total.held, figures.total.people_reached) == (1, 300)
    assert analytics.neighbourhood_engagement(neighbourhood=world.fleetwood, period=period).total.held == 0
    division = analytics.division_engagement(division=world.east, period=period)
    assert (division.figures.total.held, division.figures.total.people_reached) == (1, 300)
    assert sum(area.figures.total.held for area in division.areas) == 1  # under its host, Daneshouse
    force = analytics.force_engagement(force=world.force, divisions=analytics.force_divisions(force=world.force),
                                       period=period)  # fmt: skip
    assert force.figures.total.held == 1


def test_it_counts_attending_another_organisations_event_as_engagement(world):
    meeting(world, at=local(2024, 3, 5, 19), meeting_type=MeetingType.PARTNER_EVENT, public_attendees=25)
    figures = analytics.neighbourhood_engagement(
        neighbourhood=world.daneshouse, period=analytics.period_of_full_months()
    )
    assert figures.total.held == 1 and figures.meeting_types == [MeetingType.PARTNER_EVENT]
