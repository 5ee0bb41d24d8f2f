"""Reads behind the portal's own gauges: a fixed number of queries, each bounded by an index,
whatever the size of the deliveries table (pinned in tests/test_observability_metrics.py)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from messaging.models import Alert, AlertStatus, Channel, Delivery, DeliveryAttempt, DeliveryStatus

# Deliveries are counted for alerts released this recently: the state of current sending, not a
# history (the measures pages have that). The count is over every delivery of those alerts (200,000
# took 0.2 s on PostgreSQL), so the window is kept short and the result cached (METRICS_CACHE_SECONDS).
DELIVERY_WINDOW = timedelta(days=1)
# Provider errors and 429s are read from the send attempts of the last few minutes.
ATTEMPT_WINDOW = timedelta(minutes=5)


def deliveries_by_channel_and_status(*, now=None) -> list[tuple[str, str, int]]:
    cutoff = (now or timezone.now()) - DELIVERY_WINDOW
    recent = Alert.objects.filter(released_at__gte=cutoff).order_by().values("pk")
    rows = (
        Delivery.objects.filter(alert_id__in=Subquery(recent))
        .values("channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(row["channel"], row["status"], row["n"]) for row in rows]


def alerts_sending(*, now=None) -> dict:
    """How many alerts are sending, and the queued_at of the oldest delivery still queued.

    The oldest queued delivery of an alert and channel is its lowest id (a fan-out inserts in
    order), found through the senders' index (alert, channel, status, id) without reading the rest;
    only sending alerts have queued deliveries (cancelling cancels them, completing needs none)."""
    oldest = {
        channel: Subquery(
            Delivery.objects.filter(alert_id=OuterRef("pk"), channel=channel, status=DeliveryStatus.QUEUED)
            .order_by("pk")
            .values("queued_at")[:1]
        )
        for channel in Channel.values
    }
    sending = Alert.objects.filter(status=AlertStatus.SENDING).annotate(**{f"oldest_{c}": q for c, q in oldest.items()})
    rows = list(sending.values_list(*[f"oldest_{c}" for c in Channel.values]))
    stamps = [stamp for row in rows for stamp in row if stamp is not None]
    return {"sending": len(rows), "oldest_queued_at": min(stamps) if stamps else None}


def attempt_cap() -> int:
    """Most attempts the window can hold at the configured provider limits, twice over: reading no
    more than this many of the newest attempts (by primary key) still sees the whole window."""
    per_second = sum(float(limit or 0) for limit in getattr(settings, "MESSAGING_RATE_LIMITS", {}).values())
    return max(10_000, int(per_second * ATTEMPT_WINDOW.total_seconds() * 2))


def recent_attempt_outcomes(*, now=None) -> dict[str, int]:
    """Send attempts of the last ATTEMPT_WINDOW by outcome (sent, transient, permanent,
    rate_limited: the provider's 429). The newest attempts are read through the primary key."""
    cutoff = (now or timezone.now()) - ATTEMPT_WINDOW
    cap = attempt_cap()
    # The id `cap` rows from the newest (0 when there are fewer): a range scan of the primary key
    # from there, where an IN over the newest ids hashed them all (0.6 s against 0.05 s).
    bound = Coalesce(Subquery(DeliveryAttempt.objects.order_by("-pk").values("pk")[cap - 1 : cap]), Value(0))
    rows = (
        DeliveryAttempt.objects.filter(pk__gte=bound, attempted_at__gte=cutoff)
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["outcome"]: row["n"] for row in rows}
