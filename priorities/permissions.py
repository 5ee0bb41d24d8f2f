"""Access helpers: 404 for anything missing or outside the user's area, 403 only where the user
may see the thing but not do what they asked."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.policy import can
from priorities.models import Action, Issue, Priority


def priority_get_for_user(*, user, pk: int, need: str | None = None) -> Priority:
    """A priority the user may see; `need` names a further rule ("priority.edit",
    "priority.manage") whose refusal is a 403."""
    priority = Priority.objects.select_related("neighbourhood__division").filter(pk=pk).first()
    if priority is None or not can(user, "priority.view_internal", priority):
        raise Http404("No such priority in your area.")
    if need and not can(user, need, priority):
        raise PermissionDenied
    return priority


def issue_get_for_user(*, user, pk: int) -> Issue:
    issue = Issue.objects.select_related("neighbourhood__division", "ward").filter(pk=pk).first()
    if issue is None or not can(user, "issue.triage", issue):
        raise Http404("No such issue in your area.")
    return issue


def action_get_for_user(*, user, pk: int, write: bool = False) -> Action:
    """An action the user may see (partners: only their agency's); 403 if they may not update it."""
    action = (
        Action.objects.select_related("priority__neighbourhood__division", "owner_agency", "owner_officer")
        .filter(pk=pk)
        .first()
    )
    if action is None or not can(user, "action.view", action):
        raise Http404("No such action.")
    if write and not can(user, "action.update", action):
        raise PermissionDenied
    return action
