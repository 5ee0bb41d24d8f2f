"""The email digest: a member who asked for one gets a routine alert's email gathered with the
others into one compact email a day (or a week, on Mondays) instead of one email each.

The fan-out records those deliveries as "digest" (messaging.delivery.audience.delivery_status);
they do not hold their alert open. Beat runs `digests_send` each morning. Each member's waiting
deliveries are claimed with one conditional update (stamping claimed_at on unclaimed rows), so
two runs at once cannot both send them, and a run that died frees them after the senders' lease.
One email carries them all, and every delivery it carried is marked sent with the same provider
id. A transient failure gives them back for the next morning's run.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from messaging import links
from messaging.delivery.audience import MEMBER_ZONE
from messaging.delivery.channels import OutgoingMessage, PermanentSendError, TransientSendError, get_sender
from messaging.delivery.sending import LEASE
from messaging.models import (
    AlertStatus,
    Channel,
    ChannelStatus,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Digest,
    SubscriberChannel,
)
from messaging.rendering import markdown_text

# An alert's text in a digest is cut to this many characters: a digest is for skimming.
SUMMARY_CHARS = 280
MONDAY = 0


def digests_due(*, now: datetime) -> list[str]:
    """Which members' digests go this morning: daily ones always, weekly ones on Mondays, and
    (so nothing waits for ever) members who have since gone back to each alert by itself."""
    due = [Digest.DAILY, Digest.NONE]
    if now.astimezone(MEMBER_ZONE).weekday() == MONDAY:
        due.append(Digest.WEEKLY)
    return due


def digests_send(*, now=None) -> dict[str, int]:
    """Send every due digest; returns a tally of digests sent, retrying, failed and skipped."""
    now = now or timezone.now()
    members = list(
        Delivery.objects.filter(status=DeliveryStatus.DIGEST, subscriber__email_digest__in=digests_due(now=now))
        .order_by("subscriber_id")
        .values_list("subscriber_id", flat=True)
        .distinct()
    )
    tally = dict.fromkeys(("sent", "retrying", "failed", "skipped"), 0)
    if not members:
        return tally
    sender = get_sender(Channel.EMAIL)
    if (open_session := getattr(sender, "open", None)) is not None:
        open_session()
    try:
        for subscriber_id in members:
            tally[digest_send(subscriber_id=subscriber_id, sender=sender, now=now)] += 1
    finally:
        if (close := getattr(sender, "close", None)) is not None:
            close()
    return tally


def digest_send(*, subscriber_id: int, sender, now) -> str:
    """Claim one member's waiting deliveries and send them as one email."""
    row = SubscriberChannel.objects.filter(subscriber_id=subscriber_id, channel=Channel.EMAIL).first()
    # A claim whose run died (past the senders' lease) is free again; a live one is left alone.
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)
    waiting = Delivery.objects.filter(free, subscriber_id=subscriber_id, status=DeliveryStatus.DIGEST)
    if row is None or row.status != ChannelStatus.ACTIVE:
        waiting.update(status=DeliveryStatus.CANCELLED, error="The member stopped email before their digest.")
        return "skipped"
    if not waiting.update(claimed_at=now):
        return "skipped"  # another run has them
    claimed = Delivery.objects.filter(subscriber_id=subscriber_id, status=DeliveryStatus.DIGEST, claimed_at=now)
    deliveries = list(
        claimed.filter(alert__status__in=[AlertStatus.SENDING, AlertStatus.SENT])
        .select_related("alert", "subscriber")
        .order_by("alert__released_at", "pk")
    )
    claimed.exclude(pk__in=[d.pk for d in deliveries]).update(
        status=DeliveryStatus.CANCELLED, error="The alert was cancelled."
    )
    if not deliveries:
        return "skipped"
    try:
        result = sender.send(digest_message(deliveries=deliveries, to=row.address))
    except TransientSendError as exc:
        claimed.update(claimed_at=None, error=str(exc)[:255])
        return "retrying"
    except PermanentSendError as exc:
        _record(deliveries, status=DeliveryStatus.FAILED, outcome="permanent", detail=str(exc), now=now)
        return "failed"
    _record(deliveries, status=DeliveryStatus.SENT, outcome="sent", detail=result.provider_id, now=now)
    return "sent"


def _record(deliveries, *, status: str, outcome: str, detail: str, now) -> None:
    ids = [d.pk for d in deliveries]
    if status == DeliveryStatus.SENT:
        fields = {"sent_at": now, "provider_id": detail[:100], "error": ""}
    else:
        fields = {"error": detail[:255]}
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.DIGEST).update(status=status, attempts=1, **fields)
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(delivery_id=pk, attempted_at=now, outcome=outcome, detail=detail[:255]) for pk in ids
    )


def digest_message(*, deliveries, to: str) -> OutgoingMessage:
    """One compact email: each alert's title, date and the start of its text, with its own
    feedback link; the member's manage and unsubscribe links once, at the end."""
    first = deliveries[0]
    items = [
        {
            "title": d.alert.title,
            "sent": d.alert.released_at,
            "summary": _summary(d.alert.body),
            "feedback_url": links.feedback_url(delivery=d),
        }
        for d in deliveries
    ]
    unsubscribe = links.unsubscribe_url(delivery=first)
    context = {
        "items": items,
        "count": len(items),
        "manage_url": links.manage_url(subscriber=first.subscriber),
        "unsubscribe_url": unsubscribe,
        "site_name": getattr(settings, "SITE_NAME", "PACT Portal"),
    }
    with translation.override(first.subscriber.language):
        subject = " ".join(render_to_string("messaging/emails/digest_subject.txt", context).split())
        body = render_to_string("messaging/emails/digest_body.txt", context)
        html = render_to_string("messaging/emails/digest_body.html", context)
    return OutgoingMessage(
        channel=Channel.EMAIL,
        to=to,
        subject=subject,
        body=body,
        html=html,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        reference=str(first.token),
    )


def _summary(body: str) -> str:
    text = " ".join(markdown_text(body).split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
