"""In the Know's Celery tasks: they take ids and call the engine (fanout, sending) or a service.

Every task acknowledges late, so a worker that dies mid-task has its message redelivered; each
is safe to run again (the fan-out's unique constraint, the sends' claims). Database and broker
hiccups are retried by the task with backoff; a provider's transient errors are retried per
delivery by the sending engine, which knows each one's attempts.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from messaging import fanout, sending

INFRASTRUCTURE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError, ConnectionError)
TASK_OPTIONS = {
    "acks_late": True,
    # A worker killed mid-task (OOM, deploy) puts the message back rather than losing it.
    "reject_on_worker_lost": True,
    "autoretry_for": INFRASTRUCTURE_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**TASK_OPTIONS)
def alert_fan_out_task(*, alert_id: int) -> int:
    """Record a released alert's deliveries and queue their sends."""
    return fanout.alert_fan_out(alert_id=alert_id)


@shared_task(**TASK_OPTIONS)
def deliveries_send_task(*, alert_id: int, channel: str, first_id: int, last_id: int) -> dict:
    """Send one batch of an alert's deliveries on one channel (ids first_id..last_id)."""
    return sending.deliveries_send(alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id)


@shared_task(**TASK_OPTIONS)
def alerts_release_due_task() -> int:
    """Release scheduled alerts whose send time has come."""
    from messaging.services_alerts import alerts_release_due

    return alerts_release_due(now=timezone.now())


@shared_task(**TASK_OPTIONS)
def deliveries_reclaim_task() -> dict:
    """Give back expired claims, requeue lost retries and fan-outs, close finished alerts."""
    return sending.deliveries_reclaim(now=timezone.now())
