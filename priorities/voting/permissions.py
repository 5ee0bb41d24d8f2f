from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.policy import can
from priorities.voting.models import Vote
from priorities.voting.selectors import vote_detail


def vote_get_for_user(*, user, pk: int, need: str | None = None) -> Vote:
    """A vote of the user's area; 404 when missing or outside it, 403 when `need` (a further rule,
    e.g. "vote.close") refuses."""
    vote = vote_detail(pk=pk)
    if vote is None or not can(user, "vote.view", vote):
        raise Http404("No such vote in your area.")
    if need and not can(user, need, vote):
        raise PermissionDenied
    return vote
