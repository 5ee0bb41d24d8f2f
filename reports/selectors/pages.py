"""Reads for the returns pages: which returns a person sees, a return's history, the status of a
period across a force. The figures themselves come from reports.selectors."""

import datetime

from django.db.models import QuerySet

from accounts.models import User
from accounts.policy import scope_for
from accounts.roles import Role, ScopeLevel
from neighbourhoods.models import Division, TeamMembership
from priorities.models import Priority
from reports.models import HighlightReturn, ReturnEvent


def _with_people(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("division__force", "submitted_by")


def return_by_pk(*, pk: int) -> HighlightReturn | None:
    return _with_people(HighlightReturn.objects.filter(pk=pk)).first()


def returns_for_user(*, user) -> QuerySet[HighlightReturn]:
    """A chief inspector's division's returns, an inspector's delegated ones, HQ's whole force."""
    returns = _with_people(HighlightReturn.objects.all()).order_by("-period_start", "division__name", "period_kind")
    if user.role == Role.INSPECTOR:
        return returns.filter(delegates=user)
    if user.role in {Role.CHIEF_INSPECTOR, Role.HQ, Role.SYSTEM_ADMIN}:
        return returns.filter(division__in=divisions_for_user(user=user))
    return returns.none()


def divisions_for_user(*, user) -> QuerySet[Division]:
    """The divisions in the user's area: their own for a chief inspector, the force's for HQ."""
    scope = scope_for(user)
    divisions = Division.objects.select_related("force").order_by("force__name", "name")
    if scope.level == ScopeLevel.DIVISION:
        return divisions.filter(pk__in=scope.division_ids)
    if scope.level == ScopeLevel.FORCE:
        return divisions if scope.force_ids is None else divisions.filter(force_id__in=scope.force_ids)
    return divisions.none()


def returns_for_period(*, divisions, period_kind: str, period_start: datetime.date) -> dict[int, HighlightReturn]:
    """Each division's return for the period (division id → return), for the status page."""
    returns = _with_people(
        HighlightReturn.objects.filter(division__in=divisions, period_kind=period_kind, period_start=period_start)
    )
    return {highlight_return.division_id: highlight_return for highlight_return in returns}


def return_history(*, highlight_return: HighlightReturn) -> list[ReturnEvent]:
    return list(highlight_return.events.select_related("actor").order_by("-at", "-pk"))


def return_delegates(*, highlight_return: HighlightReturn) -> list[User]:
    return list(highlight_return.delegates.order_by("full_name", "pk"))


def delegate_candidates(*, division: Division) -> QuerySet[User]:
    """Inspectors who work in the division now: the people a chief inspector may delegate to."""
    working = TeamMembership.objects.current().filter(neighbourhood__division=division, role=Role.INSPECTOR)
    return User.objects.filter(role=Role.INSPECTOR, is_active=True, pk__in=working.values("user_id")).order_by(
        "full_name", "pk"
    )


def priorities_by_ids(*, ids) -> list[Priority]:
    return list(Priority.objects.filter(pk__in=ids).select_related("neighbourhood"))


def pinned_ids(*, highlight_return: HighlightReturn) -> set[int]:
    return set(highlight_return.top_priorities.values_list("pk", flat=True))
