"""Classes of work: each task lands on its class's queue (from settings), and the shared rate
limit serves an emergency's sends ahead of bulk ones waiting for the same provider."""

import threading
import time

import pytest
import redis
from django.db import OperationalError

from messaging.delivery import ratelimit, routing
from messaging.models import AlertKind
from pact_portal.celery import app as celery_app
from pact_portal.celery import route_task, worker_queues
from tests.messaging.factories import alert as make_alert


def queue_of(name: str, **kwargs) -> str:
    """Where Celery's router (settings CELERY_TASK_ROUTES) sends this task."""
    return celery_app.amqp.router.route({}, name, (), kwargs)["queue"].name


@pytest.mark.parametrize(
    ("kind", "queue"),
    [
        (AlertKind.EMERGENCY, "emergency"),
        (AlertKind.GENERAL, "alerts"),
        (AlertKind.APPEAL, "alerts"),
        (AlertKind.SURVEY, "bulk"),
        (AlertKind.MEETING_REMINDER, "bulk"),
    ],
)
def test_it_routes_an_alerts_fan_out_and_sends_by_its_kind(world, kind, queue):
    alert = make_alert(world, kind=kind)
    assert queue_of("messaging.tasks.alert_fan_out_task", alert_id=alert.pk) == queue
    send = {"alert_id": alert.pk, "channel": "sms", "first_id": 1, "last_id": 9}
    assert queue_of("messaging.tasks.deliveries_send_task", **send) == queue


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("messaging.tasks.deliveries_reclaim_task", "housekeeping"),
        ("messaging.tasks.alerts_release_due_task", "housekeeping"),
        ("reports.tasks.returns_mark_late_task", "housekeeping"),
        ("accounts.tasks.password_reset_email_task", "alerts"),
        ("priorities.tasks.notify_followers_task", "bulk"),
    ],
)
def test_it_routes_other_tasks_by_the_classes_in_settings(task, queue):
    assert queue_of(task) == queue


def test_it_takes_the_classes_and_their_queue_names_from_settings(world, settings):
    settings.MESSAGING_KIND_CLASSES = {"appeal": "emergency"}
    settings.CELERY_TASK_CLASSES = {"reports.tasks.returns_mark_late_task": "bulk"}
    settings.CELERY_QUEUE_PREFIX = "ci-7-"
    appeal = make_alert(world, kind=AlertKind.APPEAL)
    assert queue_of("messaging.tasks.alert_fan_out_task", alert_id=appeal.pk) == "ci-7-emergency"
    assert queue_of("reports.tasks.returns_mark_late_task") == "ci-7-bulk"
    assert worker_queues("emergency", "alerts") == "ci-7-emergency,ci-7-alerts"


def test_an_alert_that_is_gone_routes_as_an_ordinary_alert(db):
    assert queue_of("messaging.tasks.deliveries_send_task", alert_id=987654, channel="sms") == "alerts"


def test_a_retry_keeps_the_queue_it_came_in_on_without_asking_the_database(db, django_assert_num_queries):
    # What Task.retry publishes with: the exchange and routing key of the message being retried.
    came_in_on = {"exchange": "emergency", "routing_key": "emergency"}
    with django_assert_num_queries(0):
        assert route_task("messaging.tasks.deliveries_send_task", (), {"alert_id": 5}, came_in_on) is None


def test_it_still_queues_an_alerts_task_when_the_database_does_not_answer(monkeypatch):
    def refuse(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(routing, "alert_send_class", refuse)
    assert queue_of("messaging.tasks.deliveries_send_task", alert_id=5, channel="sms") == "alerts"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture(params=["local", "redis"])
def bucket_and_clock(request, settings):
    """The embedded (in-process) bucket on a fake clock, and the shared one in Redis on Redis's."""
    if request.param == "local":
        clock = FakeClock()
        yield ratelimit.LocalBucket(clock=clock), clock.sleep, "k"
        return
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL), as in CI")
    key = f"test:precedence:{time.time_ns()}"
    yield ratelimit.RedisBucket(settings.REDIS_URL), time.sleep, key
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(key, *(f"{key}:demand:{level}" for level in range(3)))


EMERGENCY, BULK = 0, 2


def test_an_emergency_is_served_ahead_of_waiting_bulk_sends(bucket_and_clock):
    bucket, sleep, key = bucket_and_clock
    take = {"rate": 10, "capacity": 5, "demand_seconds": 0.5}
    assert [bucket.take(key, level=BULK, **take) for _ in range(5)] == [0] * 5  # bulk has the whole bucket
    assert bucket.take(key, level=BULK, **take) > 0  # and now waits
    assert bucket.take(key, level=EMERGENCY, **take) > 0  # the emergency announces its demand
    sleep(0.2)  # two tokens come back
    assert bucket.take(key, level=BULK, **take) > 0  # bulk leaves them to the emergency
    assert bucket.take(key, level=EMERGENCY, **take) == 0
    sleep(0.7)  # the emergency has stopped asking: its demand expires, and bulk resumes
    assert bucket.take(key, level=BULK, **take) == 0


def test_bulk_takes_nothing_while_an_emergency_is_asking_even_with_tokens_to_spare(bucket_and_clock):
    bucket, sleep, key = bucket_and_clock
    take = {"rate": 10, "capacity": 5, "demand_seconds": 5}
    assert bucket.take(key, level=EMERGENCY, **take) == 0  # four tokens left
    wait = bucket.take(key, level=BULK, **take)
    assert 0 < wait <= ratelimit.YIELD_SECONDS  # it gives way, and asks again soon
    assert bucket.take(key, level=1, **take) > 0  # an ordinary alert gives way to an emergency too
    assert [bucket.take(key, level=EMERGENCY, **take) for _ in range(4)] == [0] * 4


def test_the_embedded_bucket_serves_an_emergency_ahead_of_bulk_through_acquire(settings, monkeypatch):
    settings.MESSAGING_RATE_LIMITS = {"sms": 10}
    settings.MESSAGING_RATE_HEADROOM = 1.0
    clock = FakeClock()
    bucket = ratelimit.LocalBucket(clock=clock)
    monkeypatch.setattr(ratelimit, "bucket", lambda: bucket)
    monkeypatch.setattr(ratelimit, "_sleep", clock.sleep)
    for _ in range(5):
        ratelimit.acquire("sms", send_class="bulk")
    assert ratelimit.take("sms", send_class="emergency") > 0
    assert ratelimit.take("sms", send_class="bulk") > 0
    waited = ratelimit.acquire("sms", send_class="emergency")
    assert waited == pytest.approx(0.1, abs=0.01)  # one token's refill, not a turn behind bulk


def test_with_redis_bulk_senders_give_way_to_an_emergency(settings, monkeypatch):
    """Four bulk senders keep the bucket empty; an emergency's 20 messages then go at the whole
    rate (about a second at 20 a second), not a fifth of it, and bulk takes almost none meanwhile."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL), as in CI")
    settings.MESSAGING_RATE_LIMITS = {"sms": 20}
    settings.MESSAGING_RATE_HEADROOM = 1.0
    key = f"test:precedence:{time.time_ns()}"
    shared = ratelimit.RedisBucket(settings.REDIS_URL)
    monkeypatch.setattr(ratelimit, "bucket", lambda: shared)
    monkeypatch.setattr(ratelimit, "_key", lambda channel: key)
    stop, bulk_taken = threading.Event(), []

    def bulk_sender():
        while not stop.is_set():
            ratelimit.acquire("sms", send_class="bulk")
            bulk_taken.append(time.monotonic())

    senders = [threading.Thread(target=bulk_sender, daemon=True) for _ in range(4)]
    for sender in senders:
        sender.start()
    try:
        time.sleep(1.0)  # bulk has drained the bucket and takes every token as it comes back
        started = time.monotonic()
        for _ in range(20):
            ratelimit.acquire("sms", send_class="emergency")
        finished = time.monotonic()
    finally:
        stop.set()
        for sender in senders:
            sender.join(timeout=5)
        redis.Redis.from_url(settings.REDIS_URL).delete(key, *(f"{key}:demand:{level}" for level in range(3)))
    # Shared fairly with four bulk senders it would take about five seconds.
    assert finished - started < 2.5
    assert sum(started <= at <= finished for at in bulk_taken) <= 3
