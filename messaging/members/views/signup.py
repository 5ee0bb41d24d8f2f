"""Joining In the Know (public, no password) and confirming each channel: the emailed link, the
texted code, and asking for either again."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from messaging import links
from messaging.members import selectors
from messaging.members.forms import CodeForm, SignUpForm
from messaging.members.phone import mobile_masked
from messaging.members.services import confirm as services_confirm
from messaging.members.services import signup as services_signup
from messaging.models import Channel, ConsentMethod, SignUpSource
from pact_portal import throttle
from pact_portal.forms import form_add_service_errors
from pact_portal.privacy import email_masked

# Sign-ups are harmless to the public but each one sends an email or a text: the limits stop a
# script using the form to flood someone's inbox or phone. The address limit is higher because a
# library or a mobile network puts many residents behind one address.
SIGN_UPS_PER_ADDRESS_PER_HOUR = 20
SIGN_UPS_PER_CONTACT_PER_HOUR = 3
THROTTLE_MESSAGE = gettext_lazy(
    "We have had several sign-ups from you or for these details in the last hour. Try again later."
)
DONE_SESSION_KEY = "messaging:signed-up"


def throttle_counters(request, prefix: str, contacts, *, per_address: int, per_contact: int) -> list[tuple[str, int]]:
    """The caller's address and each contact, with their hourly limits (the manage pages use it too)."""
    counters = [(throttle.address_key(request, prefix), per_address)]
    counters += [(throttle.contact_key(prefix, contact), per_contact) for contact in contacts]
    return counters


def speak_members_language(request, subscriber) -> None:
    """A page reached by a member's own link (manage, unsubscribe, confirmed) speaks the language
    they chose, not their browser's: the link may be opened on a shared or work device. The
    switcher's cookie still wins, as it is a choice made on this device, on purpose, by the reader."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES) or not subscriber.language:
        return
    translation.activate(subscriber.language)
    request.LANGUAGE_CODE = translation.get_language()


def not_found(request, message: str):
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
        counters = throttle_counters(
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
                services_signup.subscriber_sign_up(
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
            token = services_signup.confirm_mobile_token(subscriber=member)
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
            row = services_confirm.channel_confirm_email(token=token)
        except services_confirm.LinkError as error:
            return _link_problem(request, token, error)
        speak_members_language(request, row.subscriber)
        return render(request, "messaging/subscribe/confirmed.html", {"channel": row})
    try:
        data = links.confirm_email_token_load(token)
    except signing.SignatureExpired:
        return _link_problem(
            request, token, services_confirm.LinkExpired(gettext("This link has expired."), channel=None)
        )
    if data is None:
        return _link_problem(request, token, services_confirm.LinkTampered(gettext("This link has been altered.")))
    return render(request, "messaging/subscribe/confirm_email.html", {"token": token})


def _link_problem(request, token, error: services_confirm.LinkError):
    kind, status = "superseded", 410
    if isinstance(error, services_confirm.LinkTampered):
        kind, status = "tampered", 400
    elif isinstance(error, services_confirm.LinkExpired):
        kind, status = "expired", 410
    context = {"kind": kind, "token": token, "message": " ".join(error.messages)}
    return render(request, "messaging/subscribe/confirm_problem.html", context, status=status)


@login_not_required
@never_cache
@require_POST
def confirm_email_resend(request, token):
    try:
        row = services_confirm.confirmation_resend_from_link(token=token)
    except services_confirm.LinkError as error:
        return _link_problem(request, token, error)
    except ValidationError as error:
        context = {"kind": "expired", "token": token, "message": " ".join(error.messages)}
        return render(request, "messaging/subscribe/confirm_problem.html", context, status=429)
    context = {"address": email_masked(row.address)}
    return render(request, "messaging/subscribe/confirm_resent.html", context)


def _code_subscriber(token: str):
    reference = services_signup.confirm_mobile_token_load(token)
    return selectors.subscriber_by_reference(reference=reference) if reference else None


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_mobile(request, token):
    subscriber = _code_subscriber(token)
    if subscriber is None:
        return not_found(request, gettext("This link does not work: it may have been altered or cut short."))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_confirm.channel_confirm_mobile(subscriber=subscriber, code=form.cleaned_data["code"])
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
        return not_found(request, gettext("This link does not work: it may have been altered or cut short."))
    # Anyone can sign up any number and reach this page: each new code is a text to that number.
    counters = throttle_counters(
        request,
        "itk-new-codes",
        [str(subscriber.reference)],
        per_address=SIGN_UPS_PER_ADDRESS_PER_HOUR,
        per_contact=SIGN_UPS_PER_CONTACT_PER_HOUR,
    )
    if throttle.throttled(counters):
        messages.error(request, gettext("We have sent several codes in the last hour. Try again later."))
        return redirect("messaging:confirm-mobile", token=token)
    throttle.count(counters)
    rows = selectors.mobile_rows_pending(subscriber=subscriber)
    try:
        if rows:
            services_confirm.confirmation_resend(channel=rows[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        # The same words whether or not a code went out: the page says nothing about the number.
        messages.success(request, gettext("If your number is waiting for confirmation, we have texted it a new code."))
    return redirect("messaging:confirm-mobile", token=token)
