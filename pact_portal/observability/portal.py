"""The portal's own gauges, read afresh on every scrape: deliveries, queues, alerts sending,
provider errors and 429s, and each beat job's last success.

Each source is read on its own; one that fails (Redis down) is reported as
pact_metrics_source_up{source="..."} 0 and the others are still exported.
"""

import logging
import time
from datetime import timedelta

from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from pact_portal.beat import BEAT_SCHEDULE
from pact_portal.observability import heartbeats, selectors

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's messages of priority 0 under its name and the higher
# priority steps under name + "\x06\x16" + step.
KOMBU_PRIORITY_SEP = "\x06\x16"
KOMBU_PRIORITY_STEPS = (3, 6, 9)


def celery_queues() -> list[str]:
    return list(getattr(settings, "METRICS_CELERY_QUEUES", ["celery"]))


def queue_lengths(*, broker_url: str | None = None) -> dict[str, int] | None:
    """Messages waiting on each Celery queue (Redis list lengths), in one round trip; None when the
    broker is not Redis (the embedded default runs tasks in-process and has no queue)."""
    import redis

    url = settings.CELERY_BROKER_URL if broker_url is None else broker_url
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        pipe = client.pipeline(transaction=False)
        queues = celery_queues()
        # The queues live under the deployment's prefix (CELERY_QUEUE_PREFIX); the gauge is labelled
        # by class, so dashboards and alert rules read the same whatever the prefix.
        for queue in queues:
            key = f"{settings.CELERY_QUEUE_PREFIX}{queue}"
            pipe.llen(key)
            for step in KOMBU_PRIORITY_STEPS:
                pipe.llen(f"{key}{KOMBU_PRIORITY_SEP}{step}")
        lengths = pipe.execute()
    finally:
        client.close()
    per_queue = len(KOMBU_PRIORITY_STEPS) + 1
    return {queue: sum(lengths[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(queues)}


def expected_interval(schedule) -> float:
    """Seconds between runs of a beat entry, at their widest (for "stale after twice this")."""
    if isinstance(schedule, crontab):
        if len(schedule.day_of_month) < 31 or len(schedule.month_of_year) < 12 or len(schedule.day_of_week) < 7:
            return timedelta(days=31).total_seconds()
        if len(schedule.hour) < 24:
            return _widest_gap(schedule.hour, 24) * 3600
        return _widest_gap(schedule.minute, 60) * 60
    if isinstance(schedule, interval_schedule):
        return schedule.run_every.total_seconds()
    return timedelta(days=1).total_seconds()


def _widest_gap(values, period: int) -> int:
    ordered = sorted(values)
    gaps = [later - earlier for earlier, later in zip(ordered, ordered[1:], strict=False)]
    return max([*gaps, ordered[0] + period - ordered[-1]])


CACHE_KEY = "metrics-portal:{source}"


def _cached(source: str, read):
    """`read()`, shared through the cache for METRICS_CACHE_SECONDS: every web process and every
    Prometheus server scraping them then costs the database one read per interval, not one each."""
    seconds = getattr(settings, "METRICS_CACHE_SECONDS", 0)
    if not seconds:
        return read()
    key = CACHE_KEY.format(source=source)
    found = cache.get(key)
    if found is None:
        found = read()
        cache.set(key, found, timeout=seconds)
    return found


def _deliveries():
    family = GaugeMetricFamily(
        "pact_deliveries",
        "Deliveries of alerts released in the last 24 hours, by channel and status",
        labels=["channel", "status"],
    )
    for channel, status, count in _cached("deliveries", selectors.deliveries_by_channel_and_status):
        family.add_metric([channel, status], count)
    yield family


def _alerts():
    found = _cached("alerts", selectors.alerts_sending)
    yield GaugeMetricFamily("pact_alerts_sending", "Alerts being sent now", value=found["sending"])
    oldest = found["oldest_queued_at"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0
    yield GaugeMetricFamily(
        "pact_delivery_oldest_queued_age_seconds",
        "Age of the oldest delivery still queued (0 when none is)",
        value=max(age, 0),
    )


def _attempts():
    outcomes = _cached("attempts", selectors.recent_attempt_outcomes)
    family = GaugeMetricFamily(
        "pact_delivery_attempts_recent",
        "Send attempts at the providers in the last 5 minutes, by outcome "
        "(transient and permanent: provider errors; rate_limited: the provider's 429)",
        labels=["outcome"],
    )
    for outcome in sorted({"sent", "transient", "permanent", "rate_limited", *outcomes}):
        family.add_metric([outcome], outcomes.get(outcome, 0))
    yield family


def _queues():
    lengths = queue_lengths()
    if lengths is None:
        return
    family = GaugeMetricFamily("pact_celery_queue_length", "Tasks waiting on each Celery queue", labels=["queue"])
    for queue, length in lengths.items():
        family.add_metric([queue], length)
    yield family


def _beat():
    last = heartbeats.heartbeats()
    success = GaugeMetricFamily(
        "pact_beat_last_success_timestamp_seconds",
        "When each beat job last succeeded (Unix time; 0: not since the cache was emptied)",
        labels=["job"],
    )
    interval = GaugeMetricFamily(
        "pact_beat_expected_interval_seconds", "The widest gap between a beat job's scheduled runs", labels=["job"]
    )
    for job, entry in BEAT_SCHEDULE.items():
        success.add_metric([job], last.get(job) or 0)
        interval.add_metric([job], expected_interval(entry["schedule"]))
    yield success
    yield interval


SOURCES = {"deliveries": _deliveries, "alerts": _alerts, "attempts": _attempts, "queues": _queues, "beat": _beat}


def portal_metrics():
    up = GaugeMetricFamily(
        "pact_metrics_source_up", "Whether each source of the portal's gauges answered", labels=["source"]
    )
    started = time.perf_counter()
    for name, read in SOURCES.items():
        try:
            families = list(read())
        except Exception:
            logger.warning("Metrics source %s failed", name, exc_info=True)
            up.add_metric([name], 0)
            continue
        up.add_metric([name], 1)
        yield from families
    yield up
    yield GaugeMetricFamily(
        "pact_metrics_portal_read_seconds",
        "Time taken to read the portal's gauges",
        value=time.perf_counter() - started,
    )
