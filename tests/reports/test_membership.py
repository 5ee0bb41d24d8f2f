"""Each closed month's membership per ward, recorded so a return need not count every member the
ward has ever had: the recorded figures match the live ones, a month stays as it closed, and
only closed months are recorded."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from messaging.models import ChannelStatus, SubscriberChannel
from pact_portal.beat import BEAT_SCHEDULE
from reports.models import WardMonthMembership
from reports.selectors import return_figures
from reports.services import MEMBERSHIP_MONTHS_KEPT, membership_months_record, membership_record_closed_months
from reports.tasks import membership_record_closed_months_task
from tests.factories import NeighbourhoodFactory, WardFactory
from tests.reports import factories as f

# _now: the figures' tests' frozen clock (3 November 2026), autouse here too.
from tests.reports.test_figures import OCTOBER, Q3, QUERIES, RECORDED_QUERIES, _now, _queries  # noqa: F401
from tests.reports.test_figures import headline as headline_of

pytestmark = pytest.mark.django_db
TODAY = f.NOVEMBER_3RD.date()


@pytest.fixture
def month(world):
    made = f.division_month(world)
    ward = world.daneshouse.wards.get()
    f.population(ward, **{"16-24": 300, "50-64": 700})
    for _ in range(3):
        f.member(world, consent_at=f.at(date(2026, 5, 1)), confirmed_at=f.at(date(2026, 5, 1)), age_band="50-64")
    return made


@pytest.mark.parametrize("period", [OCTOBER, Q3], ids=["month", "quarter"])
def test_recorded_months_give_the_figures_counted_live_in_fewer_queries(world, month, period):
    live = return_figures(division=world.east, **period)
    assert _queries(divisions=[world.east], **period) == QUERIES
    membership_record_closed_months(today=TODAY)
    assert return_figures(division=world.east, **period) == live
    assert _queries(divisions=[world.east], **period) == RECORDED_QUERIES
    members = headline_of(live)["members_total"]
    assert members[0] > 0 and live["representation"]["wards_with_population"] == 1


def test_it_records_every_ward_for_the_last_two_years_once(world, month):
    wards = world.force.divisions.values_list("neighbourhoods__wards", flat=True).count()
    assert membership_record_closed_months(today=TODAY) == wards * MEMBERSHIP_MONTHS_KEPT
    assert membership_record_closed_months(today=TODAY) == 0
    months = set(WardMonthMembership.objects.values_list("month", flat=True))
    assert (min(months), max(months)) == (date(2024, 10, 1), date(2026, 10, 1))


def test_a_recorded_month_stays_as_it_closed_until_recounted(world, month):
    membership_record_closed_months(today=TODAY)
    before = headline_of(return_figures(division=world.east, **OCTOBER))["members_total"]
    # Found undeliverable with no date: counted live, the member was never reachable.
    SubscriberChannel.objects.filter(status=ChannelStatus.ACTIVE).update(status=ChannelStatus.UNDELIVERABLE)
    assert headline_of(return_figures(division=world.east, **OCTOBER))["members_total"] == before
    membership_months_record(months=[date(2026, 10, 1)], replace=True)
    assert headline_of(return_figures(division=world.east, **OCTOBER))["members_total"][0] == 0


def test_a_new_ward_is_recorded_into_months_already_recorded(world, month):
    membership_record_closed_months(today=TODAY)
    ward = WardFactory(neighbourhood=NeighbourhoodFactory(division=world.east, name="New"))
    assert _queries(divisions=[world.east], **OCTOBER) == QUERIES  # its months are missing: counted live
    assert membership_record_closed_months(today=TODAY) == MEMBERSHIP_MONTHS_KEPT
    assert WardMonthMembership.objects.filter(ward=ward).count() == MEMBERSHIP_MONTHS_KEPT
    assert _queries(divisions=[world.east], **OCTOBER) == RECORDED_QUERIES


@pytest.mark.parametrize("month_asked", [date(2026, 11, 1), date(2026, 12, 1), date(2026, 10, 2)])
def test_it_records_only_closed_months_by_their_first_day(world, month, month_asked):
    with pytest.raises(ValidationError, match="Only closed months"):
        membership_months_record(months=[date(2026, 9, 1), month_asked])
    assert not WardMonthMembership.objects.exists()


def test_the_daily_beat_job_records_the_month_just_ended(world, month):
    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == membership_record_closed_months_task.name)
    assert entry["schedule"].day_of_month == set(range(1, 32))
    assert membership_record_closed_months_task.delay().get() > 0
    assert WardMonthMembership.objects.filter(month=date(2026, 10, 1)).exists()
    assert membership_record_closed_months_task.delay().get() == 0


def test_the_command_records_and_recounts(world, month):
    out = io.StringIO()
    call_command("record_membership_months", months=2, stdout=out)
    assert set(WardMonthMembership.objects.values_list("month", flat=True)) == {date(2026, 9, 1), date(2026, 10, 1)}
    assert "Recorded" in out.getvalue()
    call_command("record_membership_months", months=1, replace=True, stdout=out)
    with pytest.raises(CommandError, match="at least 1"):
        call_command("record_membership_months", months=0)
    with pytest.raises(CommandError, match="at most 240"):
        call_command("record_membership_months", months=100_000)
