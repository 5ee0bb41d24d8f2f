from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.policy import can
from meetings.panels.models import Panel, PanelMember
from meetings.panels.selectors import panel_detail, panel_member_detail


def panel_get_for_user(*, user, pk: int, write: bool = False) -> Panel:
    """A panel of the user's area; 404 when missing or outside it, 403 when read-only to them."""
    panel = panel_detail(pk=pk)
    if panel is None or not can(user, "panel.view", panel):
        raise Http404("No such panel in your area.")
    if write and not can(user, "panel.edit", panel):
        raise PermissionDenied
    return panel


def panel_member_get_for_user(*, user, pk: int, write: bool = False) -> PanelMember:
    member = panel_member_detail(pk=pk)
    if member is None or not can(user, "panel.view", member.panel):
        raise Http404("No such panel member in your area.")
    if write and not can(user, "panel.edit", member.panel):
        raise PermissionDenied
    return member
