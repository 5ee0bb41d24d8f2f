"""Joining In the Know and everything a member does without a password: confirming each
channel, managing choices through a signed link, unsubscribing from a message, STOP by text;
and the officers' doorstep sign-up."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.policy import can
from messaging import links
from messaging.members import selectors, services
from messaging.members.forms import (
    CodeForm,
    FieldSignUpForm,
    ManageForm,
    ManageLinkForm,
    SignUpForm,
    address_masked,
)
from messaging.members.phone import mobile_masked
from messaging.models import Channel, ChannelStatus, ConsentMethod, SignUpSource
from pact_portal import throttle
from pact_portal.forms import form_add_service_errors
from pact_portal.privacy import email_masked

# Sign-ups are harmless to the public but each one sends an email or a text: the limits stop a
# script using the form to flood someone's inbox or phone. The address limit is higher because a
# library or a mobile network puts many residents behind one address.
SIGN_UPS_PER_ADDRESS_PER_HOUR = 20
SIGN_UPS_PER_CONTACT_PER_HOUR = 3
THROTTLE_MESSAGE = "We have had several sign-ups from you or for these details in the last hour. Try again later."
DONE_SESSION_KEY = "messaging:signed-up"


def _counters(request, prefix: str, contacts, *, per_address: int, per_contact: int) -> list[tuple[str, int]]:
    counters = [(throttle.address_key(request, prefix), per_address)]
    counters += [(throttle.contact_key(prefix, contact), per_contact) for contact in contacts]
    return counters


def _not_found(request, message: str):
    return render(request, "messaging/subscribe/link_not_found.html", {"message": message}, status=404)


# --- joining --------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    neighbourhood = selectors.neighbourhood_for_sign_up(code=request.GET.get("neighbourhood", ""))
    form = SignUpForm(
        request.POST or None,
        wards=selectors.wards_for_sign_up(neighbourhood=neighbourhood),
        interests=selectors.interests_for_sign_up(),
        initial={"ward": request.GET.get("ward"), "channels": [Channel.EMAIL]},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = form.membership_fields()
        contacts = [c for c in (fields["email"], fields["mobile"]) if c]
        counters = _counters(
            request,
            "itk-sign-ups",
            contacts,
            per_address=SIGN_UPS_PER_ADDRESS_PER_HOUR,
            per_contact=SIGN_UPS_PER_CONTACT_PER_HOUR,
        )
        if throttle.throttled(counters):
            form.add_error(None, THROTTLE_MESSAGE)
            status = 429
        else:
            try:
                services.subscriber_sign_up(
                    **fields,
                    source=SignUpSource.ONLINE,
                    consent_method=ConsentMethod.ONLINE_FORM,
                    demographics=form.demographics(),
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                throttle.count(counters)
                request.session[DONE_SESSION_KEY] = _next_steps(fields)
                return redirect("messaging:signup-done")
    if form.errors and status == 200:
        status = 400
    context = {"form": form, "neighbourhood": neighbourhood}
    return render(request, "messaging/subscribe/signup.html", context, status=status)


def _next_steps(fields: dict) -> dict:
    """What the "next steps" page says: the same whether or not the details were known."""
    steps = {"email": "", "mobile": "", "code_url": "", "ward": fields["ward"].name}
    if fields["email"]:
        steps["email"] = email_masked(fields["email"])
    if fields["mobile"]:
        steps["mobile"] = mobile_masked(fields["mobile"])
        member = selectors.subscriber_by_mobile(number=fields["mobile"])
        if member is not None:
            token = services.confirm_mobile_token(subscriber=member)
            steps["code_url"] = reverse("messaging:confirm-mobile", kwargs={"token": token})
    return steps


@login_not_required
@require_safe
def signup_done(request):
    steps = request.session.get(DONE_SESSION_KEY)
    if not steps:
        return redirect("messaging:signup")
    return render(request, "messaging/subscribe/signup_done.html", {"steps": steps})


# --- confirming -----------------------------------------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email(request, token):
    """GET only shows a button: mail scanners follow links, and must not confirm anyone."""
    if request.method == "POST":
        try:
            row = services.channel_confirm_email(token=token)
        except services.LinkError as error:
            return _link_problem(request, token, error)
        return render(request, "messaging/subscribe/confirmed.html", {"channel": row})
    try:
        data = links.confirm_email_token_load(token)
    except signing.SignatureExpired:
        return _link_problem(request, token, services.LinkExpired("This link has expired.", channel=None))
    if data is None:
        return _link_problem(request, token, services.LinkTampered("This link has been altered."))
    return render(request, "messaging/subscribe/confirm_email.html", {"token": token})


def _link_problem(request, token, error: services.LinkError):
    kind, status = "superseded", 410
    if isinstance(error, services.LinkTampered):
        kind, status = "tampered", 400
    elif isinstance(error, services.LinkExpired):
        kind, status = "expired", 410
    context = {"kind": kind, "token": token, "message": " ".join(error.messages)}
    return render(request, "messaging/subscribe/confirm_problem.html", context, status=status)


@login_not_required
@never_cache
@require_POST
def confirm_email_resend(request, token):
    try:
        row = services.confirmation_resend_from_link(token=token)
    except services.LinkError as error:
        return _link_problem(request, token, error)
    except ValidationError as error:
        context = {"kind": "expired", "token": token, "message": " ".join(error.messages)}
        return render(request, "messaging/subscribe/confirm_problem.html", context, status=429)
    context = {"address": email_masked(row.address)}
    return render(request, "messaging/subscribe/confirm_resent.html", context)


def _code_subscriber(token: str):
    reference = services.confirm_mobile_token_load(token)
    return selectors.subscriber_by_reference(reference=reference) if reference else None


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_mobile(request, token):
    subscriber = _code_subscriber(token)
    if subscriber is None:
        return _not_found(request, "This link does not work: it may have been altered or cut short.")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.channel_confirm_mobile(subscriber=subscriber, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error.messages)
            else:
                return render(request, "messaging/subscribe/confirmed.html", {"channel": None, "mobile": True})
        status = 400
    number = selectors.mobile_number_of(subscriber=subscriber)
    context = {"form": form, "token": token, "number": mobile_masked(number) if number else ""}
    return render(request, "messaging/subscribe/confirm_mobile.html", context, status=status)


@login_not_required
@never_cache
@require_POST
def confirm_mobile_resend(request, token):
    subscriber = _code_subscriber(token)
    if subscriber is None:
        return _not_found(request, "This link does not work: it may have been altered or cut short.")
    # Anyone can sign up any number and reach this page: each new code is a text to that number.
    counters = _counters(
        request,
        "itk-new-codes",
        [str(subscriber.reference)],
        per_address=SIGN_UPS_PER_ADDRESS_PER_HOUR,
        per_contact=SIGN_UPS_PER_CONTACT_PER_HOUR,
    )
    if throttle.throttled(counters):
        messages.error(request, "We have sent several codes in the last hour. Try again later.")
        return redirect("messaging:confirm-mobile", token=token)
    throttle.count(counters)
    rows = selectors.mobile_rows_pending(subscriber=subscriber)
    try:
        if rows:
            services.confirmation_resend(channel=rows[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        # The same words whether or not a code went out: the page says nothing about the number.
        messages.success(request, "If your number is waiting for confirmation, we have texted it a new code.")
    return redirect("messaging:confirm-mobile", token=token)


# --- managing a membership ------------------------------------------------------------------------


def _member(request, token):
    """(the member, None), or (None, the page to answer with): not found, or expired/cancelled."""
    try:
        subscriber = selectors.subscriber_for_manage(token=token)
    except selectors.ManageLinkStale:
        return None, _link_stale(request, reverse("messaging:manage-renew", kwargs={"token": token}))
    if subscriber is None:
        return None, _not_found(request, MEMBER_NOT_FOUND)
    return subscriber, None


def _link_stale(request, renew_url: str):
    context = {"renew_url": renew_url, "days": links.MANAGE_MAX_AGE // (24 * 60 * 60)}
    return render(request, "messaging/subscribe/manage_link_stale.html", context, status=410)


MEMBER_NOT_FOUND = (
    "This link does not work. It may have been altered or cut short, or the membership it was for has been erased."
)


def _current_addresses(rows) -> dict:
    by_channel = {row.channel: row.address for row in rows}
    mobile = by_channel.get(Channel.SMS) or by_channel.get(Channel.VOICE, "")
    return {"email": by_channel.get(Channel.EMAIL, ""), "mobile": mobile}


def _manage_initial(subscriber) -> dict:
    rows = {row.channel: row for row in subscriber.channels.all()}
    # The addresses stay out of the page (a forwarded link must not reveal them): the fields start
    # empty, and an empty field keeps the address on file.
    return {
        "channels": [c for c, row in rows.items() if row.status != ChannelStatus.UNSUBSCRIBED],
        "ward": subscriber.ward.code,
        "interests": list(subscriber.interests.all()),
        "language": subscriber.language,
        "describe_consent": bool(subscriber.demographics_consent_at),
        "age_band": subscriber.age_band,
        "ethnic_group": subscriber.ethnic_group,
    }


SHORT_LINKS_PER_ADDRESS_PER_HOUR = 30


@login_not_required
@never_cache
@require_safe
def manage_short(request, code):
    """The short link at the end of every alert text: on to the full, signed manage link. Throttled
    per address, because its 48-bit code is shorter than a signed token."""
    counters = [(throttle.address_key(request, "itk-short-links"), SHORT_LINKS_PER_ADDRESS_PER_HOUR)]
    if throttle.throttled(counters):
        return render(request, "messaging/subscribe/link_not_found.html", {"message": THROTTLED_LINK}, status=429)
    throttle.count(counters)
    try:
        subscriber = selectors.subscriber_for_short_code(code=code)
    except selectors.ManageLinkStale:
        return _link_stale(request, reverse("messaging:manage-short-renew", kwargs={"code": code}))
    if subscriber is None:
        return _not_found(request, MEMBER_NOT_FOUND)
    return redirect("messaging:manage", token=links.manage_token(subscriber=subscriber))


THROTTLED_LINK = "We have had many requests from your connection in the last hour. Please try again later."


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, token):
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    rows = list(subscriber.channels.all())
    form = ManageForm(
        request.POST or None,
        wards=selectors.wards_for_sign_up(),
        interests=selectors.interests_for_sign_up(),
        initial=_manage_initial(subscriber),
        current=_current_addresses(rows),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.subscriber_update(
                    subscriber=subscriber, **form.membership_fields(), demographics=form.demographics()
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, "Your choices are saved. Anything newly turned on waits for confirmation.")
                return redirect("messaging:manage", token=token)
        status = 400
    context = {
        "form": form,
        "subscriber": subscriber,
        "token": token,
        "rows": [(row, address_masked(row.address)) for row in rows],
        "link_days": links.MANAGE_MAX_AGE // (24 * 60 * 60),
        "code_url": reverse(
            "messaging:confirm-mobile", kwargs={"token": services.confirm_mobile_token(subscriber=subscriber)}
        ),
    }
    return render(request, "messaging/subscribe/manage.html", context, status=status)


@login_not_required
@never_cache
@require_POST
def manage_stop(request, token):
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    services.subscriber_stop_all(subscriber=subscriber)
    messages.success(request, "All your alerts have stopped. You can turn any of them on again here.")
    return redirect("messaging:manage", token=token)


@login_not_required
@never_cache
@require_POST
def manage_resend(request, token):
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    row = next((r for r in subscriber.channels.all() if r.channel == request.POST.get("channel")), None)
    if row is None:
        messages.error(request, "Choose an address that is waiting for confirmation.")
    else:
        try:
            services.confirmation_resend(channel=row)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            sent = "a new link" if row.channel == Channel.EMAIL else "a new code"
            messages.success(request, f"We have sent {sent}.")
    return redirect("messaging:manage", token=token)


@login_not_required
@never_cache
@require_POST
def manage_download(request, token):
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    data = services.subscriber_export(subscriber=subscriber)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    filename = f"in-the-know-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def manage_erase(request, token):
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    if request.method == "POST":
        services.subscriber_erase(subscriber=subscriber)
        return render(request, "messaging/subscribe/erased.html")
    return render(request, "messaging/subscribe/erase_confirm.html", {"token": token})


@login_not_required
@never_cache
@require_POST
def manage_rotate(request, token):
    """Cancel every earlier link to the membership; the member carries on with a fresh one."""
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    services.subscriber_links_rotate(subscriber=subscriber)
    messages.success(
        request,
        "Every earlier link to this page has stopped working, including those in emails and texts you have had. "
        "This page now has a new address; the next message we send you brings a new link too.",
    )
    return redirect("messaging:manage", token=links.manage_token(subscriber=subscriber))


def _renew(request, *, token: str = "", code: str = ""):
    subscriber = selectors.subscriber_for_link_renewal(token=token, code=code)
    if subscriber is None:
        return _not_found(request, MEMBER_NOT_FOUND)
    # Each request is a message to the member: the limits stop a stale link being used to flood them.
    counters = _counters(
        request,
        "itk-manage-links",
        [str(subscriber.reference)],
        per_address=MANAGE_LINKS_PER_ADDRESS_PER_HOUR,
        per_contact=MANAGE_LINKS_PER_CONTACT_PER_HOUR,
    )
    if throttle.throttled(counters):
        return render(request, "messaging/subscribe/link_not_found.html", {"message": THROTTLED_LINK}, status=429)
    throttle.count(counters)
    services.manage_link_renew(subscriber=subscriber)
    return render(request, "messaging/subscribe/manage_request_sent.html", {"renewed": True})


@login_not_required
@never_cache
@require_POST
def manage_renew(request, token):
    """From an expired or cancelled link: a fresh one goes to the member's own address, unnamed."""
    return _renew(request, token=token)


@login_not_required
@never_cache
@require_POST
def manage_short_renew(request, code):
    return _renew(request, code=code)


MANAGE_LINKS_PER_ADDRESS_PER_HOUR = 10
MANAGE_LINKS_PER_CONTACT_PER_HOUR = 3


@login_not_required
@require_http_methods(["GET", "POST"])
def manage_request(request):
    """A lost manage link is sent again, to a confirmed address only, with the same answer for
    any address so that nobody can learn who is a member."""
    form = ManageLinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            address = form.cleaned_data["address"]
            counters = _counters(
                request,
                "itk-manage-links",
                [address],
                per_address=MANAGE_LINKS_PER_ADDRESS_PER_HOUR,
                per_contact=MANAGE_LINKS_PER_CONTACT_PER_HOUR,
            )
            if throttle.throttled(counters):
                form.add_error(None, "We have had several requests from you in the last hour. Try again later.")
                status = 429
            else:
                throttle.count(counters)
                services.manage_link_send(address=address)
                return render(request, "messaging/subscribe/manage_request_sent.html")
        else:
            status = 400
    return render(request, "messaging/subscribe/manage_request.html", {"form": form}, status=status)


# --- unsubscribing --------------------------------------------------------------------------------


@login_not_required
@csrf_exempt  # RFC 8058 one-click unsubscribes come from the mail provider, with no cookie or CSRF token.
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks first, so a mail scanner fetching the link unsubscribes nobody; a POST (the
    button, or a mail client's `List-Unsubscribe=One-Click`) stops that channel at once. The
    unguessable token in the address is what authorises it."""
    delivery = selectors.delivery_for_unsubscribe(token=token)
    if delivery is None:
        return _not_found(request, "This unsubscribe link does not work: it may have been altered or cut short.")
    if request.method == "POST":
        services.channel_unsubscribe(delivery=delivery)
        return render(request, "messaging/subscribe/unsubscribe.html", {"done": True, "delivery": delivery})
    row = selectors.channel_for_delivery(delivery=delivery)
    context = {"done": row is None or row.status == ChannelStatus.UNSUBSCRIBED, "delivery": delivery, "token": token}
    if row is not None:
        context["address"] = email_masked(row.address) if row.channel == Channel.EMAIL else mobile_masked(row.address)
    return render(request, "messaging/subscribe/unsubscribe.html", context)


@login_not_required
@csrf_exempt  # GOV.UK Notify posts here; the bearer token authenticates it.
@require_POST
def sms_inbound(request):
    """Texts residents send back. STOP (and the other opt-out words) ends texts and calls to
    that number at once; anything else is left for the team to read in Notify."""
    expected = settings.NOTIFY_CALLBACK_TOKEN
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return HttpResponse("Authentication required.", status=401, content_type="text/plain")
    # An empty configured token refuses everything, rather than accepting an empty bearer.
    if not expected or not hmac.compare_digest(header.removeprefix("Bearer ").encode(), expected.encode()):
        return HttpResponse("Forbidden.", status=403, content_type="text/plain")
    try:
        payload = json.loads(request.body)
        event_id, number, text = str(payload["id"]), str(payload["source_number"]), str(payload.get("message", ""))
    except (ValueError, TypeError, KeyError):
        return HttpResponse("Expected Notify's inbound SMS JSON.", status=400, content_type="text/plain")
    if services.is_stop_message(text):
        services.sms_stop(number=number, event_id=event_id, payload=payload)
    return HttpResponse("OK", content_type="text/plain")


# --- officers: signing a household up on the doorstep ---------------------------------------------


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
                services.subscriber_sign_up(
                    **form.membership_fields(),
                    source=SignUpSource.FIELD,
                    consent_method=form.cleaned_data["consent_method"],
                    actor=request.user,
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _field_done_message(form.membership_fields()))
                return redirect(f"{reverse('messaging:field-signup')}?{urlencode({'ward': ward.code})}")
        status = 400
    return render(request, "messaging/subscribe/field_signup.html", {"form": form}, status=status)


def _field_done_message(fields: dict) -> str:
    told = []
    if fields["email"]:
        told.append("a link by email")
    if fields["mobile"]:
        told.append("a code by text")
    return (
        f"Signed up in {fields['ward'].name}. The resident confirms with {' and '.join(told)}; "
        "until then nothing is sent to them. Ready for the next household."
    )
