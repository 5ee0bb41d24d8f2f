"""An emergency on real Celery workers over Redis, released while a bulk send holds the whole
provider limit: its sends go on the emergency queue (another worker's) and take the rate limit
ahead of the bulk send, which is still going when the emergency has all gone.

Runs where CI runs it: REDIS_URL set and PostgreSQL, as tests/messaging/test_worker.py.
"""

import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.db import connection
from django.utils import timezone

from messaging.delivery.routing import QUEUE_CLASSES
from messaging.models import Alert, AlertKind, AlertStatus, Delivery, DeliveryStatus, Subscriber, SubscriberChannel
from messaging.tasks import deliveries_send_task
from pact_portal.celery import app as celery_app
from tests.messaging.emulators import NotifyEmulator
from tests.messaging.test_worker import PROJECT, database_url, wait_for

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in CI"),
]
RATE = 40
BULK, URGENT = 600, 20


@pytest.fixture
def prefix(settings):
    name = f"test-classes-{uuid.uuid4().hex[:12]}-"
    settings.CELERY_QUEUE_PREFIX = name
    yield name
    redis.Redis.from_url(celery_app.conf.broker_url).delete(*(f"{name}{c}" for c in QUEUE_CLASSES))


@pytest.fixture
def notify():
    with NotifyEmulator(rate_limit=RATE) as emulator:
        yield emulator


@pytest.fixture
def workers(prefix, notify):
    """A bulk worker (two processes) and an emergency-and-alerts worker (one), sharing one bucket."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a shared database (PostgreSQL, as in CI)")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MESSAGING_SMS_SENDER": "notify",
        "NOTIFY_API_KEY": notify.api_key,
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_SMS_TEMPLATE_ID": notify.TEMPLATE_ID,
        "MESSAGING_SMS_RATE": str(RATE),
        "CACHE_KEY_PREFIX": prefix,
        "CELERY_QUEUE_PREFIX": prefix,
    }
    names = {"bulk": (f"bulk@{prefix}", 2), "emergency,alerts": (f"urgent@{prefix}", 1)}
    processes = []
    for classes, (name, concurrency) in names.items():
        script = (
            "from pact_portal.celery import app, worker_queues; "
            f"app.worker_main(['worker', '-Q', worker_queues(*{classes.split(',')!r}), '-n', {name!r}, "
            f"'-c', '{concurrency}', '-l', 'warning', '--without-gossip', '--without-mingle', '--without-heartbeat'])"
        )
        processes.append(subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, env=env))  # noqa: S603 - our own interpreter
    wanted = {name for name, _ in names.values()}
    ready = wait_for(
        lambda: (
            {n for reply in celery_app.control.ping(destination=list(wanted), timeout=0.5) for n in reply} >= wanted
        ),
        timeout=60,
    )
    assert ready, "the workers did not start"
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def queued_alert(world, *, kind, count: int, offset: int) -> Alert:
    """A sending SMS alert with `count` queued deliveries to members of its own."""
    now = timezone.now()
    alert = Alert.objects.create(
        force=world.force,
        created_by=world.pcso,
        kind=kind,
        audience_level="force",
        title=kind,
        body="Body.",
        sms_text=f"{kind} text",
        send_email=False,
        send_sms=True,
        status=AlertStatus.SENDING,
        released_at=now,
        fanout_completed_at=now,
    )
    ward = world.daneshouse.wards.first()
    people = Subscriber.objects.bulk_create(Subscriber(ward=ward, consent_at=now) for _ in range(count))
    SubscriberChannel.objects.bulk_create(
        SubscriberChannel(
            subscriber=p, channel="sms", address=f"+4477009{offset + i:05d}", status="active", confirmed_at=now
        )
        for i, p in enumerate(people)
    )
    Delivery.objects.bulk_create(Delivery(alert=alert, subscriber=p, channel="sms", queued_at=now) for p in people)
    return alert


def queue_sends(alert, *, batch: int) -> None:
    ids = list(Delivery.objects.filter(alert=alert).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        deliveries_send_task.delay(alert_id=alert.pk, channel="sms", first_id=part[0], last_id=part[-1])


def test_it_sends_an_emergency_while_a_bulk_send_holds_the_limit(transactional_db, world, workers, notify):
    survey = queued_alert(world, kind=AlertKind.SURVEY, count=BULK, offset=0)
    emergency = queued_alert(world, kind=AlertKind.EMERGENCY, count=URGENT, offset=BULK)
    urgent_refs = {str(t) for t in Delivery.objects.filter(alert=emergency).values_list("token", flat=True)}
    queue_sends(survey, batch=100)
    assert wait_for(lambda: len(notify.accepted) >= 2 * RATE, timeout=60), "the bulk send never got going"

    released = time.monotonic()
    queue_sends(emergency, batch=URGENT)
    assert wait_for(lambda: urgent_refs <= set(notify.references()), timeout=30), "the emergency was not all sent"
    bulk_left = Delivery.objects.filter(alert=survey, status=DeliveryStatus.QUEUED).count()
    # Copies, as the bulk send goes on: a message is in `accepted` just before it is in `accepted_at`.
    accepted = zip(list(notify.accepted), list(notify.accepted_at), strict=False)
    urgent_at = [at for message, at in accepted if message["reference"] in urgent_refs]

    # Behind the survey's 600 messages at 40 a second it would have waited about 15 s; the bound
    # is loose for a busy CI machine (bench_emergency measures the real figure).
    assert min(urgent_at) - released < 5
    assert bulk_left > 0, "the bulk send had finished: the emergency went after it, not ahead"
    Alert.objects.filter(pk=survey.pk).update(status=AlertStatus.CANCELLED)
    assert notify.rejected == 0
    assert notify.duplicates() == 0
