"""The officers' doorstep sign-up: signing a household up to In the Know in their own area."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.policy import can
from messaging.doorknock import selectors as doorknock_selectors
from messaging.doorknock import services as doorknock_services
from messaging.doorknock.links import round_return_path
from messaging.members import selectors
from messaging.members.forms import FieldSignUpForm
from messaging.members.services import signup as services_signup
from messaging.models import Channel, ConsentMethod, DoorOutcome, SignUpSource
from pact_portal.forms import form_add_service_errors


@require_http_methods(["GET", "POST"])
def field_signup(request):
    neighbourhoods = selectors.neighbourhoods_for_field_sign_up(user=request.user)
    if not neighbourhoods:
        raise PermissionDenied
    wards = selectors.wards_for_field_sign_up(neighbourhoods=neighbourhoods)
    initial = {"channels": [Channel.EMAIL], "consent_method": ConsentMethod.DOORSTEP_VERBAL}
    # The "where to sign people up next" list links here with its ward, and after each household
    # the officer stays in the same ward for the next door; a ward outside their area is ignored.
    preset_ward = selectors.field_sign_up_ward(wards=wards, code=request.GET.get("ward", ""))
    if preset_ward is not None:
        initial["ward"] = preset_ward
    form = FieldSignUpForm(
        request.POST or None, wards=wards, interests=selectors.interests_for_sign_up(), initial=initial
    )
    # From a door-knock round: back to its door after the household is signed up.
    back = round_return_path(request.GET.get("next", ""))
    door = doorknock_selectors.door_for_sign_up(user=request.user, pk=request.GET.get("door", ""))
    status = 200
    if request.method == "POST":
        # The list offers only the officer's own wards: another ward can only be a crafted request.
        if form.has_error("ward", code="invalid_choice"):
            raise PermissionDenied
        if form.is_valid():
            ward = form.cleaned_data["ward"]
            if not can(request.user, "subscriber.field_sign_up", ward.neighbourhood):
                raise PermissionDenied
            try:
                services_signup.subscriber_sign_up(
                    **form.membership_fields(),
                    source=SignUpSource.FIELD,
                    consent_method=form.cleaned_data["consent_method"],
                    actor=request.user,
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _field_done_message(form.membership_fields()))
                if door is not None:
                    _door_signed_up(request, door)
                if back:
                    return redirect(back)
                return redirect(f"{reverse('messaging:field-signup')}?{urlencode({'ward': ward.code})}")
        status = 400
    return render(request, "messaging/subscribe/field_signup.html", {"form": form, "back": back}, status=status)


def _door_signed_up(request, door) -> None:
    try:
        doorknock_services.door_record(door=door, outcome=DoorOutcome.SIGNED_UP, actor=request.user)
    except ValidationError:
        # The round was finished while the form was open: the member is signed up all the same.
        messages.warning(
            request, _("%(address)s was not marked signed up: its round is finished.") % {"address": door.address}
        )


def _field_done_message(fields: dict) -> str:
    if fields["email"] and fields["mobile"]:
        message = _(
            "Signed up in %(ward)s. The resident confirms with a link by email and a code by text; "
            "until then nothing is sent to them. Ready for the next household."
        )
    elif fields["email"]:
        message = _(
            "Signed up in %(ward)s. The resident confirms with a link by email; "
            "until then nothing is sent to them. Ready for the next household."
        )
    else:
        message = _(
            "Signed up in %(ward)s. The resident confirms with a code by text; "
            "until then nothing is sent to them. Ready for the next household."
        )
    return message % {"ward": fields["ward"].name}
