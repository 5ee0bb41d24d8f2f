"""Reads for the police.uk-compatible API: public data only, each in a fixed number of queries.

Everything here is what a resident could already read on the public pages, and comes through the
same rules: published meetings only, the public priority selector, the public team. Restricted
fields are deferred so they are never even loaded.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import unary_union

from accounts.roles import PUBLIC_RANK
from meetings.models import Meeting, MeetingStatus
from neighbourhoods.models import Force, Neighbourhood, SeniorOfficer, Ward
from neighbourhoods.selectors import neighbourhood_public_team, ward_at_point
from priorities.models import PriorityEvent
from priorities.selectors.public import public_priorities_for_neighbourhood

# A year of monthly meetings and the street meetings between them fits comfortably; the cap only
# stops a runaway series from making one response unbounded.
EVENTS_LIMIT = 200


def force_list() -> QuerySet[Force]:
    return Force.objects.only("slug", "name").order_by("name")


def force_public_get(*, slug: str) -> Force | None:
    return Force.objects.prefetch_related("engagement_methods").filter(slug=slug).first()


def force_senior_officers(*, slug: str) -> list[SeniorOfficer] | None:
    """The force's published chief officers; None when there is no such force."""
    force = Force.objects.prefetch_related("senior_officers").filter(slug=slug).first()
    return None if force is None else list(force.senior_officers.all())


def neighbourhoods_in_force(*, slug: str) -> list[Neighbourhood] | None:
    """Every neighbourhood of the force, by name; None when there is no such force."""
    force = (
        Force.objects.prefetch_related(
            Prefetch(
                "divisions__neighbourhoods",
                queryset=Neighbourhood.objects.only("pk", "code", "name", "division_id"),
            )
        )
        .filter(slug=slug)
        .first()
    )
    if force is None:
        return None
    neighbourhoods = [n for division in force.divisions.all() for n in division.neighbourhoods.all()]
    return sorted(neighbourhoods, key=lambda n: (n.name, n.code))


def neighbourhood_in_force_get(*, force_slug: str, code: str) -> Neighbourhood | None:
    """A neighbourhood addressed as police.uk does, by force and neighbourhood id. A neighbourhood
    of another force is as unknown as one that does not exist."""
    return (
        Neighbourhood.objects.select_related("division__force")
        .filter(code=code, division__force__slug=force_slug)
        .first()
    )


def neighbourhood_profile_get(*, force_slug: str, code: str) -> Neighbourhood | None:
    """The neighbourhood with its places, links and wards (for the centre and population when
    the profile does not give them)."""
    wards = Ward.objects.only("pk", "neighbourhood_id", "population", "centroid_latitude", "centroid_longitude")
    return (
        Neighbourhood.objects.select_related("division__force")
        .prefetch_related("locations", "links", Prefetch("wards", queryset=wards.order_by("code")))
        .filter(code=code, division__force__slug=force_slug)
        .first()
    )


def neighbourhood_boundary(*, neighbourhood: Neighbourhood) -> list[tuple[float, float]]:
    """The outline of the neighbourhood's wards merged, as (latitude, longitude) points.

    police.uk gives one ring per neighbourhood. Where the wards do not join up (an island, or a
    neighbourhood split by another's ward) the union is a MultiPolygon; we return the outer ring of
    its largest part, which is the part any map centres on. Holes are dropped for the same reason.
    The closing point (a repeat of the first) is left off: police.uk's custom-area `poly` parameter
    joins the last point to the first itself.
    """
    boundaries = list(
        Ward.objects.filter(neighbourhood=neighbourhood).order_by("code").values_list("boundary", flat=True)
    )
    if not boundaries:
        return []
    merged = unary_union([make_valid(shape(b)) for b in boundaries])
    polygons = [g for g in getattr(merged, "geoms", [merged]) if isinstance(g, Polygon | MultiPolygon)]
    parts = [p for g in polygons for p in getattr(g, "geoms", [g])]
    if not parts:
        return []
    largest = max(parts, key=lambda p: p.area)
    ring = list(largest.exterior.coords)[:-1]
    return [(latitude, longitude) for longitude, latitude, *_ in ring]


def neighbourhood_officers(*, neighbourhood: Neighbourhood) -> list[tuple[str, object]]:
    """The current police members of the public team as (public rank, user), in the public page's
    order. Partner contacts are on the page but are not police officers, which is all police.uk's
    people list holds."""
    return [
        (PUBLIC_RANK[group["role"]], user)
        for group in neighbourhood_public_team(neighbourhood=neighbourhood)
        if group["role"] in PUBLIC_RANK
        for user in group["members"]
    ]


def neighbourhood_events(*, neighbourhood: Neighbourhood, now: datetime | None = None) -> list[Meeting]:
    """Published meetings still to come. Cancelled ones are left out: police.uk has no way to mark
    an event cancelled, so listing it would send people to nothing."""
    return list(
        Meeting.objects.published()
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(neighbourhood=neighbourhood)
        .upcoming(now=now or timezone.now())
        .defer("restricted_notes")[:EVENTS_LIMIT]
    )


@dataclass(frozen=True)
class PublicPriority:
    issue: str
    issue_date: datetime
    action: str | None
    action_date: datetime | None


def neighbourhood_priorities(*, neighbourhood: Neighbourhood) -> list[PublicPriority]:
    """The neighbourhood's agreed priorities, current and finished, newest agreement first, each
    with its latest public step. Priorities that were not taken on are not priorities, so they
    are left out; proposals never reach the public selector at all."""
    published = public_priorities_for_neighbourhood(neighbourhood=neighbourhood)
    priorities = published.current + published.done
    agreed_at = dict(
        PriorityEvent.objects.filter(priority__in=[p.pk for p in priorities], verb="agree")
        .values("priority_id")
        .annotate(at=Max("at"))
        .values_list("priority_id", "at")
    )
    rows = []
    for priority in priorities:
        issue_date = agreed_at.get(priority.pk) or priority.created_at
        action, action_date = _latest_public_step(priority)
        rows.append(PublicPriority(priority.public_problem, issue_date, action, action_date))
    return sorted(rows, key=lambda row: row.issue_date, reverse=True)


def _latest_public_step(priority) -> tuple[str | None, datetime | None]:
    """What was last done, in public words: the newest public update to a public action, else the
    newest public action itself, else nothing."""
    if priority.latest_updates:
        update = priority.latest_updates[0]["update"]
        return update.text, update.created_at
    if priority.public_actions:
        action = max(priority.public_actions, key=lambda a: (a.created_at, a.pk))
        return action.description, action.created_at
    return None, None


def neighbourhood_at(*, latitude: float, longitude: float) -> Neighbourhood | None:
    """The neighbourhood whose wards contain the point, with its force; None outside every ward."""
    ward = ward_at_point(latitude=latitude, longitude=longitude)
    if ward is None or ward.neighbourhood_id is None:
        return None
    return (
        Neighbourhood.objects.select_related("division__force")
        .only("code", "division__force__slug")
        .get(pk=ward.neighbourhood_id)
    )
