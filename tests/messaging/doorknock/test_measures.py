"""A finished round's outcomes in the In the Know measures and the highlight and headline return."""

import datetime

import pytest
import time_machine

from meetings.analytics.selectors import period_of_full_months
from messaging.doorknock import services
from messaging.measures.selectors import measures_area_for, messaging_measures
from messaging.models import DoorOutcome
from reports.models import PeriodKind
from reports.selectors import return_figures
from tests.messaging.doorknock.factories import knock, planned, street

pytestmark = pytest.mark.django_db
KNOCKED = datetime.datetime(2026, 11, 14, 11, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def finished(world):
    door_round = planned(world, streets=[street(world.daneshouse.wards.get(), "Colne Road", 8)])
    with time_machine.travel(KNOCKED, tick=False):
        outcomes = [DoorOutcome.SIGNED_UP] * 2 + [DoorOutcome.DECLINED, DoorOutcome.ISSUE, DoorOutcome.NOT_IN]
        knock(door_round, [*outcomes, DoorOutcome.LEAFLET], actor=world.pcso)
        services.round_finish(door_round=door_round, actor=world.pcso)
    return door_round


def test_the_measures_count_the_rounds_finished_in_the_area(world, finished):
    with time_machine.travel(LATER, tick=False):
        period = period_of_full_months(months=3)
        own = messaging_measures(area=measures_area_for(user=world.sergeant), period=period).door_knocks
        other = messaging_measures(area=measures_area_for(user=world.pcso_other), period=period).door_knocks
    assert (own.rounds, own.doors, own.knocked, own.spoken_to, own.signed_up) == (1, 8, 6, 4, 2)
    assert (own.declined, own.issues, own.not_in, own.leaflets) == (1, 1, 1, 1)
    assert own.sign_up_share == 50 and other.rounds == 0


def test_the_measures_page_shows_the_door_knocks(client, world, finished):
    client.force_login(world.sergeant)
    with time_machine.travel(LATER, tick=False):
        page = client.get("/officer/in-the-know/measures/").content.decode()
    assert 'data-figure="doors-knocked">6 of 8 on the lists' in page


def test_the_return_has_the_door_knock_line(client, world, finished):
    november = {"period_kind": PeriodKind.MONTH, "period_start": datetime.date(2026, 11, 1)}
    with time_machine.travel(LATER, tick=False):
        figures = return_figures(division=world.east, period_end=datetime.date(2026, 11, 30), **november)
    assert figures["door_knocks"] == {
        "door_knock_rounds": 1, "doors_knocked": 6, "door_knock_spoken_to": 4, "door_knock_sign_ups": 2,
    }  # fmt: skip
    headline = {row["key"]: row["value"] for row in figures["headline"]}
    assert (headline["doors_knocked"], headline["people_in_person"], headline["meetings_held"]) == (6, 4, 1)
