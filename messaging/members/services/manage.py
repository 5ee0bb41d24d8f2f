"""Writes for looking after a membership through its signed link: changing choices, stopping
alerts, sending and cancelling manage links; unsubscribing (a link in a message, or STOP by
text); and the member's own data (download, erase)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.members import selectors
from messaging.members.phone import inbound_number_e164, mobile_normalise
from messaging.members.services.signup import (
    MOBILE_CHANNELS,
    apply_demographics,
    check_ward,
    clean_addresses,
    offer_channels,
    preferences_set,
    send_manage_link,
)
from messaging.models import (
    Accepts,
    BounceRecovery,
    Channel,
    ChannelStatus,
    Delivery,
    DeliveryAttempt,
    Feedback,
    InboundReply,
    OutboxMessage,
    ReceiptEvent,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
    new_manage_secret,
)
from priorities.voting.models import Ballot
from surveys.models import Response

INBOUND_PROVIDER = "notify-inbound"
# The words UK mobile networks and GOV.UK Notify treat as an opt-out.
STOP_WORDS = frozenset({"STOP", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})


# --- managing -------------------------------------------------------------------------------------


def _address_free(*, subscriber: Subscriber, channels, address: str, field: str) -> None:
    taken = SubscriberChannel.objects.filter(channel__in=channels, address=address).exclude(subscriber=subscriber)
    if taken.exists():
        raise ValidationError({field: _("Another In the Know membership uses this address. Stop that one first.")})


@transaction.atomic
def subscriber_update(
    *, subscriber: Subscriber, ward, interests, channels, language: str, email: str, mobile: str, demographics=None
) -> Subscriber:
    """Change a member's choices from their manage link. A channel ticked anew (or at a new
    address) waits for confirmation; one unticked stops at once."""
    email, mobile, channels = clean_addresses(email=email, mobile=mobile, channels=channels, unused_is_error=False)
    check_ward(ward)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if email:
        _address_free(subscriber=subscriber, channels=[Channel.EMAIL], address=email, field="email")
    if mobile:
        _address_free(subscriber=subscriber, channels=MOBILE_CHANNELS, address=mobile, field="mobile")
    now = timezone.now()
    apply_demographics(subscriber, demographics, now)
    subscriber.save(update_fields=["age_band", "ethnic_group", "demographics_consent_at"])
    preferences_set(subscriber, ward=ward, interests=interests, language=language)
    unticked = [c for c in Channel.values if c not in channels]
    subscriber.channels.filter(channel__in=unticked).exclude(status=ChannelStatus.UNSUBSCRIBED).update(
        status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=now, status_reason="Turned off on the manage page."
    )
    if Channel.EMAIL in channels:
        offer_channels(subscriber=subscriber, channels=[Channel.EMAIL], address=email, replace_active=True, now=now)
    mobile_channels = [c for c in channels if c in MOBILE_CHANNELS]
    if mobile_channels:
        offer_channels(subscriber=subscriber, channels=mobile_channels, address=mobile, replace_active=True, now=now)
    return subscriber


@transaction.atomic
def subscriber_controls_set(
    *, subscriber: Subscriber, accepts: dict[str, str], quiet_start, quiet_end, paused_until, email_digest=None
) -> Subscriber:
    """Set what may reach the member on each of their channels, their quiet hours (both times,
    or neither for none), a holiday pause (the last day paused, or None) and, if given, whether
    routine emails come gathered in a daily or weekly digest. Emergencies pass
    all of these: the audience (messaging.delivery.audience) reads them, not this."""
    for channel, value in accepts.items():
        if channel not in Channel.values or value not in Accepts.values:
            raise ValidationError({f"accepts_{channel}": _("Choose one of the options.")})
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.quiet_start, subscriber.quiet_end, subscriber.paused_until = quiet_start, quiet_end, paused_until
    if email_digest is not None:
        subscriber.email_digest = email_digest
    subscriber.full_clean(exclude=["ward", "consent_taken_by"])
    subscriber.save(update_fields=["quiet_start", "quiet_end", "paused_until", "email_digest", "updated_at"])
    for channel, value in accepts.items():
        subscriber.channels.filter(channel=channel).update(accepts=value)
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
    send_manage_link(row)
    return True


@transaction.atomic
def manage_link_renew(*, subscriber: Subscriber) -> bool:
    """Send a fresh manage link to the member's own confirmed email (or, failing that, mobile),
    asked for from an expired or cancelled link. The holder of the old link never sees where it
    went, and the caller answers the same whether or not anything was sent."""
    row = subscriber.channels.active().filter(channel__in=[Channel.EMAIL, Channel.SMS]).order_by("channel").first()
    if row is None:
        return False
    send_manage_link(row)
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


def is_stop_message(text: str) -> bool:
    return " ".join((text or "").split()).upper() in STOP_WORDS


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


def _quiet_hours(subscriber: Subscriber) -> dict | None:
    if subscriber.quiet_start is None or subscriber.quiet_end is None:
        return None
    return {"from": subscriber.quiet_start.isoformat("minutes"), "until": subscriber.quiet_end.isoformat("minutes")}


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
        "controls": {
            "quiet_hours": _quiet_hours(subscriber),
            "paused_until": _when(subscriber.paused_until),
            "email_digest": subscriber.email_digest or None,
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
                "accepts": row.accepts,
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
        "replies": [
            {
                "channel": reply.channel,
                "received_at": _when(reply.received_at),
                "subject": reply.subject,
                "message": reply.body,
                "alert": reply.alert.title if reply.alert_id else None,
                "answers": [
                    {"sent_at": _when(answer.created_at), "channel": answer.channel, "message": answer.body}
                    for answer in reply.answers.all()
                ],
            }
            for reply in subscriber.inbound_replies.select_related("alert").prefetch_related("answers")
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
    """Forget the member: addresses, interests, self-description, feedback comments, the
    messages kept for them and the link from their survey responses and ballots to them. Their
    deliveries stay, anonymous, so an alert's counts do not change."""
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
    # What they wrote to their team, and the team's answers, go with them; bounced addresses too.
    InboundReply.objects.filter(subscriber=subscriber).delete()
    BounceRecovery.objects.filter(subscriber=subscriber).update(address="", new_address="")
    Feedback.objects.filter(delivery__subscriber=subscriber).exclude(comment="").update(comment="")
    # A provider's error text often quotes the address it refused ("550 amina@… unknown").
    Delivery.objects.filter(subscriber=subscriber).exclude(error="").update(error="")
    DeliveryAttempt.objects.filter(delivery__subscriber=subscriber).exclude(detail="").update(detail="")
    apply_demographics(subscriber, None, None)
    # A survey response and a ballot name the member only so they answer once; the answers stay,
    # anonymous, so a survey's results and a vote's count do not change.
    Response.objects.filter(subscriber=subscriber).update(subscriber=None)
    Ballot.objects.filter(subscriber=subscriber).update(subscriber=None)
    subscriber.erased_at = timezone.now()
    # Every link to the membership dies with it, even were the erased row ever read again.
    subscriber.manage_secret = new_manage_secret()
    fields = ["age_band", "ethnic_group", "demographics_consent_at", "erased_at", "manage_secret", "updated_at"]
    subscriber.save(update_fields=fields)
    return subscriber
