from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.policy import can
from meetings.models import Meeting
from meetings.selectors import meeting_detail_for_staff


def meeting_get_for_user(*, user, pk: int, write: bool = False) -> Meeting:
    """A meeting in the user's area; 404 when missing or outside it, 403 when read-only to them."""
    meeting = meeting_detail_for_staff(pk=pk)
    if meeting is None or not can(user, "meeting.view_internal", meeting):
        raise Http404("No such meeting in your area.")
    if write and not can(user, "meeting.edit", meeting):
        raise PermissionDenied
    return meeting
