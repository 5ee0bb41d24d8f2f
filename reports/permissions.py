"""Access helpers for returns: 404 for a return that is missing or outside the user's area, 403
only where the user may read it but not do what they asked."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.policy import can
from reports.models import HighlightReturn
from reports.selectors.pages import divisions_for_user, return_by_pk


def return_get_for_user(*, user, pk: int, need: str | None = None) -> HighlightReturn:
    """A return the user may view; `need` names a further rule ("return.edit", "return.submit",
    "return.reopen") whose refusal is a 403."""
    highlight_return = return_by_pk(pk=pk)
    if highlight_return is None or not can(user, "return.view", highlight_return):
        raise Http404("No such return in your area.")
    if need and not can(user, need, highlight_return):
        raise PermissionDenied
    return highlight_return


def may_start_return(user, division) -> bool:
    """Whoever signs the division's returns (its chief inspector) or receives them (HQ) may start
    one by hand, e.g. a quarter. Asked of an unsaved return: those two rules read only its division."""
    candidate = HighlightReturn(division=division)
    return can(user, "return.submit", candidate) or can(user, "return.reopen", candidate)


def divisions_startable_by(user) -> list:
    return [division for division in divisions_for_user(user=user) if may_start_return(user, division)]
