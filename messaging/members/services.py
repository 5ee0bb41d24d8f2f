"""Writes for In the Know members: signing up (online and on the doorstep) with a double opt-in
per channel, managing preferences through a signed link, unsubscribing (a link in a message, or
STOP by text) and a member's own data (download, erase).

Messages these services send (confirmation links and codes) leave only after the transaction
commits, so a rolled-back sign-up never sends anything.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from messaging import links
from messaging.delivery.channels import OutgoingMessage, get_sender
from messaging.delivery.channels.base import SendError
from messaging.members import selectors
from messaging.members.phone import inbound_number_e164, mobile_normalise
from messaging.models import (
    Channel,
    ChannelStatus,
    ConsentMethod,
    Delivery,
    DeliveryAttempt,
    Feedback,
    OutboxMessage,
    ReceiptEvent,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
    new_manage_secret,
)

log = logging.getLogger(__name__)

MOBILE_CHANNELS = (Channel.SMS, Channel.VOICE)
CODE_MAX_AGE = timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
# One confirmation per minute per channel: enough for "I did not get it", too slow to spam anyone.
RESEND_COOLDOWN = timedelta(minutes=1)
CONFIRM_MOBILE_SALT = "messaging.confirm-mobile"
INBOUND_PROVIDER = "notify-inbound"
# The words UK mobile networks and GOV.UK Notify treat as an opt-out.
STOP_WORDS = frozenset({"STOP", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})

CODE_WRONG = "That code is not right, or it has expired. Check the text message, or ask for a new code."
CODE_EXPIRED = "That code has expired: codes work for 15 minutes. Ask for a new code."
CODE_LOCKED = "That code was entered wrongly too many times. Ask for a new code."


class LinkError(ValidationError):
    """A confirmation link that cannot confirm; each subclass gets its own page."""


class LinkTampered(LinkError):
    """The link was altered or cut short."""


class LinkSuperseded(LinkError):
    """A newer confirmation link has replaced this one."""


class LinkExpired(LinkError):
    def __init__(self, message, *, channel):
        super().__init__(message, code="expired")
        self.channel = channel


@dataclass(frozen=True)
class Demographics:
    age_band: str = ""
    ethnic_group: str = ""


# --- tokens ----------------------------------------------------------------------------------------


def confirm_mobile_token(*, subscriber: Subscriber) -> str:
    """A link to the page where a texted code is entered. Its own salt: it lets the holder enter a
    code or ask for a new one, never manage the subscription (anyone can sign up any number)."""
    return signing.dumps(str(subscriber.reference), salt=CONFIRM_MOBILE_SALT)


def confirm_mobile_token_load(token: str) -> str | None:
    try:
        return signing.loads(token, salt=CONFIRM_MOBILE_SALT)
    except signing.BadSignature:
        return None


def confirm_mobile_url(*, subscriber: Subscriber) -> str:
    token = confirm_mobile_token(subscriber=subscriber)
    return links.absolute(reverse("messaging:confirm-mobile", kwargs={"token": token}))


def is_stop_message(text: str) -> bool:
    return " ".join((text or "").split()).upper() in STOP_WORDS


# --- checks shared by sign-up and manage ---------------------------------------------------------


def _clean_addresses(*, email: str, mobile: str, channels, unused_is_error: bool = True) -> tuple[str, str, list[str]]:
    email = (email or "").strip().lower()
    errors = {}
    if mobile:
        try:
            mobile = mobile_normalise(mobile)
        except ValidationError as error:
            errors["mobile"] = error.messages
    chosen = [c for c in Channel.values if c in set(channels or ())]
    if not email and not mobile and not errors:
        errors["email"] = ["Give an email address, a mobile number or both."]
    if not chosen:
        errors["channels"] = ["Choose at least one way to get alerts."]
    if Channel.EMAIL in chosen and not email and "email" not in errors:
        errors["email"] = ["Give an email address for alerts by email, or untick Email."]
    if set(chosen) & set(MOBILE_CHANNELS) and not mobile and "mobile" not in errors:
        errors["mobile"] = ["Give a mobile number for texts or voice calls, or untick them."]
    # On a sign-up an address without a channel is a mistake; on the manage page it is the
    # address of a channel just turned off.
    if unused_is_error and email and chosen and Channel.EMAIL not in chosen and "email" not in errors:
        errors["email"] = ["Tick Email to get alerts at this address, or leave it empty."]
    if unused_is_error and mobile and chosen and not set(chosen) & set(MOBILE_CHANNELS) and "mobile" not in errors:
        errors["mobile"] = ["Tick Text message or Voice call to use this number, or leave it empty."]
    if errors:
        raise ValidationError(errors)
    return email, mobile or "", chosen


def _check_ward(ward) -> None:
    if ward is None or ward.neighbourhood_id is None:
        raise ValidationError({"ward": "Choose a ward that has a neighbourhood policing team."})


def _check_consent(*, source: str, consent_method: str, actor) -> None:
    if source == SignUpSource.FIELD:
        if actor is None:
            raise ValidationError("A field sign-up records the officer who took consent.")
        if consent_method == ConsentMethod.ONLINE_FORM:
            raise ValidationError({"consent_method": "Say how the resident gave consent on the doorstep."})
    elif source == SignUpSource.ONLINE and consent_method != ConsentMethod.ONLINE_FORM:
        raise ValidationError("An online sign-up is consented to on the online form.")


def _apply_demographics(subscriber: Subscriber, demographics: Demographics | None, now) -> None:
    """Self-description is kept only with its own consent; None withdraws it."""
    if demographics is None:
        subscriber.age_band, subscriber.ethnic_group, subscriber.demographics_consent_at = "", "", None
    else:
        subscriber.age_band, subscriber.ethnic_group = demographics.age_band, demographics.ethnic_group
        subscriber.demographics_consent_at = subscriber.demographics_consent_at or now


# --- sending confirmations -----------------------------------------------------------------------


def _send_after_commit(message: OutgoingMessage) -> None:
    def send():
        sender = get_sender(message.channel)
        try:
            sender.send(message)
        except (SendError, OSError) as exc:  # OSError: a mail server that refused the connection
            # The member can ask for another from the page they are on; the sign-up itself stands.
            # Only the kind of failure: mail servers and providers echo the address in their
            # replies, and the logs must hold no one's contact details.
            log.warning("Could not send a %s confirmation (%s)", message.channel, type(exc).__name__)
        finally:
            # Batch senders (email) keep their connection open until told: one message here.
            if hasattr(sender, "close"):
                sender.close()

    transaction.on_commit(send)


def _email(name: str, context: dict, *, to: str, folder: str = "messaging/emails") -> OutgoingMessage:
    return OutgoingMessage(
        channel=Channel.EMAIL,
        to=to,
        subject=render_to_string(f"{folder}/{name}_subject.txt", context).strip(),
        body=render_to_string(f"{folder}/{name}_body.txt", context),
        html=render_to_string(f"{folder}/{name}_body.html", context),
    )


def _send_email_confirmation(row: SubscriberChannel, now) -> None:
    row.confirmation_secret = links.new_nonce()  # a new link voids every earlier one
    row.confirmation_sent_at = now
    row.confirmation_attempts = 0
    row.save(update_fields=["confirmation_secret", "confirmation_sent_at", "confirmation_attempts"])
    context = {
        "confirm_url": links.confirm_email_url(channel=row),
        "ward": row.subscriber.ward,
        "days": links.CONFIRM_MAX_AGE // (24 * 60 * 60),
    }
    _send_after_commit(_email("confirm_email", context, to=row.address))


def _send_mobile_code(*, subscriber: Subscriber, address: str, now) -> None:
    """One code confirms the number for texts and calls alike; only its salted hash is kept."""
    code = f"{secrets.randbelow(10**6):06d}"
    subscriber.channels.filter(channel__in=MOBILE_CHANNELS, status=ChannelStatus.PENDING, address=address).update(
        confirmation_secret=make_password(code), confirmation_sent_at=now, confirmation_attempts=0
    )
    body = (
        f"Your In the Know code is {code}. It works for 15 minutes: enter it at "
        f"{confirm_mobile_url(subscriber=subscriber)} . Not you? Ignore this text."
    )
    _send_after_commit(OutgoingMessage(channel=Channel.SMS, to=address, body=body))


def _send_manage_link(row: SubscriberChannel) -> None:
    """To a confirmed address only: whoever holds the address may manage the membership."""
    url = links.manage_url(subscriber=row.subscriber)
    if row.channel == Channel.EMAIL:
        message = _email("manage_link", {"manage_url": url}, to=row.address, folder="messaging/subscribe/emails")
    else:
        body = f"Your link to change or stop your In the Know alerts: {url}"
        message = OutgoingMessage(channel=Channel.SMS, to=row.address, body=body)
    _send_after_commit(message)


# --- signing up -----------------------------------------------------------------------------------


def _owner(*, channels, address: str) -> Subscriber | None:
    row = (
        SubscriberChannel.objects.select_for_update()
        .filter(channel__in=channels, address=address)
        .select_related("subscriber__ward")
        .order_by("channel")
        .first()
    )
    return row.subscriber if row else None


def _may_take(subscriber: Subscriber | None, channels) -> Subscriber | None:
    """A member found by their other address takes this one too, unless they already have a
    confirmed address of this kind: a sign-up form must never replace a confirmed address."""
    if subscriber is None or subscriber.channels.active().filter(channel__in=channels).exists():
        return None
    return subscriber


def _offer(*, subscriber: Subscriber, channel: str, address: str, replace_active: bool) -> SubscriberChannel | None:
    """Make sure the member has `channel` at `address`; the row when it needs confirming."""
    row = subscriber.channels.select_for_update().filter(channel=channel).first()
    if row is None:
        return SubscriberChannel.objects.create(subscriber=subscriber, channel=channel, address=address)
    if row.status == ChannelStatus.ACTIVE and (row.address == address or not replace_active):
        return None  # a confirmed channel stays confirmed
    if row.address != address:
        row.confirmation_secret, row.confirmation_sent_at = "", None
    row.address = address
    row.status = ChannelStatus.PENDING
    row.confirmed_at = row.unsubscribed_at = None
    row.status_reason = ""
    row.full_clean(validate_constraints=False)
    row.save(
        update_fields=[
            "address",
            "status",
            "confirmed_at",
            "unsubscribed_at",
            "status_reason",
            "confirmation_secret",
            "confirmation_sent_at",
        ]
    )
    return row


def _offer_channels(*, subscriber, channels, address, replace_active, now) -> list[SubscriberChannel]:
    """Offer each of `channels` at `address` and send what confirms them; returns the rows that
    were already confirmed."""
    pending = []
    for channel in channels:
        row = _offer(subscriber=subscriber, channel=channel, address=address, replace_active=replace_active)
        if row is not None:
            pending.append(row)
    if not pending:
        return list(subscriber.channels.active().filter(channel__in=channels, address=address))
    sent_at = pending[0].confirmation_sent_at
    if sent_at and timezone.now() - sent_at < RESEND_COOLDOWN:
        return []  # one just went out: a quick second sign-up must not flood the address
    if pending[0].channel == Channel.EMAIL:
        _send_email_confirmation(pending[0], now)
    elif replace_active and subscriber.channels.active().filter(channel__in=MOBILE_CHANNELS, address=address).exists():
        # From the manage page (a signed link: the member themselves) a number already proven by
        # its other channel needs no second code. From the public form, anyone may have typed the
        # number, so the phone's owner confirms with a code as for a new number.
        SubscriberChannel.objects.filter(pk__in=[r.pk for r in pending]).update(
            status=ChannelStatus.ACTIVE, confirmed_at=now
        )
    else:
        _send_mobile_code(subscriber=subscriber, address=address, now=now)
    return []


def _preferences_set(subscriber: Subscriber, *, ward, interests, language) -> None:
    subscriber.ward = ward
    subscriber.language = language
    subscriber.full_clean(exclude=["consent_taken_by"])
    subscriber.save(update_fields=["ward", "language", "updated_at"])
    SubscriberInterest.objects.filter(subscriber=subscriber).exclude(interest__in=interests).delete()
    have = set(SubscriberInterest.objects.filter(subscriber=subscriber).values_list("interest_id", flat=True))
    SubscriberInterest.objects.bulk_create(
        SubscriberInterest(subscriber=subscriber, interest=i) for i in interests if i.pk not in have
    )


def subscriber_sign_up(
    *,
    email: str,
    mobile: str,
    ward,
    interests,
    channels,
    language: str,
    source: str,
    consent_method: str,
    actor=None,
    demographics: Demographics | None = None,
) -> Subscriber:
    """Sign someone up, or update the member who already has this email or mobile (a second
    sign-up never makes a second member). Every new or unconfirmed channel is left pending and
    sent its confirmation: a link by email, a code by text. Returns the member of the email, or
    else of the mobile. Retries once if a simultaneous sign-up took the address first."""
    fields = {
        "email": email,
        "mobile": mobile,
        "ward": ward,
        "interests": list(interests),
        "channels": channels,
        "language": language,
        "source": source,
        "consent_method": consent_method,
        "actor": actor,
        "demographics": demographics,
    }
    try:
        return _sign_up(**fields)
    except IntegrityError:
        return _sign_up(**fields)


@transaction.atomic
def _sign_up(*, email, mobile, ward, interests, channels, language, source, consent_method, actor, demographics):
    email, mobile, channels = _clean_addresses(email=email, mobile=mobile, channels=channels)
    _check_ward(ward)
    _check_consent(source=source, consent_method=consent_method, actor=actor)
    now = timezone.now()
    email_owner = _owner(channels=[Channel.EMAIL], address=email) if email else None
    mobile_owner = _owner(channels=MOBILE_CHANNELS, address=mobile) if mobile else None
    # A member with a confirmed address has proved who they are: a sign-up form, which anyone
    # can fill in with someone else's address, must not change their ward, interests or language,
    # nor attach a new address to them. They are told privately instead (a manage link by email).
    established = {m.pk for m in (email_owner, mobile_owner) if m is not None and m.channels.active().exists()}

    def open_to_merge(member):
        return member if member is not None and member.pk not in established else None

    email_member = (email_owner or _may_take(open_to_merge(mobile_owner), [Channel.EMAIL])) if email else None
    mobile_member = (mobile_owner or _may_take(open_to_merge(email_owner), MOBILE_CHANNELS)) if mobile else None
    if (email and email_member is None) or (mobile and mobile_member is None):
        fresh = Subscriber(
            ward=ward,
            language=language,
            source=source,
            consent_method=consent_method,
            consent_at=now,
            consent_taken_by=actor if source == SignUpSource.FIELD else None,
        )
        if demographics is not None:
            _apply_demographics(fresh, demographics, now)
        fresh.full_clean()
        fresh.save()
        email_member = email_member or (fresh if email else None)
        mobile_member = mobile_member or (fresh if mobile else None)
    for member in {m.pk: m for m in (email_member, mobile_member) if m is not None}.values():
        if member.pk in established:
            continue
        # A merge keeps the membership's original source and consent; each channel's own
        # confirmation records the consent to it.
        if demographics is not None and member.demographics_consent_at is None:
            _apply_demographics(member, demographics, now)
            member.save(update_fields=["age_band", "ethnic_group", "demographics_consent_at"])
        _preferences_set(member, ward=ward, interests=interests, language=language)
    if mobile:
        chosen = [c for c in channels if c in MOBILE_CHANNELS]
        _offer_channels(subscriber=mobile_member, channels=chosen, address=mobile, replace_active=False, now=now)
    if email:
        chosen = [Channel.EMAIL]
        confirmed = _offer_channels(
            subscriber=email_member, channels=chosen, address=email, replace_active=False, now=now
        )
        for row in confirmed:
            # The page answers the same as for a new address; the confirmed owner learns privately.
            _send_manage_link(row)
    return email_member or mobile_member


# --- confirming -----------------------------------------------------------------------------------


def _activate(rows, now) -> None:
    SubscriberChannel.objects.filter(pk__in=[r.pk for r in rows], status=ChannelStatus.PENDING).update(
        status=ChannelStatus.ACTIVE, confirmed_at=now, confirmation_secret="", status_reason=""
    )


def _email_row_for_link(token: str) -> tuple[SubscriberChannel | None, str]:
    """The email row and nonce an unaltered link names, however old it is."""
    try:
        data = links.confirm_email_token_load(token)
    except signing.SignatureExpired:
        data = signing.loads(token, salt=links.CONFIRM_SALT)  # signature checked, age not
    if data is None:
        raise LinkTampered("This link has been altered or cut short, so it cannot confirm anything.")
    row = (
        SubscriberChannel.objects.select_for_update()
        .filter(pk=data.get("c"), channel=Channel.EMAIL)
        .select_related("subscriber__ward")
        .first()
    )
    return row, str(data.get("n", ""))


@transaction.atomic
def channel_confirm_email(*, token: str) -> SubscriberChannel:
    """Confirm the email address a link names. Idempotent: a second click finds it confirmed."""
    row, nonce = _email_row_for_link(token)
    if row is not None and row.status == ChannelStatus.ACTIVE:
        return row
    if row is None or row.status != ChannelStatus.PENDING or not secrets.compare_digest(row.confirmation_secret, nonce):
        raise LinkSuperseded("This link is no longer in use: a newer one was sent, or the address was removed.")
    try:
        links.confirm_email_token_load(token)
    except signing.SignatureExpired as error:
        raise LinkExpired("This link has expired: links work for 3 days.", channel=row) from error
    _activate([row], timezone.now())
    row.refresh_from_db()
    return row


@transaction.atomic
def confirmation_resend_from_link(*, token: str) -> SubscriberChannel:
    """A new confirmation email for an expired link; only the latest link can ask for one."""
    row, nonce = _email_row_for_link(token)
    if row is None or row.status != ChannelStatus.PENDING or not secrets.compare_digest(row.confirmation_secret, nonce):
        raise LinkSuperseded("This link is no longer in use: a newer one was sent, or the address was removed.")
    return confirmation_resend(channel=row)


@transaction.atomic
def confirmation_resend(*, channel: SubscriberChannel) -> SubscriberChannel:
    """Send a channel's confirmation again (a new link voids the old one; a new code likewise)."""
    row = SubscriberChannel.objects.select_for_update().select_related("subscriber__ward").get(pk=channel.pk)
    if row.status != ChannelStatus.PENDING:
        raise ValidationError("This address is not waiting for confirmation.", code="not_pending")
    now = timezone.now()
    if row.confirmation_sent_at and now - row.confirmation_sent_at < RESEND_COOLDOWN:
        raise ValidationError("We sent one less than a minute ago. Wait a minute before asking again.", code="too_soon")
    if row.channel == Channel.EMAIL:
        _send_email_confirmation(row, now)
    else:
        _send_mobile_code(subscriber=row.subscriber, address=row.address, now=now)
    return row


def channel_confirm_mobile(*, subscriber: Subscriber, code: str) -> list[SubscriberChannel]:
    """Confirm the member's pending mobile channels with the texted code.

    Deliberately not one transaction: each try is claimed (and committed) before the code is
    checked, so a wrong code counts even though it raises, and parallel guesses cannot share a try.
    """
    rows = [r for r in selectors.mobile_rows_pending(subscriber=subscriber) if r.confirmation_secret]
    if not rows:
        raise ValidationError(CODE_WRONG, code="wrong")
    lead = rows[0]
    now = timezone.now()
    if lead.confirmation_sent_at is None or now - lead.confirmation_sent_at > CODE_MAX_AGE:
        raise ValidationError(CODE_EXPIRED, code="expired")
    claimed = SubscriberChannel.objects.filter(
        pk=lead.pk, confirmation_secret=lead.confirmation_secret, confirmation_attempts__lt=CODE_MAX_ATTEMPTS
    ).update(confirmation_attempts=F("confirmation_attempts") + 1)
    if not claimed:
        raise ValidationError(CODE_LOCKED, code="locked")
    if not check_password((code or "").strip(), lead.confirmation_secret):
        left = CODE_MAX_ATTEMPTS - lead.confirmation_attempts - 1
        if left <= 0:
            raise ValidationError(CODE_LOCKED, code="locked")
        raise ValidationError(f"That code is not right. You can try {left} more time{'s' if left > 1 else ''}.")
    with transaction.atomic():
        _activate([r for r in rows if r.address == lead.address], now)
    return list(subscriber.channels.filter(pk__in=[r.pk for r in rows]))


# --- managing -------------------------------------------------------------------------------------


def _address_free(*, subscriber: Subscriber, channels, address: str, field: str) -> None:
    taken = SubscriberChannel.objects.filter(channel__in=channels, address=address).exclude(subscriber=subscriber)
    if taken.exists():
        raise ValidationError({field: "Another In the Know membership uses this address. Stop that one first."})


@transaction.atomic
def subscriber_update(
    *, subscriber: Subscriber, ward, interests, channels, language: str, email: str, mobile: str, demographics=None
) -> Subscriber:
    """Change a member's choices from their manage link. A channel ticked anew (or at a new
    address) waits for confirmation; one unticked stops at once."""
    email, mobile, channels = _clean_addresses(email=email, mobile=mobile, channels=channels, unused_is_error=False)
    _check_ward(ward)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if email:
        _address_free(subscriber=subscriber, channels=[Channel.EMAIL], address=email, field="email")
    if mobile:
        _address_free(subscriber=subscriber, channels=MOBILE_CHANNELS, address=mobile, field="mobile")
    now = timezone.now()
    _apply_demographics(subscriber, demographics, now)
    subscriber.save(update_fields=["age_band", "ethnic_group", "demographics_consent_at"])
    _preferences_set(subscriber, ward=ward, interests=interests, language=language)
    unticked = [c for c in Channel.values if c not in channels]
    subscriber.channels.filter(channel__in=unticked).exclude(status=ChannelStatus.UNSUBSCRIBED).update(
        status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=now, status_reason="Turned off on the manage page."
    )
    if Channel.EMAIL in channels:
        _offer_channels(subscriber=subscriber, channels=[Channel.EMAIL], address=email, replace_active=True, now=now)
    mobile_channels = [c for c in channels if c in MOBILE_CHANNELS]
    if mobile_channels:
        _offer_channels(subscriber=subscriber, channels=mobile_channels, address=mobile, replace_active=True, now=now)
    return subscriber


@transaction.atomic
def subscriber_stop_all(*, subscriber: Subscriber) -> int:
    """Stop every alert to the member at once; the membership stays so they can start again."""
    return subscriber.channels.exclude(status=ChannelStatus.UNSUBSCRIBED).update(
        status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now(), status_reason="Stopped all alerts."
    )


@transaction.atomic
def manage_link_send(*, address: str) -> bool:
    """Send the manage link to a confirmed email address or mobile, if there is one. The caller
    answers the same either way, so nobody learns who is a member."""
    address = (address or "").strip()
    try:
        address = mobile_normalise(address) if "@" not in address else address.lower()
    except ValidationError:
        return False
    row = selectors.channel_active_by_address(address=address)
    if row is None:
        return False
    _send_manage_link(row)
    return True


@transaction.atomic
def manage_link_renew(*, subscriber: Subscriber) -> bool:
    """Send a fresh manage link to the member's own confirmed email (or, failing that, mobile),
    asked for from an expired or cancelled link. The holder of the old link never sees where it
    went, and the caller answers the same whether or not anything was sent."""
    row = subscriber.channels.active().filter(channel__in=[Channel.EMAIL, Channel.SMS]).order_by("channel").first()
    if row is None:
        return False
    _send_manage_link(row)
    return True


@transaction.atomic
def subscriber_links_rotate(*, subscriber: Subscriber) -> Subscriber:
    """Cancel every manage link the member has been sent (a forwarded alert, an old phone): a new
    secret, so only links made from now on open their membership. One-click unsubscribe links
    stay valid: each stops one channel and shows nothing."""
    subscriber.manage_secret = new_manage_secret()
    subscriber.save(update_fields=["manage_secret", "updated_at"])
    return subscriber


# --- unsubscribing --------------------------------------------------------------------------------


@transaction.atomic
def channel_unsubscribe(*, delivery: Delivery) -> bool:
    """Stop the channel this message came by, at once, crediting the alert it came with.
    Idempotent: a second click changes nothing (and keeps the first one's time and alert)."""
    changed = (
        SubscriberChannel.objects.filter(subscriber_id=delivery.subscriber_id, channel=delivery.channel)
        .exclude(status=ChannelStatus.UNSUBSCRIBED)
        .update(
            status=ChannelStatus.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
            unsubscribed_from_alert_id=delivery.alert_id,
            status_reason="Unsubscribed from an alert.",
        )
    )
    return bool(changed)


@transaction.atomic
def sms_stop(*, number: str, event_id: str, payload: dict) -> int:
    """A STOP text: end texts and calls to that number. A replayed message (same provider id)
    changes nothing. Returns how many channel rows were stopped."""
    e164 = inbound_number_e164(number)
    kept = {**payload, "source_number": e164 or ""}  # normalised, so erasure can find it
    _, created = ReceiptEvent.objects.get_or_create(
        provider=INBOUND_PROVIDER, event_id=str(event_id), defaults={"payload": kept}
    )
    if not created or e164 is None:
        return 0
    return (
        SubscriberChannel.objects.filter(channel__in=MOBILE_CHANNELS, address=e164)
        .exclude(status=ChannelStatus.UNSUBSCRIBED)
        .update(status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now(), status_reason="Replied STOP.")
    )


# --- a member's own data --------------------------------------------------------------------------


def _when(value) -> str | None:
    return value.isoformat() if value else None


def subscriber_export(*, subscriber: Subscriber) -> dict:
    """Everything held about the member, for "download my data" (a subject access request)."""
    deliveries = list(selectors.deliveries_for_export(subscriber=subscriber))
    feedback = [d.feedback for d in deliveries if hasattr(d, "feedback")]
    return {
        "reference": str(subscriber.reference),
        "ward": {"code": subscriber.ward.code, "name": subscriber.ward.name},
        "language": subscriber.language,
        "source": subscriber.source,
        "consent": {
            "method": subscriber.consent_method,
            "given_at": _when(subscriber.consent_at),
            "taken_by": subscriber.consent_taken_by.full_name if subscriber.consent_taken_by_id else None,
        },
        "self_description": {
            "consented_at": _when(subscriber.demographics_consent_at),
            "age_band": subscriber.age_band,
            "ethnic_group": subscriber.ethnic_group,
        },
        "joined_at": _when(subscriber.created_at),
        "updated_at": _when(subscriber.updated_at),
        "channels": [
            {
                "channel": row.channel,
                "address": row.address,
                "status": row.status,
                "confirmation_sent_at": _when(row.confirmation_sent_at),
                "confirmed_at": _when(row.confirmed_at),
                "unsubscribed_at": _when(row.unsubscribed_at),
                "reason": row.status_reason,
            }
            for row in subscriber.channels.order_by("channel")
        ],
        "interests": list(subscriber.interests.order_by("position", "name").values_list("name", flat=True)),
        "alerts": [
            {
                "title": d.alert.title,
                "date": _when(d.sent_at or d.queued_at),
                "channel": d.channel,
                "status": d.status,
                "opened_at": _when(d.opened_at),
                "clicked_at": _when(d.clicked_at),
            }
            for d in deliveries
        ],
        "feedback": [
            {
                "alert": f.delivery.alert.title,
                "useful": f.useful,
                "acted_on": f.acted_on,
                "comment": f.comment,
                "given_at": _when(f.created_at),
            }
            for f in feedback
        ],
    }


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber) -> Subscriber:
    """Forget the member: addresses, interests, self-description, feedback comments and the
    messages kept for them. Their deliveries stay, anonymous, so an alert's counts do not change."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.erased_at:
        return subscriber
    addresses = list(subscriber.channels.values_list("address", flat=True))
    OutboxMessage.objects.filter(Q(delivery__subscriber=subscriber) | Q(to__in=addresses)).delete()
    for event in ReceiptEvent.objects.filter(provider=INBOUND_PROVIDER, payload__source_number__in=addresses):
        event.payload = {"erased": True}
        event.save(update_fields=["payload"])
    subscriber.channels.all().delete()
    SubscriberInterest.objects.filter(subscriber=subscriber).delete()
    Feedback.objects.filter(delivery__subscriber=subscriber).exclude(comment="").update(comment="")
    # A provider's error text often quotes the address it refused ("550 amina@… unknown").
    Delivery.objects.filter(subscriber=subscriber).exclude(error="").update(error="")
    DeliveryAttempt.objects.filter(delivery__subscriber=subscriber).exclude(detail="").update(detail="")
    _apply_demographics(subscriber, None, None)
    subscriber.erased_at = timezone.now()
    # Every link to the membership dies with it, even were the erased row ever read again.
    subscriber.manage_secret = new_manage_secret()
    fields = ["age_band", "ethnic_group", "demographics_consent_at", "erased_at", "manage_secret", "updated_at"]
    subscriber.save(update_fields=fields)
    return subscriber
