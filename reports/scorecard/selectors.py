"""Reads for the scorecard's own figures: the areas a user may enter them for, the rows they may
see, the appeals waiting for an outcome, and the areas a scorecard can be about."""

from django.db.models import Q, QuerySet

from accounts.policy import SCORECARD_WRITERS, scope_for
from messaging.alerts.selectors import alerts_for_user
from messaging.models import Alert, AlertKind, AlertStatus
from neighbourhoods.models import Division, Force, Neighbourhood
from reports.models import Campaign, FeedbackMonth, ReachMonth, VolunteerCount, WatchSchemeCount

RECENT_ROWS = 50
MODELS = {
    "reach": ReachMonth,
    "feedback": FeedbackMonth,
    "volunteers": VolunteerCount,
    "watch": WatchSchemeCount,
    "campaigns": Campaign,
}
# Kinds whose rows may be for a whole division where the source names no neighbourhood.
DIVISION_WIDE = (FeedbackMonth, Campaign)


def _neighbourhood_scope(user) -> Q | None:
    scope_filter = scope_for(user).neighbourhood_filter()
    return None if scope_filter is None else Q(**scope_filter)


def entry_neighbourhoods(*, user) -> QuerySet[Neighbourhood]:
    """The neighbourhoods the user may enter figures for (as `scorecard.enter_figures` decides)."""
    scope = _neighbourhood_scope(user)
    if scope is None or user.role not in SCORECARD_WRITERS:
        return Neighbourhood.objects.none()
    return Neighbourhood.objects.filter(scope).order_by("name")


def entry_divisions(*, user) -> QuerySet[Division]:
    """Divisions the user may enter division-wide rows for: only whoever covers a whole division."""
    scope = scope_for(user)
    if user.role not in SCORECARD_WRITERS or scope.level == "neighbourhood":
        return Division.objects.none()
    if scope.level == "division":
        return Division.objects.filter(pk__in=scope.division_ids).order_by("name")
    forces = {} if scope.force_ids is None else {"force_id__in": scope.force_ids}
    return Division.objects.filter(**forces).order_by("name")


def _area_q(user, *, with_divisions: bool) -> Q | None:
    """Rows in the user's area; division-wide rows only for someone who covers the division."""
    scope = scope_for(user)
    if scope.level == "neighbourhood":
        return Q(neighbourhood_id__in=scope.neighbourhood_ids)
    if scope.level == "division":
        area = Q(neighbourhood__division_id__in=scope.division_ids)
        return area | Q(division_id__in=scope.division_ids) if with_divisions else area
    if scope.level == "force":
        if scope.force_ids is None:
            return Q()
        area = Q(neighbourhood__division__force_id__in=scope.force_ids)
        return area | Q(division__force_id__in=scope.force_ids) if with_divisions else area
    return None


def figure_rows(*, kind: str, user) -> list:
    """The newest rows of `kind` in the user's area (one query)."""
    model = MODELS[kind]
    area = _area_q(user, with_divisions=model in DIVISION_WIDE)
    if area is None:
        return []
    related = ["neighbourhood", "entered_by"] + (["division"] if model in DIVISION_WIDE else [])
    return list(model.objects.filter(area).select_related(*related)[:RECENT_ROWS])


def appeals_for_user(*, user) -> list[Alert]:
    """Appeals released in the user's area, newest first, with their outcomes (a fixed number of queries)."""
    return list(
        alerts_for_user(user=user)
        .filter(kind=AlertKind.APPEAL, status__in=[AlertStatus.SENDING, AlertStatus.SENT])
        .select_related("appeal_outcome")[:RECENT_ROWS]
    )


def neighbourhood_for_scorecard(*, code: str) -> Neighbourhood | None:
    return Neighbourhood.objects.select_related("division__force").filter(code=code).first()


def division_for_scorecard(*, code: str, user) -> Division | None:
    # Division codes are unique within a force only: look in the user's own force first.
    divisions = Division.objects.select_related("force").filter(code=code)
    if user.force_id:
        divisions = divisions.filter(force_id=user.force_id)
    return divisions.first()


def force_for_scorecard(*, user) -> Force | None:
    if user.force_id:
        return Force.objects.filter(pk=user.force_id).first()
    return Force.objects.order_by("pk").first()


def home_scorecard(*, user) -> tuple[str, dict] | None:
    """The URL name and arguments of the widest scorecard in the user's area."""
    scope = scope_for(user)
    if scope.level == "force":
        return "reports:scorecard-force", {}
    if scope.level == "division":
        division = Division.objects.filter(pk__in=scope.division_ids).first()
        return ("reports:scorecard-division", {"code": division.code}) if division else None
    first = Neighbourhood.objects.filter(pk__in=scope.neighbourhood_ids).order_by("name").first()
    return ("reports:scorecard-neighbourhood", {"code": first.code}) if first else None
