"""Reads for door-knock rounds: where a team may plan, the streets of a ward in priority order,
the team's rounds, one round's doors and its tally.

Street priority reuses the representation index (surveys.representation.selectors): a street's
share of the ward's members ÷ its share of the ward's addresses × 100, lowest first, so the
streets where members are least like the population, street by street, come first. The portal
keeps no member's address, so a member is placed on a street only when they signed up at one of
its doors on an earlier round; while fewer than MIN_BASE have, the index is withheld and streets
come in the order of the share of their doors nobody has yet answered, then the largest first.
The ward's own most under-represented groups are shown beside the list, from the same figures.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from accounts.policy import can, scope_for
from messaging.models import SPOKEN_TO, Address, DoorKnockRound, DoorOutcome, RoundDoor, Street
from neighbourhoods.models import Ward
from surveys.representation.selectors import (
    GroupFigures,
    RepresentationArea,
    representation_figures,
    representation_index,
)


def wards_for_planning(*, user) -> list[Ward]:
    """The wards of the user's team neighbourhoods (one query; none for anyone else)."""
    if not can(user, "doorknock.plan"):
        return []
    scope = scope_for(user)
    return list(
        Ward.objects.filter(neighbourhood_id__in=scope.neighbourhood_ids)
        .select_related("neighbourhood")
        .order_by("name", "pk")
    )


def wards_for_import(*, user) -> list[Ward]:
    """The wards whose street list the user may load (one query)."""
    lookup = scope_for(user).neighbourhood_filter(via="neighbourhood__")
    if lookup is None or not can(user, "doorknock.import_streets"):
        return []
    return list(Ward.objects.filter(**lookup).select_related("neighbourhood").order_by("name", "pk"))


@dataclass
class StreetPriority:
    street: Street
    addresses: int
    members: int  # signed up at its doors on earlier rounds
    answered: int  # doors where someone came to the door
    index: int | None = None

    @property
    def unanswered_share(self) -> float:
        return 1 - self.answered / self.addresses if self.addresses else 0.0


def streets_by_priority(*, ward: Ward) -> list[StreetPriority]:
    """The ward's streets, where members are least like the population first (two queries)."""
    streets = Street.objects.filter(ward=ward).annotate(n=Count("addresses")).order_by("name")
    reached = (
        RoundDoor.objects.filter(address__street__ward=ward, outcome__in=SPOKEN_TO)
        .order_by()
        .values("address__street_id")
        .annotate(
            members=Count("address_id", distinct=True, filter=Q(outcome=DoorOutcome.SIGNED_UP)),
            answered=Count("address_id", distinct=True),
        )
    )
    by_street = {row["address__street_id"]: row for row in reached}
    rows = [
        StreetPriority(
            street=s,
            addresses=s.n,
            members=by_street.get(s.pk, {}).get("members", 0),
            answered=by_street.get(s.pk, {}).get("answered", 0),
        )
        for s in streets
        if s.n
    ]
    base, total = sum(r.members for r in rows), sum(r.addresses for r in rows)
    for row in rows:
        row.index = representation_index(count=row.members, base=base, population=row.addresses, population_total=total)
    rows.sort(key=lambda r: (r.index or 0, -r.unanswered_share, -r.addresses, r.street.name))
    return rows


def ward_gaps(*, ward: Ward) -> list[GroupFigures]:
    """The ward's most under-represented groups of residents among its members (three queries)."""
    area = RepresentationArea(
        title=ward.name, level="ward", wards=[ward], scope_wards=[ward], neighbourhood=ward.neighbourhood, ward=ward
    )
    return representation_figures(area=area).under_represented


def rounds_for_user(*, user) -> list[DoorKnockRound]:
    """The rounds of the user's team neighbourhoods, newest first, with their door counts (one
    query after the user's area)."""
    if not can(user, "doorknock.plan"):
        return []
    return list(
        DoorKnockRound.objects.filter(neighbourhood_id__in=scope_for(user).neighbourhood_ids)
        .select_related("ward", "neighbourhood", "created_by")
        .annotate(
            door_count=Count("doors"),
            knocked=Count("doors", filter=~Q(doors__outcome="")),
            not_in=Count("doors", filter=Q(doors__outcome=DoorOutcome.NOT_IN)),
        )
        .order_by("-created_at", "-pk")[:200]
    )


def round_get_for_user(*, user, pk: int) -> DoorKnockRound:
    """404 both when it does not exist and when it is another team's: its ids leak nothing."""
    door_round = DoorKnockRound.objects.select_related("ward", "neighbourhood", "created_by").filter(pk=pk).first()
    if door_round is None or not can(user, "doorknock.work", door_round):
        raise Http404("No such door-knock round of yours.")
    return door_round


def door_get_for_round(*, door_round: DoorKnockRound, pk: int) -> RoundDoor:
    door = RoundDoor.objects.select_related("address__street").filter(round=door_round, pk=pk).first()
    if door is None:
        raise Http404("No such door on this round.")
    return door


def door_for_sign_up(*, user, pk: str) -> RoundDoor | None:
    """The door a doorstep sign-up was opened from, when it is on an open round of the user's team;
    None otherwise (the sign-up then goes ahead on its own, as without a round)."""
    if not pk.isdigit():
        return None
    door = RoundDoor.objects.select_related("round__neighbourhood", "address__street").filter(pk=int(pk)).first()
    if door is None or door.round.status != "planned" or not can(user, "doorknock.work", door.round):
        return None
    return door


def round_doors(*, door_round: DoorKnockRound) -> list[RoundDoor]:
    """The round's doors in walking order, with their addresses and streets (one query)."""
    return list(door_round.doors.select_related("address__street").order_by("position", "pk"))


def round_tally(*, door_round: DoorKnockRound) -> dict[str, int]:
    """Doors, knocked, spoken to and each outcome, in one query."""
    return door_round.doors.aggregate(
        doors=Count("pk"),
        knocked=Count("pk", filter=~Q(outcome="")),
        spoken_to=Count("pk", filter=Q(outcome__in=SPOKEN_TO)),
        **{outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in DoorOutcome.values},
    )


def address_count(*, ward: Ward) -> int:
    return Address.objects.filter(street__ward=ward).count()
