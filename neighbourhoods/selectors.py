import csv
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import ngettext
from shapely import Point
from shapely.geometry import mapping, shape
from shapely.prepared import prep

from accounts.policy import can, scope_for
from accounts.roles import PUBLIC_TEAM_ORDER, ScopeLevel
from meetings.models import Meeting, MeetingStatus
from neighbourhoods.models import Neighbourhood, TeamMembership, Ward
from neighbourhoods.places import Place, places_matching
from priorities.models import Issue, IssueStatus, Priority

# Prepared geometries keyed by (ward pk, updated_at): an edited boundary gets a new key, so a
# stale shape can never answer, and every process builds each shape once.
_PREPARED_CACHE_SIZE = 2048
_prepared: OrderedDict[tuple[int, str], object] = OrderedDict()
_prepared_lock = threading.Lock()


def _prepared_geometries(candidates: list[Ward]) -> dict[int, object]:
    keys = {w.pk: (w.pk, w.updated_at.isoformat()) for w in candidates}
    found, missing = {}, []
    with _prepared_lock:
        for pk, key in keys.items():
            if key in _prepared:
                _prepared.move_to_end(key)
                found[pk] = _prepared[key]
            else:
                missing.append(pk)
    if missing:
        for pk, boundary in Ward.objects.filter(pk__in=missing).values_list("pk", "boundary"):
            geometry = prep(shape(boundary))
            found[pk] = geometry
            with _prepared_lock:
                _prepared[keys[pk]] = geometry
                while len(_prepared) > _PREPARED_CACHE_SIZE:
                    _prepared.popitem(last=False)
    return found


def ward_at_point(*, latitude: float, longitude: float) -> Ward | None:
    """The ward containing a point, or None (at sea, or outside the force).

    The bounding-box index narrows the search to a few wards in one query; the polygon test then
    runs on cached prepared geometries, so this is cheap enough to call on every request.
    """
    return wards_at_points([(latitude, longitude)])[0]


def wards_at_points(points: list[tuple[float, float]]) -> list[Ward | None]:
    """The ward containing each (latitude, longitude) point, or None: one query for them all (and
    one more for the boundaries of wards no prepared geometry is cached for yet)."""
    if not points:
        return []
    candidates = list(
        Ward.objects.containing_bbox_of_any(points)
        .select_related("neighbourhood", "district")
        .defer("boundary")
        .order_by("code")
    )
    geometries = _prepared_geometries(candidates) if candidates else {}
    found = []
    for latitude, longitude in points:
        point = Point(longitude, latitude)
        # covers() rather than contains(): a point exactly on a boundary line still finds a ward.
        found.append(
            next(
                (
                    ward
                    for ward in candidates
                    if ward.min_longitude <= longitude <= ward.max_longitude
                    and ward.min_latitude <= latitude <= ward.max_latitude
                    and geometries[ward.pk].covers(point)
                ),
                None,
            )
        )
    return found


def neighbourhood_at_point(*, latitude: float, longitude: float) -> Neighbourhood | None:
    ward = ward_at_point(latitude=latitude, longitude=longitude)
    return ward.neighbourhood if ward else None


def ward_search(*, query: str, limit: int = 20) -> QuerySet[Ward]:
    """Wards (with a neighbourhood) whose name, district or neighbourhood matches the query."""
    query = query.strip()
    if len(query) < 2:
        return Ward.objects.none()
    return (
        Ward.objects.filter(neighbourhood__isnull=False)
        .filter(Q(name__icontains=query) | Q(district__name__icontains=query) | Q(neighbourhood__name__icontains=query))
        .select_related("neighbourhood", "district")
        .defer("boundary")
        .order_by("name")[:limit]
    )


@dataclass(frozen=True)
class PlaceMatch:
    """A gazetteer place and the ward its point falls in (its neighbourhood is the one to go to)."""

    place: Place
    ward: Ward


def place_search(*, query: str, limit: int = 8) -> list[PlaceMatch]:
    """Towns, villages and parishes (neighbourhoods.places) matching the query, each with the ward
    containing its point, in one query however many match; places outside any neighbourhood are
    left out. Two names for one spot (the same point) show once."""
    places = places_matching(query, limit=limit)
    wards = wards_at_points([(p.latitude, p.longitude) for p in places])
    matches, seen = [], set()
    for place, ward in zip(places, wards, strict=True):
        if ward is None or ward.neighbourhood is None or (place.latitude, place.longitude) in seen:
            continue
        seen.add((place.latitude, place.longitude))
        matches.append(PlaceMatch(place=place, ward=ward))
    return matches


def neighbourhood_public_get(*, code: str) -> Neighbourhood | None:
    return (
        Neighbourhood.objects.select_related("division__force")
        .prefetch_related(Prefetch("wards", queryset=Ward.objects.select_related("district").defer("boundary")))
        .filter(code=code)
        .first()
    )


def neighbourhood_public_team(*, neighbourhood: Neighbourhood) -> list[dict]:
    """The current team grouped by role for the public page: names and roles only.

    Personal numbers are never part of it: publishing officers' mobiles created expectations no
    officer could meet (HMIC), so residents get the team's shared contact details instead.
    """
    memberships = (
        TeamMembership.objects.current()
        .filter(neighbourhood=neighbourhood, user__is_active=True)
        .select_related("user__agency")
        .order_by("user__full_name")
    )
    by_role: dict[str, list] = {}
    for membership in memberships:
        by_role.setdefault(membership.role, []).append(membership.user)
    order = {role: i for i, role in enumerate(PUBLIC_TEAM_ORDER)}
    return [
        {"role": role, "label": _team_role_label(role, len(users)), "members": users}
        for role, users in sorted(by_role.items(), key=lambda item: order.get(item[0], len(order)))
    ]


def _team_role_label(role: str, count: int) -> str:
    # Built per call so the words follow the language of the request that asks.
    labels = {
        "pcso": ngettext("Police community support officer", "Police community support officers", count),
        "constable": ngettext("Community beat manager", "Community beat managers", count),
        "sergeant": ngettext("Neighbourhood sergeant", "Neighbourhood sergeants", count),
        "inspector": ngettext("Inspector", "Inspectors", count),
        "partner": ngettext("Partner contact", "Partner contacts", count),
    }
    return labels.get(role, role.replace("_", " ").capitalize())


def neighbourhood_team_history(*, neighbourhood: Neighbourhood) -> list[TeamMembership]:
    """Every posting to the neighbourhood, newest first: staff continuity at a glance, for staff."""
    return list(
        TeamMembership.objects.filter(neighbourhood=neighbourhood)
        .select_related("user")
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "user__full_name")
    )


def _count(queryset, *, on: str = "neighbourhood") -> Coalesce:
    """A correlated COUNT per neighbourhood: several of these do not multiply each other's rows
    the way several joined Count() annotations do."""
    counted = queryset.filter(**{on: OuterRef("pk")}).order_by().values(on).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _wards_in_area(user) -> QuerySet[Ward]:
    """Wards that belong to a neighbourhood in the user's area (none for a user without an area)."""
    lookup = scope_for(user).neighbourhood_filter(via="neighbourhood__")
    if lookup is None:
        return Ward.objects.none()
    return Ward.objects.filter(neighbourhood__isnull=False, **lookup)


def wards_in_scope(*, user) -> list[Ward]:
    """The wards (of a neighbourhood) in the user's area, with their neighbourhood, division and
    force, in one query: the area an officer's figures are worked out over."""
    return list(
        _wards_in_area(user)
        .select_related("neighbourhood__division__force")
        .only("name", "code", "population", "neighbourhood__name", "neighbourhood__code",
              "neighbourhood__division__name", "neighbourhood__division__force__name")
        .order_by("neighbourhood__division__name", "neighbourhood__name", "name")
    )  # fmt: skip


def area_title(*, level: str, wards: list[Ward]) -> str:
    """How a page names the user's area: the force, the division(s), the neighbourhood, or
    "Your N neighbourhoods"."""
    if not wards:
        return "No area"
    if level == ScopeLevel.FORCE:
        forces = {w.neighbourhood.division.force.name for w in wards}
        return forces.pop() if len(forces) == 1 else "Every force"
    if level == ScopeLevel.DIVISION:
        return ", ".join(sorted({w.neighbourhood.division.name for w in wards}))
    names = sorted({w.neighbourhood.name for w in wards})
    return names[0] if len(names) == 1 else f"Your {len(names)} neighbourhoods"


# The generation (pact_portal.generations) an officer's cached dashboard is checked against, and
# every table the dashboard is built from: the user and their team (area and permissions), the
# force's geography, the counted meetings, issues and priorities, and the alerts awaiting a
# communications officer's approval.
OFFICER_DASHBOARD = "officer-dashboard"
OFFICER_DASHBOARD_MODELS = (
    "accounts.User",
    "neighbourhoods.Force",
    "neighbourhoods.Division",
    "neighbourhoods.Neighbourhood",
    "neighbourhoods.Ward",
    "neighbourhoods.TeamMembership",
    "meetings.Meeting",
    "meetings.Meeting_also_covers",  # a town-wide meeting engages each neighbourhood it covers
    "priorities.Issue",
    "priorities.Priority",
    "messaging.Alert",
)


def neighbourhoods_for_user(*, user) -> QuerySet[Neighbourhood]:
    """Neighbourhoods in the user's area, with ward, team, upcoming-meeting, untriaged-issue and
    open-priority counts for a dashboard."""
    scope_filter = scope_for(user).neighbourhood_filter()
    if scope_filter is None:
        return Neighbourhood.objects.none()
    upcoming = Meeting.objects.filter(ends_at__gte=timezone.now()).exclude(status=MeetingStatus.CANCELLED)
    return (
        Neighbourhood.objects.filter(**scope_filter)
        .select_related("division__force")
        .annotate(
            ward_count=_count(Ward.objects.all()),
            team_count=_count(TeamMembership.objects.current()),
            upcoming_meeting_count=_count(upcoming),
            new_issue_count=_count(Issue.objects.filter(status=IssueStatus.NEW)),
            open_priority_count=_count(Priority.objects.open()),
        )
        .order_by("division__name", "name")
    )


def _feature(ward: Ward, *, tolerance: float) -> dict:
    geometry = shape(ward.boundary)
    if tolerance:
        geometry = geometry.simplify(tolerance, preserve_topology=True)
    neighbourhood = ward.neighbourhood
    return {
        "type": "Feature",
        "geometry": mapping(geometry),
        "properties": {
            "code": ward.code,
            "name": ward.name,
            "district": ward.district.name if ward.district else "",
            "neighbourhood_code": neighbourhood.code if neighbourhood else None,
            "neighbourhood_name": neighbourhood.name if neighbourhood else None,
            "neighbourhood_url": neighbourhood.get_absolute_url() if neighbourhood else None,
        },
    }


def wards_feature_collection(*, wards: QuerySet[Ward], tolerance: float = 0.0) -> dict:
    """GeoJSON for drawing wards on a map; simplification keeps a force-wide map light."""
    wards = wards.select_related("neighbourhood", "district").order_by("code")
    return {"type": "FeatureCollection", "features": [_feature(w, tolerance=tolerance) for w in wards]}


def neighbourhood_wards_feature_collection(*, neighbourhood: Neighbourhood) -> dict:
    return wards_feature_collection(wards=Ward.objects.filter(neighbourhood=neighbourhood))


def user_wards_feature_collection(*, user) -> dict:
    """The wards of every neighbourhood in the user's area, for their dashboard map."""
    neighbourhoods = neighbourhoods_for_user(user=user)
    return wards_feature_collection(wards=Ward.objects.filter(neighbourhood__in=neighbourhoods.values("pk")))


def all_wards_feature_collection() -> dict:
    """The force-wide map layer, cached until any ward changes."""
    stamp = Ward.objects.aggregate(count=Count("pk"), latest=Max("updated_at"), nb=Max("neighbourhood__updated_at"))
    key = "wards-geojson:" + ":".join(
        str(value.timestamp() if hasattr(value, "timestamp") else value) for value in stamp.values()
    )
    collection = cache.get(key)
    if collection is None:
        # ~0.0005° (~40 m) is invisible at the zoom that shows a whole county, and cuts the size by ~4x.
        collection = wards_feature_collection(wards=Ward.objects.all(), tolerance=0.0005)
        cache.set(key, collection, timeout=60 * 60 * 24)
    return collection


def district_names_beside(*, path: Path) -> dict[str, str]:
    """District names from a `districts.csv` next to a ward file, if there is one."""
    names_file = Path(path).parent / "districts.csv"
    if not names_file.exists():
        return {}
    with names_file.open(encoding="utf-8") as handle:
        return {row["code"].strip(): row["name"].strip() for row in csv.DictReader(handle)}


def neighbourhoods_where(*, user, action: str) -> list[Neighbourhood]:
    """The neighbourhoods of the user's area for which the policy allows `action` (one query).
    Lists use it so they hold exactly the rows the policy would allow one by one."""
    scope_filter = scope_for(user).neighbourhood_filter()
    if scope_filter is None:
        return []
    candidates = Neighbourhood.objects.filter(**scope_filter).select_related("division").order_by("name")
    return [n for n in candidates if can(user, action, n)]


def wards_for_user(*, user) -> QuerySet[Ward]:
    """Wards of the neighbourhoods in the user's area, without their boundaries (one query)."""
    return _wards_in_area(user).select_related("neighbourhood", "district").defer("boundary").order_by("name", "code")
