"""The fan-out and sending path on a real Celery worker (a separate process) over Redis.

Runs where CI runs it: REDIS_URL set and PostgreSQL (a worker in another process needs a database
it can share; SQLite's in-memory test database cannot be). Each run uses its own queue, so it
never takes tasks meant for anyone else on the same Redis.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

from messaging.delivery.routing import QUEUE_CLASSES
from messaging.models import Alert, AlertStatus, Delivery, DeliveryStatus, OutboxMessage, Subscriber, SubscriberChannel
from messaging.tasks import alert_fan_out_task, deliveries_send_task
from pact_portal.celery import app as celery_app
from tests.messaging.emulators import NotifyEmulator

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL), as in CI"),
]
PROJECT = Path(__file__).resolve().parents[2]
MEMBERS = 300
TEXTERS = 120


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def class_queues(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in QUEUE_CLASSES]


@pytest.fixture
def queue(settings):
    """Queues of this run's own (a prefix for every class), for the tasks we send and the ones the
    worker sends itself."""
    prefix = f"test-messaging-{uuid.uuid4().hex[:12]}-"
    settings.CELERY_QUEUE_PREFIX = prefix
    yield prefix
    redis.Redis.from_url(celery_app.conf.broker_url).delete(*class_queues(prefix))


@pytest.fixture
def worker(queue, notify):
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs a shared database (PostgreSQL, as in CI)")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MESSAGING_EMAIL_SENDER": "outbox",
        "MESSAGING_SMS_SENDER": "notify",
        "NOTIFY_API_KEY": notify.api_key,
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_SMS_TEMPLATE_ID": notify.TEMPLATE_ID,
        "MESSAGING_SMS_RATE": "400",
        "CACHE_KEY_PREFIX": queue,
        "CELERY_QUEUE_PREFIX": queue,
    }
    script = (
        "from pact_portal.celery import app, worker_queues; "
        "app.worker_main(['worker', '-Q', worker_queues(), '-c', '2', '-l', 'warning', "
        "'--without-gossip', '--without-mingle', '--without-heartbeat'])"
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, env=env)  # noqa: S603 - our own interpreter
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def notify():
    with NotifyEmulator() as emulator:
        yield emulator


def members(world):
    ward = world.daneshouse.wards.first()
    now = timezone.now()
    people = Subscriber.objects.bulk_create(
        Subscriber(ward=ward, consent_at=now, quiet_start=None, quiet_end=None) for _ in range(MEMBERS)
    )
    channels = [
        SubscriberChannel(subscriber=p, channel="email", address=f"m{i}@example.org", status="active", confirmed_at=now)
        for i, p in enumerate(people)
    ] + [
        SubscriberChannel(subscriber=p, channel="sms", address=f"+4477009{i:05d}", status="active", confirmed_at=now)
        for i, p in enumerate(people[:TEXTERS])
    ]
    SubscriberChannel.objects.bulk_create(channels)


def wait_for(check, *, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return False


def drained(queue) -> bool:
    """Nothing waiting in the queue and nothing taken but unacknowledged (tasks acknowledge late)."""
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    return not any(client.llen(name) for name in class_queues(queue)) and client.hlen("unacked") == 0


def test_it_sends_exactly_one_message_per_delivery_on_a_real_worker(transactional_db, world, worker, queue, notify):
    members(world)
    alert = Alert.objects.create(
        force=world.force,
        created_by=world.pcso,
        audience_level="force",
        title="Sheds",
        body="Lock them.",
        sms_text="Lock your shed.",
        send_sms=True,
        status=AlertStatus.SENDING,
        released_at=timezone.now(),
    )
    # The fan-out message delivered twice (as after a lost acknowledgement): both copies run.
    alert_fan_out_task.delay(alert_id=alert.pk)
    alert_fan_out_task.delay(alert_id=alert.pk)
    assert wait_for(lambda: Alert.objects.get(pk=alert.pk).status == AlertStatus.SENT), "the alert never finished"

    # Every send task executed once more, after the fact.
    for channel in ("email", "sms"):
        ids = Delivery.objects.filter(alert=alert, channel=channel).aggregate(first=Min("pk"), last=Max("pk"))
        deliveries_send_task.delay(alert_id=alert.pk, channel=channel, first_id=ids["first"], last_id=ids["last"])
    assert wait_for(lambda: drained(queue)), "the worker did not drain its queue"
    time.sleep(1)

    deliveries = Delivery.objects.filter(alert=alert)
    assert deliveries.count() == MEMBERS + TEXTERS
    assert set(deliveries.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    outbox = list(OutboxMessage.objects.values_list("delivery_id", flat=True))
    assert sorted(outbox) == sorted(deliveries.filter(channel="email").values_list("pk", flat=True))
    references = [message["reference"] for message in notify.accepted]
    assert sorted(references) == sorted(
        str(t) for t in deliveries.filter(channel="sms").values_list("token", flat=True)
    )
    assert Alert.objects.get(pk=alert.pk).audience_counts == {"email": MEMBERS, "sms": TEXTERS}
