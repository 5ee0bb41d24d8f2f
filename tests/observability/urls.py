"""A view that fails holding everything an error report must not carry, mounted only in tests."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

RESIDENT_EMAIL = "amina.khan@example.org"
RESIDENT_MOBILE = "07400 123456"
RESIDENT_LANDLINE = "+44 (0)161 496 0000"
RESTRICTED = "Informant at number 14 names the dealer as Kyle"
EVIDENCE = "CCTV from the off-licence shows the van registration"
MANAGE_SECRET = "Zq8mN3vR7tY2wK5pL9xC4bH6"


@login_not_required
def exploding(request, token):
    email = RESIDENT_EMAIL
    landline = RESIDENT_LANDLINE
    restricted_notes = RESTRICTED  # noqa: F841 - there to be found in the frame's variables
    evidence = EVIDENCE  # noqa: F841
    manage_secret = MANAGE_SECRET  # noqa: F841
    summary = f"resident {email} on {RESIDENT_MOBILE}, link {token}"  # a name that says nothing
    raise ValueError(f"could not send to {email} or {RESIDENT_MOBILE} ({landline}) for {token}: {summary}")


urlpatterns = [
    path("explode/<str:token>/", exploding, name="explode"),
    path("", include("pact_portal.urls")),
]
