"""Sending: workers take batches of queued deliveries and send each exactly once.

A delivery is claimed before it is sent, with a conditional update (queued → sending) that only
one worker can win, so a send task that runs twice (a redelivered message after a lost
acknowledgement, a duplicate in the queue) sends nothing twice. A claim whose worker died is
given back only after a lease (MESSAGING_CLAIM_LEASE_SECONDS), longer than any provider call.

Transient failures (provider down, 429, 5xx) go back to the queue with exponential backoff and
jitter, honouring the provider's Retry-After, up to MESSAGING_MAX_ATTEMPTS: the delivery's
next_attempt_at is set and nothing else. No delayed task is parked per failure (a long outage
during a large alert would hold a million of them in worker memory, each liable to outlive the
broker's visibility timeout); the beat's sweep (`deliveries_due_queue`) queues what is due, the
same way it sends deliveries quiet hours held back. Permanent ones fail
at once with the reason, and an address the provider says cannot receive is marked
undeliverable. Every try leaves a DeliveryAttempt. Cancelling an alert stops its remaining
deliveries: the cancel marks queued rows cancelled and each batch checks the alert first.
"""

import logging
import random
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from messaging.delivery import ratelimit
from messaging.delivery.channels import PermanentSendError, TransientSendError, get_sender
from messaging.delivery.channels.email import InvalidAddressError
from messaging.delivery.routing import send_class_for_kind
from messaging.models import (
    Alert,
    AlertStatus,
    Channel,
    ChannelStatus,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    SubscriberChannel,
)
from messaging.rendering import render_delivery, sms_segments

logger = logging.getLogger(__name__)

# How many deliveries one send task covers, and how many are read (and the alert re-checked) at a time.
SEND_BATCH = getattr(settings, "MESSAGING_SEND_BATCH", 500)
CHUNK = 100
# Longer than any provider call can take (their timeouts are ~20 s), so a live worker never loses its claim.
LEASE = timedelta(seconds=getattr(settings, "MESSAGING_CLAIM_LEASE_SECONDS", 600))
MAX_ATTEMPTS = getattr(settings, "MESSAGING_MAX_ATTEMPTS", 6)
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600

PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)


def retry_delay(*, attempts: int, retry_after: float | None = None, rng=random) -> float:
    """Seconds before try number `attempts + 1`: 30 s, 60 s, 120 s … capped at an hour, with
    "equal jitter" (half fixed, half random) so a provider outage does not end in a stampede of
    every worker at once; never sooner than the provider's Retry-After."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)  # noqa: S311 - spreading retries, not a secret
    return max(delay, retry_after or 0)


def alert_complete_if_done(*, alert_id: int, now=None) -> bool:
    """Mark a sending alert sent once its fan-out is recorded and nothing is queued or sending."""
    pending = Delivery.objects.filter(alert_id=OuterRef("pk"), status__in=PENDING)
    return bool(
        Alert.objects.filter(pk=alert_id, status=AlertStatus.SENDING, fanout_completed_at__isnull=False)
        .filter(~Exists(pending))
        .update(status=AlertStatus.SENT, completed_at=now or timezone.now())
    )


def send_ranges(
    *, alert_id: int, channel: str, batch_size: int = SEND_BATCH, first_id: int = 0, last_id: int = 2**62
) -> list[tuple[int, int]]:
    """(first id, last id) of each run of `batch_size` queued deliveries ready to go (not waiting
    for a time), from one indexed query, so queueing the sends of a million deliveries never
    loads a million ids."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    sql = (
        f"SELECT id, n, total FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n, COUNT(*) OVER () AS total "  # noqa: S608 - table name from the model, values are parameters
        f"FROM {table} WHERE alert_id = %s AND channel = %s AND status = %s AND next_attempt_at IS NULL "
        f"AND id BETWEEN %s AND %s) numbered "
        f"WHERE (n - 1) %% %s = 0 OR n = total ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [alert_id, channel, DeliveryStatus.QUEUED, first_id, last_id, batch_size])
        rows = cursor.fetchall()
    starts = [pk for pk, n, _total in rows if (n - 1) % batch_size == 0]
    # Rows come in id order and the last one is the highest queued id (n = total).
    ends = [start - 1 for start in starts[1:]] + [rows[-1][0]] if rows else []
    return list(zip(starts, ends, strict=True))


def sends_queue(*, alert_id: int, channels, first_id: int = 0, last_id: int = 2**62) -> int:
    """Queue one send task per batch of ready deliveries of each channel; returns how many."""
    from messaging.tasks import deliveries_send_task

    queued = 0
    for channel in channels:
        for start, end in send_ranges(alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id):
            deliveries_send_task.delay(alert_id=alert_id, channel=channel, first_id=start, last_id=end)
            queued += 1
    return queued


def deliveries_due_queue(*, now=None) -> dict[str, int]:
    """The sweep, run by beat: deliveries whose time has come (quiet hours over, a retry's
    backoff served) become ready, and a send task is queued per batch of them.

    Each group is taken with a conditional update (due → ready, i.e. next_attempt_at cleared),
    so two sweeps at once cannot both queue the same rows; and every send claims each delivery
    again before sending it, so nothing is sent twice even if a batch's task runs twice."""
    now = now or timezone.now()
    due = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
    groups = list(
        Delivery.objects.filter(due, alert__status=AlertStatus.SENDING)
        .values("alert_id", "channel")
        .annotate(first=Min("pk"), last=Max("pk"))
        .order_by()
    )
    released = tasks = 0
    for group in groups:
        rows = Delivery.objects.filter(
            due, alert_id=group["alert_id"], channel=group["channel"], pk__gte=group["first"], pk__lte=group["last"]
        )
        taken = rows.update(next_attempt_at=None)
        if taken:
            released += taken
            tasks += sends_queue(
                alert_id=group["alert_id"], channels=[group["channel"]], first_id=group["first"], last_id=group["last"]
            )
    return {"released": released, "tasks": tasks}


def _due(*, alert_id: int, channel: str, after: int, last_id: int, now):
    address = SubscriberChannel.objects.filter(subscriber_id=OuterRef("subscriber_id"), channel=OuterRef("channel"))
    return (
        Delivery.objects.filter(alert_id=alert_id, channel=channel, pk__gt=after, pk__lte=last_id)
        .filter(status=DeliveryStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related("subscriber")
        .annotate(
            address=Subquery(address.values("address")[:1]), channel_status=Subquery(address.values("status")[:1])
        )
        .order_by("pk")
    )


def _cancel_queued(*, alert_id: int, first_id: int = 0, last_id: int | None = None) -> int:
    rows = Delivery.objects.filter(alert_id=alert_id, status=DeliveryStatus.QUEUED, pk__gte=first_id)
    if last_id is not None:
        rows = rows.filter(pk__lte=last_id)
    return rows.update(status=DeliveryStatus.CANCELLED, error="The alert was cancelled.")


def deliveries_send(*, alert_id: int, channel: str, first_id: int, last_id: int) -> dict[str, int]:
    """Send the due, queued deliveries of one alert and channel with ids first_id..last_id.

    Safe to run any number of times, at once or one after another: each delivery is claimed
    before it is sent and only its claimant sends it."""
    tally = dict.fromkeys(("sent", "retrying", "failed", "skipped", "cancelled"), 0)
    # The alert's versions in other languages are read once here, for every delivery of the batch.
    alert = Alert.objects.select_related("agency").prefetch_related("translations").filter(pk=alert_id).first()
    if alert is None or alert.status != AlertStatus.SENDING:
        if alert is not None and alert.status == AlertStatus.CANCELLED:
            tally["cancelled"] = _cancel_queued(alert_id=alert_id, first_id=first_id, last_id=last_id)
        return tally
    sender = get_sender(channel)
    # Senders that hold a session (SMTP) keep one for the whole batch.
    if (open_session := getattr(sender, "open", None)) is not None:
        open_session()
    after = first_id - 1
    try:
        while chunk := list(
            _due(alert_id=alert_id, channel=channel, after=after, last_id=last_id, now=timezone.now())[:CHUNK]
        ):
            for delivery in chunk:
                delivery.alert = alert
                tally[delivery_send(delivery=delivery, sender=sender)] += 1
            after = chunk[-1].pk
            if Alert.objects.filter(pk=alert_id, status=AlertStatus.CANCELLED).exists():
                tally["cancelled"] += _cancel_queued(alert_id=alert_id, first_id=first_id, last_id=last_id)
                break
    finally:
        close = getattr(sender, "close", None)
        if close is not None:
            close()
    alert_complete_if_done(alert_id=alert_id)
    return tally


def delivery_send(*, delivery, sender) -> str:
    """Claim one delivery and send it: "sent", "retrying", "failed" or "skipped" (someone else
    has it, or its channel was unsubscribed since the fan-out)."""
    if getattr(delivery, "channel_status", ChannelStatus.ACTIVE) != ChannelStatus.ACTIVE:
        # Unsubscribing takes effect at once, even for an alert already on its way.
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.CANCELLED, error="The subscriber stopped this channel before it was sent."
        )
        return "skipped"
    ratelimit.acquire(delivery.channel, send_class=send_class_for_kind(delivery.alert.kind))
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    attempts = delivery.attempts + 1
    try:
        message = render_delivery(delivery=delivery)
        result = _sent_before(delivery, sender=sender, message=message) or sender.send(message)
    except TransientSendError as exc:
        return _transient(delivery, attempts=attempts, exc=exc)
    except PermanentSendError as exc:
        return _failed(
            delivery, outcome="permanent", detail=str(exc), invalid_address=isinstance(exc, InvalidAddressError)
        )
    except Exception as exc:
        # A bug or an unforeseen library error must not take the rest of the batch with it.
        # The stack, not the message: libraries put the address or number in their messages, and
        # the logs must hold no one's contact details.
        stack = "".join(traceback.format_tb(exc.__traceback__))
        logger.error("Unexpected %s sending delivery %s\n%s", type(exc).__name__, delivery.pk, stack)
        return _transient(delivery, attempts=attempts, exc=TransientSendError(f"Unexpected error: {exc!r}"))
    segments = sms_segments(message.body) if delivery.channel == Channel.SMS else None
    _sent(delivery, provider_id=result.provider_id, segments=segments)
    return "sent"


def _sent_before(delivery, *, sender, message):
    """The provider's record of this message if an earlier try already got it there.

    A try can reach the provider and still leave no trace here: the worker killed, or its
    database connection cut, between the provider's answer and the commit; or the answer lost
    to a timeout. Sending again would reach the person twice, so a delivery tried before is
    first looked up by its reference, where the sender can (`find_sent`); the rest are sent
    again, at least once rather than not at all."""
    find_sent = getattr(sender, "find_sent", None)
    if not delivery.attempts or find_sent is None or not message.reference:
        return None
    return find_sent(message.reference)


@transaction.atomic
def _sent(delivery, *, provider_id: str, segments: int | None = None) -> None:
    now = timezone.now()
    fields = {"sent_at": now, "provider_id": provider_id[:100], "segments": segments}
    # Queued too: a reclaim may have given the row back while a very slow provider call finished.
    updated = Delivery.objects.filter(pk=delivery.pk, status__in=PENDING).update(
        status=DeliveryStatus.SENT, error="", next_attempt_at=None, **fields
    )
    if not updated:
        # The provider's receipt arrived first and already said delivered or failed: keep that.
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
    DeliveryAttempt.objects.create(delivery_id=delivery.pk, attempted_at=now, outcome="sent", detail=provider_id[:255])


def _transient(delivery, *, attempts: int, exc: TransientSendError) -> str:
    if attempts >= MAX_ATTEMPTS:
        return _failed(delivery, outcome="transient", detail=f"Gave up after {attempts} attempts: {exc}")
    now = timezone.now()
    delay = retry_delay(attempts=attempts, retry_after=exc.retry_after)
    retry_at = now + timedelta(seconds=delay)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED, claimed_at=None, next_attempt_at=retry_at, error=str(exc)[:255]
        )
        DeliveryAttempt.objects.create(
            delivery_id=delivery.pk,
            attempted_at=now,
            outcome="rate_limited" if isinstance(exc, ratelimit.ProviderRateLimited) else "transient",
            detail=str(exc)[:255],
            retry_at=retry_at,
        )
    return "retrying"


@transaction.atomic
def _failed(delivery, *, outcome: str, detail: str, invalid_address: bool = False) -> str:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED, error=detail[:255], next_attempt_at=None
    )
    DeliveryAttempt.objects.create(delivery_id=delivery.pk, attempted_at=now, outcome=outcome, detail=detail[:255])
    if invalid_address:
        rows = SubscriberChannel.objects.filter(subscriber_id=delivery.subscriber_id, channel=delivery.channel)
        address = rows.exclude(status=ChannelStatus.UNDELIVERABLE).values_list("address", flat=True).first()
        rows.exclude(status=ChannelStatus.UNSUBSCRIBED).update(
            status=ChannelStatus.UNDELIVERABLE, status_reason=detail[:255]
        )
        if delivery.channel == Channel.EMAIL and address is not None:
            from messaging.inbox.bounces import email_bounced

            email_bounced(subscriber_id=delivery.subscriber_id, address=address, reason=detail)
    return "failed"


def deliveries_reclaim(*, now=None) -> dict[str, int]:
    """The safety net, run by beat: give back claims whose lease expired (their worker died),
    fail those out of attempts, restart fan-outs that never finished and close alerts with
    nothing left to send. (Retries are the due sweep's: `deliveries_due_queue`.)"""
    now = now or timezone.now()
    expired = Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - LEASE)
    groups = list(
        Delivery.objects.filter(expired, alert__status=AlertStatus.SENDING)
        .values("alert_id", "channel")
        .annotate(first=Min("pk"), last=Max("pk"))
        .order_by()
    )
    failed = Delivery.objects.filter(expired, attempts__gte=MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, error="The worker sending it stopped, and it was out of attempts."
    )
    reclaimed = Delivery.objects.filter(expired).update(status=DeliveryStatus.QUEUED, claimed_at=None)
    restarted = _fan_outs_restart(now=now)
    from messaging.tasks import deliveries_send_task

    for group in groups:
        deliveries_send_task.delay(
            alert_id=group["alert_id"], channel=group["channel"], first_id=group["first"], last_id=group["last"]
        )
    pending = Delivery.objects.filter(alert_id=OuterRef("pk"), status__in=PENDING)
    completed = (
        Alert.objects.filter(status=AlertStatus.SENDING, fanout_completed_at__isnull=False)
        .filter(~Exists(pending))
        .update(status=AlertStatus.SENT, completed_at=now)
    )
    return {
        "failed": failed,
        "reclaimed": reclaimed,
        "requeued": len(groups),
        "fan_outs": restarted,
        "completed": completed,
    }


def _fan_outs_restart(*, now) -> int:
    # A fan-out is idempotent (ON CONFLICT DO NOTHING), so one whose task was lost simply runs again.
    from messaging.tasks import alert_fan_out_task

    stuck = list(
        # updated_at too: a scheduled alert was released long ago but started sending only now.
        Alert.objects.filter(
            status=AlertStatus.SENDING,
            fanout_completed_at__isnull=True,
            released_at__lt=now - LEASE,
            updated_at__lt=now - LEASE,
        ).values_list("pk", flat=True)
    )
    for alert_id in stuck:
        alert_fan_out_task.delay(alert_id=alert_id)
    return len(stuck)
