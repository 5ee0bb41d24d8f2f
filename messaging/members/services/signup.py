"""Writes for joining In the Know, online or on the doorstep: one sign-up form for both, with a
double opt-in per channel (a link by email, a code by text), and the checks, offers and messages
that the manage page reuses when a member changes their choices.

Messages these services send (confirmation links and codes, manage links) are queued for a worker
only after the transaction commits, so a rolled-back sign-up never sends anything.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging import links
from messaging.delivery.channels import OutgoingMessage, get_sender
from messaging.delivery.channels.base import SendError
from messaging.members.phone import mobile_normalise
from messaging.models import (
    Channel,
    ChannelStatus,
    ConsentMethod,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
)
from pact_portal import site

log = logging.getLogger(__name__)

MOBILE_CHANNELS = (Channel.SMS, Channel.VOICE)
# One confirmation per minute per channel: enough for "I did not get it", too slow to spam anyone.
RESEND_COOLDOWN = timedelta(minutes=1)
CONFIRM_MOBILE_SALT = "messaging.confirm-mobile"


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


# --- checks shared by sign-up and manage ---------------------------------------------------------


def clean_addresses(*, email: str, mobile: str, channels, unused_is_error: bool = True) -> tuple[str, str, list[str]]:
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


def check_ward(ward) -> None:
    if ward is None or ward.neighbourhood_id is None:
        raise ValidationError({"ward": _("Choose a ward that has a neighbourhood policing team.")})


def _check_consent(*, source: str, consent_method: str, actor) -> None:
    if source == SignUpSource.FIELD:
        if actor is None:
            raise ValidationError("A field sign-up records the officer who took consent.")
        if consent_method == ConsentMethod.ONLINE_FORM:
            raise ValidationError({"consent_method": "Say how the resident gave consent on the doorstep."})
    elif source == SignUpSource.ONLINE and consent_method != ConsentMethod.ONLINE_FORM:
        raise ValidationError("An online sign-up is consented to on the online form.")


def apply_demographics(subscriber: Subscriber, demographics: Demographics | None, now) -> None:
    """Self-description is kept only with its own consent; None withdraws it."""
    if demographics is None:
        subscriber.age_band, subscriber.ethnic_group, subscriber.demographics_consent_at = "", "", None
    else:
        subscriber.age_band, subscriber.ethnic_group = demographics.age_band, demographics.ethnic_group
        subscriber.demographics_consent_at = subscriber.demographics_consent_at or now


# --- sending confirmations -----------------------------------------------------------------------


CONFIRM_EMAIL, MOBILE_CODE, MANAGE_LINK = "confirm_email", "mobile_code", "manage_link"


def _message_send(message: OutgoingMessage) -> bool:
    sender = get_sender(message.channel)
    try:
        sender.send(message)
    except (SendError, OSError) as exc:  # OSError: a mail server that refused the connection
        # The member can ask for another from the page they are on; the sign-up itself stands.
        # Only the kind of failure: mail servers and providers echo the address in their
        # replies, and the logs must hold no one's contact details.
        log.warning("Could not send a %s confirmation (%s)", message.channel, type(exc).__name__)
        return False
    finally:
        # Batch senders (email) keep their connection open until told: one message here.
        if hasattr(sender, "close"):
            sender.close()
    return True


def _queue(kind: str, row: SubscriberChannel) -> None:
    """Written and sent by a worker once the transaction commits (member_message_send_task): the
    page answers without waiting on a mail server or a text provider. The task takes the channel's
    id, never the address or the message, so neither reaches the broker or Celery's logs."""
    from messaging.tasks import member_message_send_task

    channel_id, site_url = row.pk, site.site_url()
    transaction.on_commit(lambda: member_message_send_task.delay(kind=kind, channel_id=channel_id, site_url=site_url))


def _email(name: str, context: dict, *, to: str, folder: str = "messaging/emails") -> OutgoingMessage:
    return OutgoingMessage(
        channel=Channel.EMAIL,
        to=to,
        subject=render_to_string(f"{folder}/{name}_subject.txt", context).strip(),
        body=render_to_string(f"{folder}/{name}_body.txt", context),
        html=render_to_string(f"{folder}/{name}_body.html", context),
    )


def send_email_confirmation(row: SubscriberChannel, now) -> None:
    row.confirmation_secret = links.new_nonce()  # a new link voids every earlier one
    row.confirmation_sent_at = now
    row.confirmation_attempts = 0
    row.save(update_fields=["confirmation_secret", "confirmation_sent_at", "confirmation_attempts"])
    _queue(CONFIRM_EMAIL, row)


def send_mobile_code(*, subscriber: Subscriber, address: str, now) -> None:
    """One code confirms the number for texts and calls alike. The worker makes it, so it exists
    only in the text and, as a salted hash, in the database; any earlier code stops working now."""
    pending = subscriber.channels.filter(channel__in=MOBILE_CHANNELS, status=ChannelStatus.PENDING, address=address)
    pending.update(confirmation_secret="", confirmation_sent_at=now, confirmation_attempts=0)
    row = pending.order_by("channel").first()
    if row is not None:
        _queue(MOBILE_CODE, row)


def send_manage_link(row: SubscriberChannel) -> None:
    """To a confirmed address only: whoever holds the address may manage the membership."""
    _queue(MANAGE_LINK, row)


def member_message_send(*, kind: str, channel_id: int, site_url: str = "") -> bool:
    """Write and send a confirmation link, a confirmation code or a manage link to a member's
    channel (member_message_send_task). False when there is nothing to send any more (the channel
    went, or was confirmed meanwhile) or the mail server or provider refused it. Links point at
    `site_url`, the site of the request that asked (SITE_URL when empty)."""
    row = SubscriberChannel.objects.select_related("subscriber__ward").filter(pk=channel_id).first()
    if row is None or (kind != MANAGE_LINK and row.status != ChannelStatus.PENDING):
        return False
    subscriber = row.subscriber
    with translation.override(subscriber.language), site.built_for(site_url):
        if kind == CONFIRM_EMAIL:
            context = {
                "confirm_url": links.confirm_email_url(channel=row),
                "ward": subscriber.ward,
                "days": links.CONFIRM_MAX_AGE // (24 * 60 * 60),
            }
            message = _email("confirm_email", context, to=row.address)
        elif kind == MOBILE_CODE:
            code = f"{secrets.randbelow(10**6):06d}"
            subscriber.channels.filter(
                channel__in=MOBILE_CHANNELS, status=ChannelStatus.PENDING, address=row.address
            ).update(confirmation_secret=make_password(code))
            body = _(
                "Your In the Know code is %(code)s. It works for 15 minutes: enter it at %(url)s . "
                "Not you? Ignore this text."
            ) % {"code": code, "url": confirm_mobile_url(subscriber=subscriber)}
            message = OutgoingMessage(channel=Channel.SMS, to=row.address, body=body)
        else:
            url = links.manage_url(subscriber=subscriber)
            if row.channel == Channel.EMAIL:
                message = _email(
                    "manage_link", {"manage_url": url}, to=row.address, folder="messaging/subscribe/emails"
                )
            else:
                body = _("Your link to change or stop your In the Know alerts: %(url)s") % {"url": url}
                message = OutgoingMessage(channel=Channel.SMS, to=row.address, body=body)
    return _message_send(message)


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


def offer_channels(*, subscriber, channels, address, replace_active, now) -> list[SubscriberChannel]:
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
        send_email_confirmation(pending[0], now)
    elif replace_active and subscriber.channels.active().filter(channel__in=MOBILE_CHANNELS, address=address).exists():
        # From the manage page (a signed link: the member themselves) a number already proven by
        # its other channel needs no second code. From the public form, anyone may have typed the
        # number, so the phone's owner confirms with a code as for a new number.
        SubscriberChannel.objects.filter(pk__in=[r.pk for r in pending]).update(
            status=ChannelStatus.ACTIVE, confirmed_at=now
        )
    else:
        send_mobile_code(subscriber=subscriber, address=address, now=now)
    return []


def preferences_set(subscriber: Subscriber, *, ward, interests, language) -> None:
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
    email, mobile, channels = clean_addresses(email=email, mobile=mobile, channels=channels)
    check_ward(ward)
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
            apply_demographics(fresh, demographics, now)
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
            apply_demographics(member, demographics, now)
            member.save(update_fields=["age_band", "ethnic_group", "demographics_consent_at"])
        preferences_set(member, ward=ward, interests=interests, language=language)
    if mobile:
        chosen = [c for c in channels if c in MOBILE_CHANNELS]
        offer_channels(subscriber=mobile_member, channels=chosen, address=mobile, replace_active=False, now=now)
    if email:
        chosen = [Channel.EMAIL]
        confirmed = offer_channels(
            subscriber=email_member, channels=chosen, address=email, replace_active=False, now=now
        )
        for row in confirmed:
            # The page answers the same as for a new address; the confirmed owner learns privately.
            send_manage_link(row)
    return email_member or mobile_member
