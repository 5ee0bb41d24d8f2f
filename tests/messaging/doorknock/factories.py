"""Street lists and rounds for the door-knock tests."""

from django.utils import timezone

from messaging.doorknock import services
from messaging.models import Address, DoorOutcome, RoundDoor, Street


def street(ward, name: str, numbers: int = 3, *, postcode: str = "BB10 1AA") -> Street:
    made = Street.objects.create(ward=ward, name=name)
    Address.objects.bulk_create(
        [Address(street=made, number=str(n), postcode=postcode, position=n) for n in range(1, numbers + 1)]
    )
    return made


def planned(world, *, streets=None, actor=None):
    ward = world.daneshouse.wards.get()
    streets = streets or [street(ward, "Colne Road")]
    return services.round_plan(ward=ward, streets=streets, actor=actor or world.pcso)


def knock(door_round, outcomes: list[str], *, actor) -> list[RoundDoor]:
    """The next doors not knocked yet, in walking order, each with its outcome."""
    doors = list(door_round.doors.filter(outcome="").order_by("position")[: len(outcomes)])
    for door, outcome in zip(doors, outcomes, strict=True):
        services.door_record(door=door, outcome=outcome, actor=actor)
    return doors


def signed_up_earlier(world, ward, street_, *, count: int, actor):
    """`count` doors of `street_` where someone signed up on an earlier, finished round."""
    door_round = services.round_plan(ward=ward, streets=[street_], actor=actor)
    knock(door_round, [DoorOutcome.SIGNED_UP] * count, actor=actor)
    door_round.status, door_round.finished_at = "finished", timezone.now()
    door_round.save(update_fields=["status", "finished_at"])
    return door_round
