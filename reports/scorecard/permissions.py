"""Access helpers for the scorecard: 404 for an area or appeal that is missing or not the user's,
403 where the user may see it but not do what they asked."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.policy import can
from messaging.alerts.selectors import alert_get_for_user
from reports.scorecard import selectors


def scorecard_area_for_user(*, user, level: str, code: str | None = None):
    """The neighbourhood, division or force whose scorecard the user asked for."""
    if level == "neighbourhood":
        area = selectors.neighbourhood_for_scorecard(code=code)
    elif level == "division":
        area = selectors.division_for_scorecard(code=code, user=user)
    else:
        area = selectors.force_for_scorecard(user=user)
    if area is None or not can(user, "scorecard.view", area):
        raise Http404("No such area in yours.")
    return area


def appeal_get_for_user(*, user, pk: int):
    """An appeal the user may see (404 otherwise) and record the outcome of (403 otherwise)."""
    alert = alert_get_for_user(user=user, pk=pk)
    if not can(user, "scorecard.record_appeal_outcome", alert):
        raise PermissionDenied
    return alert
