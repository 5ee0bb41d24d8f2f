"""Delivery receipts from the providers: each moves one delivery from sent to delivered or failed.

A receipt is matched by our reference (the delivery's token, which we gave the provider) or by
the provider's own id. Each is kept once in ReceiptEvent (UNIQUE(provider, event_id)), so a
replayed webhook changes nothing. A receipt never overrides a final state already recorded.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from messaging.models import (
    AnswerOutcome,
    Channel,
    ChannelStatus,
    Delivery,
    DeliveryStatus,
    ReceiptEvent,
    ReplyAnswer,
    SubscriberChannel,
)

# GOV.UK Notify's final statuses for a text message, and what each means for the delivery.
NOTIFY_STATUSES = {
    "delivered": (DeliveryStatus.DELIVERED, ""),
    "permanent-failure": (DeliveryStatus.FAILED, "The network could not deliver it: the number is not in use."),
    "temporary-failure": (DeliveryStatus.FAILED, "The phone was off or out of signal until the network gave up."),
    "technical-failure": (DeliveryStatus.FAILED, "A technical failure between Notify and the network."),
}
# The voice provider's statuses (the contract in channels/voice.py).
VOICE_STATUSES = {
    "completed": (DeliveryStatus.DELIVERED, ""),
    "no-answer": (DeliveryStatus.FAILED, "Nobody answered the call."),
    "busy": (DeliveryStatus.FAILED, "The line was busy."),
    "failed": (DeliveryStatus.FAILED, "The call could not be made."),
    "invalid-number": (DeliveryStatus.FAILED, "The number cannot take calls."),
}
# Statuses saying the address itself is dead: its channel is marked undeliverable.
DEAD_ADDRESS = {"permanent-failure", "invalid-number"}


class MalformedReceipt(ValueError):
    """The payload is not a receipt we understand: the webhook answers 400."""


@dataclass(frozen=True)
class Receipt:
    provider: str
    event_id: str
    status: str
    reference: str = ""
    provider_id: str = ""
    reason: str = ""
    occurred_at: datetime | None = None


def _text(payload: dict, name: str, *, required: bool = False) -> str:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise MalformedReceipt(f"'{name}' is missing.")
        return ""
    if not isinstance(value, str) or len(value) > 255:
        raise MalformedReceipt(f"'{name}' must be a string of at most 255 characters.")
    return value


def _when(payload: dict, *names: str) -> datetime | None:
    for name in names:
        raw = payload.get(name)
        if isinstance(raw, str) and (parsed := parse_datetime(raw)) is not None:
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)
    return None


def notify_receipt_parse(payload) -> Receipt:
    """Notify's delivery-status callback: {id, reference, to, status, created_at, completed_at,
    sent_at, notification_type}."""
    if not isinstance(payload, dict):
        raise MalformedReceipt("The body must be a JSON object.")
    status = _text(payload, "status", required=True)
    if status not in NOTIFY_STATUSES:
        raise MalformedReceipt(f"Unknown status {status!r}.")
    notification_id = _text(payload, "id", required=True)
    return Receipt(
        provider="notify",
        # One final status per notification; the status in the key keeps a corrected one apart.
        event_id=f"{notification_id}:{status}"[:100],
        status=status,
        reference=_text(payload, "reference"),
        provider_id=notification_id,
        occurred_at=_when(payload, "completed_at", "sent_at"),
    )


def voice_receipt_parse(payload) -> Receipt:
    """The voice provider's callback: {event_id, id, reference, status, reason, completed_at}."""
    if not isinstance(payload, dict):
        raise MalformedReceipt("The body must be a JSON object.")
    status = _text(payload, "status", required=True)
    if status not in VOICE_STATUSES:
        raise MalformedReceipt(f"Unknown status {status!r}.")
    call_id = _text(payload, "id", required=True)
    return Receipt(
        provider="voice",
        event_id=(_text(payload, "event_id") or f"{call_id}:{status}")[:100],
        status=status,
        reference=_text(payload, "reference"),
        provider_id=call_id,
        reason=_text(payload, "reason"),
        occurred_at=_when(payload, "completed_at"),
    )


def _delivery_for(receipt: Receipt):
    rows = Delivery.objects.none()
    if receipt.reference:
        try:
            rows = Delivery.objects.filter(token=uuid.UUID(receipt.reference))
        except ValueError:
            rows = Delivery.objects.none()
    found = rows.first()
    if found is None and receipt.provider_id:
        found = Delivery.objects.filter(provider_id=receipt.provider_id).first()
    return found


def address_dead(*, delivery, detail: str) -> None:
    """The provider says the delivery's address cannot receive: its channel is undeliverable, and
    a dead email address starts bounce recovery (a text asking for a new one)."""
    from messaging.inbox.bounces import email_bounced

    row = SubscriberChannel.objects.filter(
        subscriber_id=delivery.subscriber_id, channel=delivery.channel, status=ChannelStatus.ACTIVE
    ).first()
    if row is None:
        return
    SubscriberChannel.objects.filter(pk=row.pk).update(status=ChannelStatus.UNDELIVERABLE, status_reason=detail)
    if row.channel == Channel.EMAIL:
        email_bounced(subscriber_id=row.subscriber_id, address=row.address, reason=detail)


def _answer_receipt(receipt: Receipt, new_status: str, reason: str) -> str:
    """A receipt for a staff member's answer to a reply (its token was the reference)."""
    try:
        token = uuid.UUID(receipt.reference) if receipt.reference else None
    except ValueError:
        token = None
    if token is None:
        return "unknown"
    outcome = AnswerOutcome.DELIVERED if new_status == DeliveryStatus.DELIVERED else AnswerOutcome.FAILED
    changed = ReplyAnswer.objects.filter(token=token, outcome=AnswerOutcome.SENT).update(
        outcome=outcome, error="" if outcome == AnswerOutcome.DELIVERED else f"{reason} {receipt.reason}".strip()[:255]
    )
    exists = changed or ReplyAnswer.objects.filter(token=token).exists()
    return ("applied" if changed else "ignored") if exists else "unknown"


def receipt_apply(*, receipt: Receipt, payload: dict) -> str:
    """Apply one receipt: "applied", "replay" (seen before), "unknown" (no such delivery) or
    "ignored" (the delivery already has a final state)."""
    statuses = NOTIFY_STATUSES if receipt.provider == "notify" else VOICE_STATUSES
    new_status, reason = statuses[receipt.status]
    try:
        with transaction.atomic():
            ReceiptEvent.objects.create(provider=receipt.provider, event_id=receipt.event_id, payload=payload)
            delivery = _delivery_for(receipt)
            if delivery is None:
                return _answer_receipt(receipt, new_status, reason)
            # Sending too: the receipt can overtake the worker's own "sent" update.
            open_rows = Delivery.objects.filter(
                pk=delivery.pk, status__in=(DeliveryStatus.SENDING, DeliveryStatus.SENT)
            )
            when = receipt.occurred_at or timezone.now()
            if new_status == DeliveryStatus.DELIVERED:
                changed = open_rows.update(status=new_status, delivered_at=when)
            else:
                detail = f"{reason} {receipt.reason}".strip()[:255]
                changed = open_rows.update(status=new_status, error=detail)
                if changed and receipt.status in DEAD_ADDRESS:
                    address_dead(delivery=delivery, detail=detail)
            return "applied" if changed else "ignored"
    except IntegrityError:
        return "replay"
