"""Neighbourhoods with no engagement recorded in a month: flagged on the inspector's and chief
inspector's dashboards (HMIC: every neighbourhood engages every month)."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.analytics import selectors as analytics
from neighbourhoods.selectors import OFFICER_DASHBOARD
from pact_portal import generations
from tests.factories import NeighbourhoodFactory, WardFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 15, 12, tzinfo=LONDON)
OCTOBER = date(2026, 10, 1)
HOME = reverse("neighbourhoods:officer-home")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def held(world, *, neighbourhood, day, also_covers=(), publish=True, meeting_type="public_pact"):
    start = datetime(day.year, day.month, day.day, 19, tzinfo=LONDON)
    wards = [w for n in (neighbourhood, *also_covers) for w in n.wards.all()]
    meeting = services.meeting_create(
        actor=world.inspector, neighbourhood=neighbourhood, wards=wards, also_covers=also_covers,
        meeting_type=meeting_type, title="PACT", starts_at=start, ends_at=start + timedelta(hours=1),
        venue_name="Hall", online_url="https://meet.example.org/pact" if meeting_type == "online" else "",
    )  # fmt: skip
    if publish:
        services.meeting_publish(meeting=meeting, actor=world.inspector)
    services.meeting_record_outcome(meeting=meeting, actor=world.inspector, officers=[], public_attendees=9)
    return meeting


def test_it_finds_last_month_as_the_whole_month_before_this_one():
    assert analytics.last_full_month() == OCTOBER
    assert analytics.last_full_month(today=date(2027, 1, 3)) == date(2026, 12, 1)


def test_it_counts_hosting_or_being_covered_as_engagement_and_nothing_else(world):
    quiet = NeighbourhoodFactory(division=world.east, code="quiet", name="Quiet")
    WardFactory(neighbourhood=quiet)
    held(world, neighbourhood=world.daneshouse, day=date(2026, 10, 6), also_covers=[world.queensgate],
         meeting_type="online")  # fmt: skip
    held(world, neighbourhood=quiet, day=date(2026, 9, 30))  # the month before
    held(world, neighbourhood=quiet, day=date(2026, 10, 20), publish=False)  # a draft is not engagement
    areas = [world.daneshouse, world.queensgate, quiet]
    assert analytics.neighbourhoods_without_engagement(neighbourhoods=areas, month=OCTOBER) == [quiet]


@pytest.mark.parametrize("person", ["inspector", "chief_inspector"])
def test_it_flags_neighbourhoods_without_engagement_on_the_inspectors_dashboards(client, world, person):
    held(world, neighbourhood=world.daneshouse, day=date(2026, 10, 6))
    client.force_login(getattr(world, person))
    page = client.get(HOME).content.decode()
    assert "No engagement recorded in October 2026" in page and 'data-count="engagement-gaps">1<' in page
    assert re.search(r'<span class="badge text-bg-warning">Queensgate</span>', page)
    assert '<span class="badge text-bg-warning">Daneshouse</span>' not in page


@pytest.mark.parametrize("person", ["pcso", "sergeant", "hq", "comms", "partner"])
def test_it_shows_no_engagement_flags_to_others(client, world, person):
    client.force_login(getattr(world, person))
    assert "No engagement recorded" not in client.get(HOME).content.decode()


def test_it_flags_them_in_constant_queries_from_watched_tables(client, world, django_assert_max_num_queries):
    for i in range(15):
        WardFactory(neighbourhood=NeighbourhoodFactory(division=world.east, code=f"extra-{i}"))
    client.force_login(world.chief_inspector)
    # session, user, neighbourhoods with counts, neighbourhoods engaged last month (+ savepoints)
    with django_assert_max_num_queries(6), CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert len(response.context["engagement_gaps"]) == 17
    read = {table for q in queries.captured_queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
    assert read - {"django_session"} <= generations.watched_tables(OFFICER_DASHBOARD)
