"""Writes for door-knock rounds: loading the street list, planning a round, recording each door,
finishing the round into a door-knock meeting, and planning the next from its "not in" doors."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import can
from meetings.models import MeetingStatus, MeetingType
from meetings.services import OfficerHours, meeting_create, meeting_record_outcome
from messaging.doorknock.imports import line_problem, read_street_list
from messaging.doorknock.selectors import round_tally
from messaging.models import (
    Address,
    DoorKnockReach,
    DoorKnockRound,
    DoorOutcome,
    RoundDoor,
    RoundStatus,
    Street,
)
from neighbourhoods.models import Ward

# More doors than two officers knock in a long afternoon: a round that size is two rounds.
MAX_DOORS = 400
# A round whose outcomes were all recorded within a few minutes still took time on the street.
SHORTEST_ROUND = timedelta(minutes=30)


@dataclass(frozen=True)
class StreetListImported:
    streets_created: int
    addresses_created: int
    addresses_already_listed: int


@transaction.atomic
def street_list_import(*, data: bytes, actor, is_synthetic: bool = False) -> StreetListImported:
    """Add a CSV street and address list (columns: messaging.doorknock.imports) to the wards'
    lists. All or nothing: any bad row raises ValidationError with every problem and its line,
    and nothing is added. Addresses already listed are left as they are. `actor` None is the
    management command, which may load any ward."""
    rows, problems = read_street_list(data)
    wards = {
        w.code: w for w in Ward.objects.filter(code__in={r.ward_code for r in rows}).select_related("neighbourhood")
    }
    for row in rows:
        ward = wards.get(row.ward_code)
        if ward is None:
            problems.append(line_problem(row.line, _("there is no ward %(code)s.") % {"code": row.ward_code}))
        elif actor is not None and not can(actor, "doorknock.import_streets", ward):
            problem = _("%(ward)s (%(code)s) is not one of your wards.") % {"ward": ward.name, "code": ward.code}
            problems.append(line_problem(row.line, problem))
    if problems:
        raise ValidationError([text for _line, text in sorted(problems, key=lambda problem: problem[0])])
    streets = {(s.ward_id, s.name.lower()): s for s in Street.objects.filter(ward__in=wards.values()).order_by()}
    new_streets = {}
    for row in rows:
        key = (wards[row.ward_code].pk, row.street.lower())
        if key not in streets and key not in new_streets:
            new_streets[key] = Street(ward=wards[row.ward_code], name=row.street, is_synthetic=is_synthetic)
    Street.objects.bulk_create(new_streets.values())
    streets |= new_streets
    listed = {
        (a["street_id"], a["number"].lower()) for a in Address.objects.filter(street__in=streets.values()).values()
    }
    last = dict(
        Address.objects.filter(street__in=streets.values())
        .order_by()
        .values("street_id")
        .annotate(last=Max("position"))
        .values_list("street_id", "last")
    )
    new_addresses = []
    for row in rows:
        street = streets[wards[row.ward_code].pk, row.street.lower()]
        if (street.pk, row.number.lower()) in listed:
            continue
        last[street.pk] = last.get(street.pk, 0) + 1
        new_addresses.append(Address(street=street, number=row.number, postcode=row.postcode, position=last[street.pk]))
    Address.objects.bulk_create(new_addresses, batch_size=2000)
    return StreetListImported(
        streets_created=len(new_streets),
        addresses_created=len(new_addresses),
        addresses_already_listed=len(rows) - len(new_addresses),
    )


@transaction.atomic
def round_plan(*, ward: Ward, streets: list[Street], actor) -> DoorKnockRound:
    """A round of every listed door of the chosen streets, street by street in the order given."""
    if not streets:
        raise ValidationError({"streets": _("Choose at least one street.")})
    outside = [s.name for s in streets if s.ward_id != ward.pk]
    if outside:
        message = _("Not in %(ward)s: %(streets)s.") % {"ward": ward.name, "streets": ", ".join(outside)}
        raise ValidationError({"streets": message})
    order = {s.pk: n for n, s in enumerate(streets)}
    addresses = sorted(
        Address.objects.filter(street__in=streets).only("pk", "street_id", "position"),
        key=lambda a: (order[a.street_id], a.position, a.pk),
    )
    if not addresses:
        raise ValidationError({"streets": _("Those streets have no addresses on the list yet.")})
    return _round_create(ward=ward, streets=streets, address_ids=[a.pk for a in addresses], actor=actor)


@transaction.atomic
def round_plan_from_not_in(*, door_round: DoorKnockRound, actor) -> DoorKnockRound:
    """The next round: the doors where nobody was in, in the order they were walked."""
    doors = list(door_round.doors.filter(outcome=DoorOutcome.NOT_IN).select_related("address"))
    if not doors:
        raise ValidationError(_("No door on this round is marked 'not in': there is nobody to go back to."))
    street_ids = list(dict.fromkeys(d.address.street_id for d in doors))
    return _round_create(
        ward=door_round.ward,
        streets=list(Street.objects.filter(pk__in=street_ids)),
        address_ids=[d.address_id for d in doors],
        actor=actor,
        follows=door_round,
    )


def _round_create(*, ward, streets, address_ids: list[int], actor, follows=None) -> DoorKnockRound:
    if len(address_ids) > MAX_DOORS:
        raise ValidationError(
            {
                "streets": _("That is %(doors)s doors; a round has at most %(most)s. Choose fewer streets.")
                % {"doors": len(address_ids), "most": MAX_DOORS}
            }
        )
    door_round = DoorKnockRound(ward=ward, neighbourhood=ward.neighbourhood, created_by=actor, follows=follows)
    door_round.full_clean()
    door_round.save()
    door_round.streets.set(streets)
    RoundDoor.objects.bulk_create(
        [RoundDoor(round=door_round, address_id=pk, position=n) for n, pk in enumerate(address_ids, start=1)]
    )
    return door_round


def round_check_open(*, door_round: DoorKnockRound) -> None:
    if door_round.status != RoundStatus.PLANNED:
        raise ValidationError(_("This round is finished: its doors can no longer change."))


@transaction.atomic
def door_record(*, door: RoundDoor, outcome: str, actor) -> RoundDoor:
    """What happened at a door; recording again replaces it (a second knock found them in)."""
    if outcome not in DoorOutcome.values:
        raise ValidationError({"outcome": _("Choose what happened at the door.")})
    round_check_open(door_round=DoorKnockRound.objects.select_for_update().get(pk=door.round_id))
    door.outcome, door.outcome_at, door.outcome_by = outcome, timezone.now(), actor
    door.full_clean(validate_constraints=False)
    door.save(update_fields=["outcome", "outcome_at", "outcome_by"])
    return door


@transaction.atomic
def round_finish(*, door_round: DoorKnockRound, actor) -> DoorKnockRound:
    """Close the round and record it as a held, published door-knock meeting of its ward, with its
    reach: residents spoken to are the meeting's people reached in person; the officers who
    recorded doors are its officers, for the time between their first and last door."""
    door_round = (
        DoorKnockRound.objects.select_for_update().select_related("ward", "neighbourhood").get(pk=door_round.pk)
    )
    if door_round.status != RoundStatus.PLANNED:
        raise ValidationError(_("This round is already finished."))
    tally = round_tally(door_round=door_round)
    if not tally["knocked"]:
        raise ValidationError(_("No door has an outcome yet: record at least one before finishing."))
    knocked = door_round.doors.exclude(outcome="")
    span = knocked.aggregate(first=Min("outcome_at"), last=Max("outcome_at"))
    starts, ends = span["first"], max(span["last"], span["first"] + SHORTEST_ROUND)
    recorded_by = [pk for pk in knocked.values_list("outcome_by", flat=True).distinct() if pk]
    people = {u.pk: u for u in get_user_model().objects.filter(pk__in=recorded_by or [actor.pk])}
    meeting = _meeting_for(door_round, starts=starts, ends=ends, officers=list(people.values()), actor=actor)
    hours = (Decimal((ends - starts).total_seconds()) / 3600).quantize(Decimal("0.01"), rounding=ROUND_UP)
    meeting_record_outcome(
        meeting=meeting,
        actor=actor,
        officers=[
            OfficerHours(
                officer=u, rank=u.role, preparation_hours=Decimal(0), attending_hours=hours, follow_up_hours=Decimal(0)
            )
            for u in people.values()
        ],
        public_attendees=tally["spoken_to"],
        public_summary=_summary(tally),
    )
    DoorKnockReach.objects.create(
        meeting=meeting,
        doors=tally["doors"],
        knocked=tally["knocked"],
        spoken_to=tally["spoken_to"],
        signed_up=tally[DoorOutcome.SIGNED_UP],
        declined=tally[DoorOutcome.DECLINED],
        leaflets=tally[DoorOutcome.LEAFLET],
        issues=tally[DoorOutcome.ISSUE],
        not_in=tally[DoorOutcome.NOT_IN],
    )
    door_round.status, door_round.finished_at, door_round.meeting = RoundStatus.FINISHED, timezone.now(), meeting
    door_round.full_clean()
    door_round.save(update_fields=["status", "finished_at", "meeting"])
    return door_round


def _meeting_for(door_round: DoorKnockRound, *, starts, ends, officers: list, actor):
    # Published, as every meeting the returns count is; its public words name the ward, never a door.
    ward = door_round.ward
    return meeting_create(
        actor=actor,
        neighbourhood=door_round.neighbourhood,
        wards=[ward],
        officers=officers,
        meeting_type=MeetingType.DOOR_KNOCK,
        title=f"Door knocks in {ward.name}",
        venue_name=f"Door to door in {ward.name}",
        starts_at=starts,
        ends_at=ends,
        status=MeetingStatus.PUBLISHED,
        lead_officer=actor,
    )


def _summary(tally: dict) -> str:
    return (
        f"Officers knocked on {tally['knocked']} doors and spoke to {tally['spoken_to']} residents; "
        f"{tally[DoorOutcome.SIGNED_UP]} signed up to In the Know."
    )
