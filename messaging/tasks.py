"""In the Know's Celery tasks: they take ids and call the engine (fanout, sending) or a service.

Every task acknowledges late, so a worker that dies mid-task has its message redelivered; each
is safe to run again (the fan-out's unique constraint, the sends' claims). Database hiccups are
retried by the task with backoff. A Redis hiccup (the broker, and the rate limiter's bucket) puts
the message back instead: a retry is a new message, which cannot be published while Redis is
down, and Celery then drops the original, leaving the rest of its batch queued with no task.
A provider's transient errors are retried per delivery by the sending engine, which knows each
one's attempts: it sets the delivery's next try, and the due sweep below queues it then.
"""

import functools
import time

from celery import shared_task
from celery.exceptions import Reject
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from messaging.delivery import fanout, sending
from messaging.delivery.channels import TransientSendError

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Kombu's error is a publish (a fan-out queueing its sends) that found no broker.
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, BrokerUnreachable)
# Before putting a message back, so a Redis that stays down is not asked again in a tight loop.
REQUEUE_PAUSE_SECONDS = 1
TASK_OPTIONS = {
    "acks_late": True,
    # A worker killed mid-task (OOM, deploy) puts the message back rather than losing it.
    "reject_on_worker_lost": True,
    "autoretry_for": DATABASE_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 8,
}


def requeued_when_redis_is_down(task):
    """Put the message back (redelivered once Redis answers again) rather than lose it."""

    @functools.wraps(task)
    def run(*args, **kwargs):
        try:
            return task(*args, **kwargs)
        except REDIS_ERRORS as exc:
            time.sleep(REQUEUE_PAUSE_SECONDS)
            raise Reject(exc, requeue=True) from exc

    return run


@shared_task(**TASK_OPTIONS)
@requeued_when_redis_is_down
def alert_fan_out_task(*, alert_id: int) -> int:
    """Record a released alert's deliveries and queue their sends."""
    return fanout.alert_fan_out(alert_id=alert_id)


@shared_task(**TASK_OPTIONS)
@requeued_when_redis_is_down
def deliveries_send_task(*, alert_id: int, channel: str, first_id: int, last_id: int) -> dict:
    """Send one batch of an alert's deliveries on one channel (ids first_id..last_id)."""
    return sending.deliveries_send(alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id)


@shared_task(**TASK_OPTIONS)
def member_message_send_task(*, kind: str, channel_id: int, site_url: str = "") -> bool:
    """A sign-up's confirmation link or code, or a manage link, for one of a member's channels."""
    from messaging.members.services.signup import member_message_send

    return member_message_send(kind=kind, channel_id=channel_id, site_url=site_url)


@shared_task(**TASK_OPTIONS)
def alerts_release_due_task() -> int:
    """Release scheduled alerts whose send time has come."""
    from messaging.alerts.services import alerts_release_due

    return alerts_release_due(now=timezone.now())


@shared_task(**TASK_OPTIONS)
def deliveries_reclaim_task() -> dict:
    """Give back expired claims, requeue lost retries and fan-outs, close finished alerts."""
    return sending.deliveries_reclaim(now=timezone.now())


@shared_task(**TASK_OPTIONS)
@requeued_when_redis_is_down
def deliveries_due_queue_task() -> dict:
    """Queue the sends of deliveries whose time has come: retries, and texts held by quiet hours."""
    return sending.deliveries_due_queue(now=timezone.now())


@shared_task(**TASK_OPTIONS)
@requeued_when_redis_is_down
def digests_send_task() -> dict:
    """Send the morning's email digests (daily ones, and weekly ones on Mondays)."""
    from messaging.delivery import digest

    return digest.digests_send(now=timezone.now())


@shared_task(**{**TASK_OPTIONS, "autoretry_for": (*DATABASE_ERRORS, TransientSendError), "max_retries": 10})
def reply_urgent_task(*, reply_id: int) -> dict:
    """An urgent reply: the member's 999 / 101 advice and the duty contact's alert, each once."""
    from messaging.inbox.services import reply_urgent_handle

    return reply_urgent_handle(reply_id=reply_id)


@shared_task(**{**TASK_OPTIONS, "autoretry_for": (*DATABASE_ERRORS, TransientSendError), "max_retries": 10})
def reply_answer_send_task(*, answer_id: int) -> str:
    """Send a staff member's answer to a reply."""
    from messaging.inbox.services import reply_answer_send

    return reply_answer_send(answer_id=answer_id)


@shared_task(**{**TASK_OPTIONS, "autoretry_for": (*DATABASE_ERRORS, TransientSendError), "max_retries": 10})
def bounce_recovery_text_task(*, recovery_id: int) -> bool:
    """Text a member whose email bounced for good, once, asking for a new address."""
    from messaging.inbox.bounces import bounce_recovery_text

    return bounce_recovery_text(recovery_id=recovery_id)
