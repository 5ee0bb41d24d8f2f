from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.policy import can
from neighbourhoods.models import Neighbourhood


def neighbourhood_get_for_user(*, user, code: str, write: bool = False) -> Neighbourhood:
    """A neighbourhood in the user's area; 404 for one that is missing or outside it.

    403 only when the user may see the neighbourhood but not change it.
    """
    neighbourhood = Neighbourhood.objects.select_related("division__force").filter(code=code).first()
    if neighbourhood is None or not can(user, "neighbourhood.view_internal", neighbourhood):
        raise Http404("No such neighbourhood in your area.")
    if write and not can(user, "neighbourhood.edit", neighbourhood):
        raise PermissionDenied
    return neighbourhood
