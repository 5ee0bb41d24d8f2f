import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from meetings.analytics.selectors import held_meetings
from meetings.models import MeetingType
from messaging.doorknock import selectors, services
from messaging.models import DoorKnockReach, DoorOutcome, RoundStatus
from tests.messaging.doorknock.factories import knock, planned, signed_up_earlier, street

pytestmark = pytest.mark.django_db
NOON = datetime.datetime(2026, 11, 14, 12, 0, tzinfo=datetime.UTC)


def test_it_puts_streets_where_members_are_least_like_the_population_first(world):
    ward = world.daneshouse.wards.get()
    colne, elm = street(ward, "Colne Road", 10), street(ward, "Elm Street", 10)
    street(ward, "Oak Avenue", 10)
    # Ten members placed by earlier rounds, all on Colne Road and Elm Street: Oak Avenue has none.
    signed_up_earlier(world, ward, colne, count=7, actor=world.pcso)
    signed_up_earlier(world, ward, elm, count=3, actor=world.pcso)
    rows = selectors.streets_by_priority(ward=ward)
    assert [(r.street.name, r.index) for r in rows] == [("Oak Avenue", 0), ("Elm Street", 90), ("Colne Road", 210)]


def test_it_orders_by_unanswered_doors_while_too_few_members_are_placed(world):
    ward = world.daneshouse.wards.get()
    colne = street(ward, "Colne Road", 4)
    street(ward, "Ash Close", 2), street(ward, "Birch Way", 6)
    signed_up_earlier(world, ward, colne, count=2, actor=world.pcso)
    rows = selectors.streets_by_priority(ward=ward)
    assert [(r.street.name, r.index) for r in rows] == [("Birch Way", None), ("Ash Close", None), ("Colne Road", None)]


def test_it_plans_a_round_of_every_door_of_the_chosen_streets_in_order(world):
    ward = world.daneshouse.wards.get()
    elm, colne = street(ward, "Elm Street", 2), street(ward, "Colne Road", 3)
    door_round = services.round_plan(ward=ward, streets=[elm, colne], actor=world.pcso)
    doors = selectors.round_doors(door_round=door_round)
    assert [str(d.address) for d in doors] == [
        "1 Elm Street",
        "2 Elm Street",
        "1 Colne Road",
        "2 Colne Road",
        "3 Colne Road",
    ]
    assert door_round.neighbourhood == world.daneshouse and door_round.status == RoundStatus.PLANNED


def test_it_refuses_a_street_of_another_ward_and_an_empty_choice(world):
    ward, other = world.daneshouse.wards.get(), world.queensgate.wards.get()
    with pytest.raises(ValidationError, match="Not in Daneshouse"):
        services.round_plan(ward=ward, streets=[street(other, "Queen Street")], actor=world.pcso)
    with pytest.raises(ValidationError, match="at least one street"):
        services.round_plan(ward=ward, streets=[], actor=world.pcso)


@pytest.mark.parametrize("outcome", DoorOutcome.values)
def test_it_records_each_door_outcome(world, outcome):
    door_round = planned(world)
    [door] = knock(door_round, [outcome], actor=world.pcso)
    door.refresh_from_db()
    assert (door.outcome, door.outcome_by) == (outcome, world.pcso) and door.outcome_at is not None
    tally = selectors.round_tally(door_round=door_round)
    assert tally[outcome] == 1 and tally["knocked"] == 1
    assert tally["spoken_to"] == (1 if outcome in ("signed_up", "declined", "issue") else 0)


def test_it_refuses_an_unknown_outcome(world):
    door = planned(world).doors.first()
    with pytest.raises(ValidationError):
        services.door_record(door=door, outcome="shouted", actor=world.pcso)


def test_it_plans_the_next_round_from_the_doors_nobody_answered(world):
    door_round = planned(world)
    ward = world.daneshouse.wards.get()
    knock(door_round, [DoorOutcome.NOT_IN, DoorOutcome.SIGNED_UP, DoorOutcome.NOT_IN], actor=world.pcso)
    following = services.round_plan_from_not_in(door_round=door_round, actor=world.sergeant)
    assert [str(d.address) for d in selectors.round_doors(door_round=following)] == ["1 Colne Road", "3 Colne Road"]
    assert following.follows == door_round and following.ward == ward and following.created_by == world.sergeant


def test_it_will_not_plan_a_next_round_with_nobody_to_go_back_to(world):
    door_round = planned(world)
    knock(door_round, [DoorOutcome.DECLINED], actor=world.pcso)
    with pytest.raises(ValidationError, match="not in"):
        services.round_plan_from_not_in(door_round=door_round, actor=world.pcso)


def test_finishing_records_a_held_door_knock_meeting_with_its_reach(world):
    door_round = planned(world, streets=[street(world.daneshouse.wards.get(), "Colne Road", 6)])
    with time_machine.travel(NOON, tick=False):
        knock(door_round, [DoorOutcome.SIGNED_UP, DoorOutcome.NOT_IN, DoorOutcome.DECLINED], actor=world.pcso)
    with time_machine.travel(NOON + datetime.timedelta(minutes=50), tick=False):
        knock(
            door_round,
            [DoorOutcome.LEAFLET, DoorOutcome.ISSUE, DoorOutcome.DECLINED],
            actor=world.sergeant,
        )
        services.round_finish(door_round=door_round, actor=world.pcso)
    door_round.refresh_from_db()
    meeting = door_round.meeting
    assert door_round.status == RoundStatus.FINISHED and meeting.meeting_type == MeetingType.DOOR_KNOCK
    assert (meeting.starts_at, meeting.ends_at) == (NOON, NOON + datetime.timedelta(minutes=50))
    assert meeting.public_attendees == 4 and held_meetings().filter(pk=meeting.pk).exists()
    assert {a.officer for a in meeting.officer_attendance.all()} == {world.pcso, world.sergeant}
    reach = DoorKnockReach.objects.get(meeting=meeting)
    counts = (reach.doors, reach.knocked, reach.spoken_to, reach.signed_up, reach.not_in, reach.leaflets, reach.issues)
    assert counts == (6, 6, 4, 1, 1, 1, 1)


def test_a_finished_round_takes_no_more_outcomes_and_is_not_finished_twice(world):
    door_round = planned(world)
    knock(door_round, [DoorOutcome.NOT_IN], actor=world.pcso)
    services.round_finish(door_round=door_round, actor=world.pcso)
    with pytest.raises(ValidationError, match="finished"):
        services.door_record(door=door_round.doors.last(), outcome=DoorOutcome.DECLINED, actor=world.pcso)
    with pytest.raises(ValidationError, match="already finished"):
        services.round_finish(door_round=door_round, actor=world.pcso)


def test_a_round_with_no_door_knocked_cannot_be_finished(world):
    with pytest.raises(ValidationError, match="No door has an outcome"):
        services.round_finish(door_round=planned(world), actor=world.pcso)
