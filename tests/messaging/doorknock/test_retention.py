"""A round's doors are deleted with the round after the retention period; its meeting, the
meeting's reach and the return built from them stay as they were."""

import datetime

import pytest
import time_machine

from messaging.doorknock import services
from messaging.models import Address, DoorKnockReach, DoorKnockRound, DoorOutcome, RoundDoor
from pact_portal.retention.services import DOOR_KNOCK_ROUNDS, retention_apply, retention_due
from reports.models import PeriodKind
from reports.selectors import return_figures
from tests.messaging.doorknock.factories import knock, planned, street

pytestmark = pytest.mark.django_db
FINISHED = datetime.datetime(2026, 3, 10, 11, 0, tzinfo=datetime.UTC)
MARCH = {
    "period_kind": PeriodKind.MONTH,
    "period_start": datetime.date(2026, 3, 1),
    "period_end": datetime.date(2026, 3, 31),
}


def _finished_round(world):
    door_round = planned(world, streets=[street(world.daneshouse.wards.get(), "Colne Road", 4)])
    knock(door_round, [DoorOutcome.SIGNED_UP, DoorOutcome.NOT_IN], actor=world.pcso)
    return services.round_finish(door_round=door_round, actor=world.pcso)


def test_it_deletes_rounds_and_their_doors_after_the_period_and_keeps_the_reach(world, settings):
    settings.RETENTION = {**settings.RETENTION, "door_knock_rounds_days": 90}
    with time_machine.travel(FINISHED, tick=False):
        old = _finished_round(world)
        abandoned = planned(world, streets=[street(world.daneshouse.wards.get(), "Elm Street", 2)])
        before = return_figures(division=world.east, **MARCH)
    with time_machine.travel(FINISHED + datetime.timedelta(days=89), tick=False):
        recent = planned(world, streets=[street(world.daneshouse.wards.get(), "Oak Avenue", 2)])
        assert retention_due()[DOOR_KNOCK_ROUNDS] == 0
    with time_machine.travel(FINISHED + datetime.timedelta(days=91), tick=False):
        assert retention_due()[DOOR_KNOCK_ROUNDS] == 2
        assert retention_apply()[DOOR_KNOCK_ROUNDS] == 2
        assert retention_due()[DOOR_KNOCK_ROUNDS] == 0  # a second night finds nothing
        after = return_figures(division=world.east, **MARCH)
    assert list(DoorKnockRound.objects.all()) == [recent]
    assert not RoundDoor.objects.filter(round_id__in=[old.pk, abandoned.pk]).exists()
    assert DoorKnockReach.objects.get(meeting=old.meeting).knocked == 2
    assert Address.objects.count() == 8  # the street list is a gazetteer: it stays
    assert after == before and before["door_knocks"]["doors_knocked"] == 2
