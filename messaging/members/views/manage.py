"""Everything a member does without a password once they have joined: managing their choices
through a signed link (or the short one in texts), asking for a lost or expired link, their own
data, unsubscribing from a message, and STOP by text (the inbound SMS webhook)."""

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from messaging import links
from messaging.inbox.services import sms_reply_receive
from messaging.members import selectors
from messaging.members.forms import ControlsForm, ManageForm, ManageLinkForm, address_masked
from messaging.members.phone import mobile_masked
from messaging.members.services import confirm as services_confirm
from messaging.members.services import manage as services_manage
from messaging.members.services import signup as services_signup
from messaging.members.views.signup import not_found, speak_members_language, throttle_counters
from messaging.models import QUIET_END, QUIET_START, Channel, ChannelStatus
from messaging.rendering import alert_text
from pact_portal import throttle
from pact_portal.forms import form_add_service_errors
from pact_portal.privacy import email_masked

# --- managing a membership ------------------------------------------------------------------------


def _member(request, token):
    """(the member, None), or (None, the page to answer with): not found, or expired/cancelled."""
    try:
        subscriber = selectors.subscriber_for_manage(token=token)
    except selectors.ManageLinkStale:
        return None, _link_stale(request, reverse("messaging:manage-renew", kwargs={"token": token}))
    if subscriber is None:
        return None, not_found(request, MEMBER_NOT_FOUND)
    speak_members_language(request, subscriber)
    return subscriber, None


def _link_stale(request, renew_url: str):
    context = {"renew_url": renew_url, "days": links.MANAGE_MAX_AGE // (24 * 60 * 60)}
    return render(request, "messaging/subscribe/manage_link_stale.html", context, status=410)


MEMBER_NOT_FOUND = gettext_lazy(
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
        return not_found(request, MEMBER_NOT_FOUND)
    return redirect("messaging:manage", token=links.manage_token(subscriber=subscriber))


THROTTLED_LINK = gettext_lazy(
    "We have had many requests from your connection in the last hour. Please try again later."
)


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
                services_manage.subscriber_update(
                    subscriber=subscriber, **form.membership_fields(), demographics=form.demographics()
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Your choices are saved. Anything newly turned on waits for confirmation."))
                return redirect("messaging:manage", token=token)
        status = 400
    return _manage_page(
        request, subscriber, token, rows, form=form, controls=_controls_form(subscriber, rows), status=status
    )


def _controls_form(subscriber, rows, data=None) -> ControlsForm:
    by_channel = {row.channel: row for row in rows if row.status != ChannelStatus.UNSUBSCRIBED}
    initial = {
        "quiet_hours": subscriber.quiet_start is not None,
        "quiet_start": subscriber.quiet_start or QUIET_START,
        "quiet_end": subscriber.quiet_end or QUIET_END,
        "paused_until": subscriber.paused_until,
        "email_digest": subscriber.email_digest,
        **{f"accepts_{channel}": row.accepts for channel, row in by_channel.items()},
    }
    return ControlsForm(data, channels=list(by_channel), initial=initial)


@login_not_required
@never_cache
@require_POST
def manage_controls(request, token):
    """What may reach the member on each channel, their quiet hours and a holiday pause."""
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    rows = list(subscriber.channels.all())
    controls = _controls_form(subscriber, rows, data=request.POST)
    if controls.is_valid():
        data = controls.cleaned_data
        try:
            services_manage.subscriber_controls_set(
                subscriber=subscriber,
                accepts=controls.accepts(),
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
                paused_until=data["paused_until"],
                email_digest=controls.digest(),
            )
        except ValidationError as error:
            form_add_service_errors(controls, error)
        else:
            messages.success(request, _("Your choices of what reaches you, and when, are saved."))
            return redirect("messaging:manage", token=token)
    form = ManageForm(
        wards=selectors.wards_for_sign_up(),
        interests=selectors.interests_for_sign_up(),
        initial=_manage_initial(subscriber),
        current=_current_addresses(rows),
    )
    return _manage_page(request, subscriber, token, rows, form=form, controls=controls, status=400)


def _manage_page(request, subscriber, token, rows, *, form, controls, status):
    context = {
        "form": form,
        "controls": controls,
        "subscriber": subscriber,
        "token": token,
        "rows": [(row, address_masked(row.address)) for row in rows],
        "link_days": links.MANAGE_MAX_AGE // (24 * 60 * 60),
        "code_url": reverse(
            "messaging:confirm-mobile", kwargs={"token": services_signup.confirm_mobile_token(subscriber=subscriber)}
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
    services_manage.subscriber_stop_all(subscriber=subscriber)
    messages.success(request, _("All your alerts have stopped. You can turn any of them on again here."))
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
        messages.error(request, _("Choose an address that is waiting for confirmation."))
    else:
        try:
            services_confirm.confirmation_resend(channel=row)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            sent = _("We have sent a new link.") if row.channel == Channel.EMAIL else _("We have sent a new code.")
            messages.success(request, sent)
    return redirect("messaging:manage", token=token)


@login_not_required
@never_cache
@require_POST
def manage_download(request, token):
    subscriber, refused = _member(request, token)
    if refused:
        return refused
    data = services_manage.subscriber_export(subscriber=subscriber)
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
        services_manage.subscriber_erase(subscriber=subscriber)
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
    services_manage.subscriber_links_rotate(subscriber=subscriber)
    messages.success(
        request,
        _(
            "Every earlier link to this page has stopped working, including those in emails and texts you have had. "
            "This page now has a new address; the next message we send you brings a new link too."
        ),
    )
    return redirect("messaging:manage", token=links.manage_token(subscriber=subscriber))


def _renew(request, *, token: str = "", code: str = ""):
    subscriber = selectors.subscriber_for_link_renewal(token=token, code=code)
    if subscriber is None:
        return not_found(request, MEMBER_NOT_FOUND)
    # Each request is a message to the member: the limits stop a stale link being used to flood them.
    counters = throttle_counters(
        request,
        "itk-manage-links",
        [str(subscriber.reference)],
        per_address=MANAGE_LINKS_PER_ADDRESS_PER_HOUR,
        per_contact=MANAGE_LINKS_PER_CONTACT_PER_HOUR,
    )
    if throttle.throttled(counters):
        return render(request, "messaging/subscribe/link_not_found.html", {"message": THROTTLED_LINK}, status=429)
    throttle.count(counters)
    services_manage.manage_link_renew(subscriber=subscriber)
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
            counters = throttle_counters(
                request,
                "itk-manage-links",
                [address],
                per_address=MANAGE_LINKS_PER_ADDRESS_PER_HOUR,
                per_contact=MANAGE_LINKS_PER_CONTACT_PER_HOUR,
            )
            if throttle.throttled(counters):
                form.add_error(None, _("We have had several requests from you in the last hour. Try again later."))
                status = 429
            else:
                throttle.count(counters)
                services_manage.manage_link_send(address=address)
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
        return not_found(request, _("This unsubscribe link does not work: it may have been altered or cut short."))
    speak_members_language(request, delivery.subscriber)
    if request.method == "POST":
        services_manage.channel_unsubscribe(delivery=delivery)
        return render(request, "messaging/subscribe/unsubscribe.html", {"done": True, "delivery": delivery})
    row = selectors.channel_for_delivery(delivery=delivery)
    context = {
        "done": row is None or row.status == ChannelStatus.UNSUBSCRIBED,
        "delivery": delivery,
        "token": token,
        # The title as the member received it: their language's version, if the alert had one.
        "title": alert_text(alert=delivery.alert, language=delivery.subscriber.language).title,
    }
    if row is not None:
        context["address"] = email_masked(row.address) if row.channel == Channel.EMAIL else mobile_masked(row.address)
    return render(request, "messaging/subscribe/unsubscribe.html", context)


@login_not_required
@csrf_exempt  # GOV.UK Notify posts here; the bearer token authenticates it.
@require_POST
def sms_inbound(request):
    """Texts residents send back. STOP (and the other opt-out words) ends texts and calls to
    that number at once; anything else is a reply, for the team's inbox (messaging.inbox)."""
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
    if services_manage.is_stop_message(text):
        services_manage.sms_stop(number=number, event_id=event_id, payload=payload)
    else:
        received_at = parse_datetime(str(payload.get("date_received") or "")) or timezone.now()
        if timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at, timezone.UTC)
        sms_reply_receive(number=number, text=text, event_id=event_id, received_at=received_at)
    return HttpResponse("OK", content_type="text/plain")
