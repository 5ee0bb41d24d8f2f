import random
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.db.models import Max, Min
from django.utils import timezone

from messaging.delivery import fanout, ratelimit, sending
from messaging.delivery.channels import PermanentSendError, SendResult, TransientSendError
from messaging.delivery.channels.email import InvalidAddressError
from messaging.models import (
    AlertStatus,
    ChannelStatus,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    OutboxMessage,
    SubscriberChannel,
)
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db


class FakeSender:
    """Answers with each of `outcomes` in turn (an exception to raise, or a provider id)."""

    def __init__(self, *outcomes, on_send=None):
        self.outcomes = list(outcomes)
        self.sent = []
        self.on_send = on_send

    def send(self, message):
        if self.on_send:
            self.on_send(message)
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        self.sent.append(message)
        return SendResult(provider_id=f"fake-{len(self.sent)}")


@pytest.fixture
def fake(monkeypatch):
    sender = FakeSender()
    monkeypatch.setattr(sending, "get_sender", lambda channel: sender)
    return sender


def fanned_out(world, monkeypatch, count=3, **fields):
    """A sending alert with `count` queued email deliveries, nothing sent yet."""
    for i in range(count):
        subscriber(world, email=f"m{i}@example.org")
    made = alert(world, **fields)
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.SENDING, released_at=timezone.now())
    with monkeypatch.context() as patch:
        patch.setattr(fanout, "sends_queue", lambda **kwargs: 0)
        fanout.alert_fan_out(alert_id=made.pk)
    made.refresh_from_db()
    return made


def send_all(made, channel="email"):
    bounds = Delivery.objects.filter(alert=made).aggregate(first=Min("pk"), last=Max("pk"))
    return sending.deliveries_send(alert_id=made.pk, channel=channel, first_id=bounds["first"], last_id=bounds["last"])


def test_it_sends_each_delivery_once_when_the_task_runs_twice(world, monkeypatch, settings):
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    made = fanned_out(world, monkeypatch)
    assert send_all(made)["sent"] == 3
    assert send_all(made)["sent"] == 0
    assert OutboxMessage.objects.count() == 3
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}


def test_it_leaves_alone_a_delivery_another_worker_has_claimed(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch)
    taken = Delivery.objects.first()
    Delivery.objects.filter(pk=taken.pk).update(status=DeliveryStatus.SENDING, claimed_at=timezone.now())
    assert send_all(made)["sent"] == 2
    assert taken.token not in {m.reference for m in fake.sent} and len(fake.sent) == 2
    assert Delivery.objects.get(pk=taken.pk).status == DeliveryStatus.SENDING


def test_it_reclaims_a_dead_workers_claim_only_after_the_lease(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=1)
    claimed_at = timezone.now()
    Delivery.objects.update(status=DeliveryStatus.SENDING, claimed_at=claimed_at, attempts=1)
    assert sending.deliveries_reclaim(now=claimed_at + timedelta(minutes=5))["reclaimed"] == 0
    assert not fake.sent
    assert sending.deliveries_reclaim(now=claimed_at + sending.LEASE + timedelta(seconds=1))["reclaimed"] == 1
    assert len(fake.sent) == 1  # the requeued batch ran (eagerly here)
    made.refresh_from_db()
    assert made.status == AlertStatus.SENT


def test_it_retries_a_transient_failure_later_and_logs_each_try(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=1)
    fake.outcomes = [TransientSendError("Notify 500: Internal server error")]
    before = timezone.now()
    assert send_all(made)["retrying"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 1
    assert before + timedelta(seconds=15) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert send_all(made)["sent"] == 0  # not due yet
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert send_all(made)["sent"] == 1
    log = list(DeliveryAttempt.objects.values_list("outcome", "retry_at"))
    assert log == [("transient", delivery.next_attempt_at), ("sent", None)]
    assert Delivery.objects.get().attempts == 2


def test_it_waits_at_least_as_long_as_the_provider_asks(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=1)
    fake.outcomes = [ratelimit.ProviderRateLimited("Notify 429", retry_after=600)]
    send_all(made)
    assert Delivery.objects.get().next_attempt_at >= timezone.now() + timedelta(seconds=590)
    assert DeliveryAttempt.objects.get().outcome == "rate_limited"


def test_it_fails_after_the_last_attempt(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=1)
    Delivery.objects.update(attempts=sending.MAX_ATTEMPTS - 1)
    fake.outcomes = [TransientSendError("Notify 503: down")]
    assert send_all(made)["failed"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == f"Gave up after {sending.MAX_ATTEMPTS} attempts: Notify 503: down"


def test_it_fails_a_permanent_error_at_once_and_keeps_the_channel(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=1)
    fake.outcomes = [PermanentSendError("Notify 400: Missing personalisation: body")]
    assert send_all(made)["failed"] == 1
    assert Delivery.objects.get().error == "Notify 400: Missing personalisation: body"
    assert SubscriberChannel.objects.get().status == ChannelStatus.ACTIVE
    assert list(DeliveryAttempt.objects.values_list("outcome", "retry_at")) == [("permanent", None)]


def test_it_marks_an_invalid_address_undeliverable(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=1)
    fake.outcomes = [InvalidAddressError("The mail server refused the address: 550 no such user")]
    send_all(made)
    channel = SubscriberChannel.objects.get()
    assert channel.status == ChannelStatus.UNDELIVERABLE
    assert channel.status_reason == "The mail server refused the address: 550 no such user"
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


def test_it_sends_nothing_more_once_the_alert_is_cancelled(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch)
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.CANCELLED)
    assert send_all(made)["cancelled"] == 3
    assert not fake.sent
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}


def test_it_stops_a_batch_part_way_when_the_alert_is_cancelled(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=5)
    monkeypatch.setattr(sending, "CHUNK", 2)
    fake.on_send = lambda message: type(made).objects.filter(pk=made.pk).update(status=AlertStatus.CANCELLED)
    tally = send_all(made)
    assert (tally["sent"], tally["cancelled"]) == (2, 3)
    made.refresh_from_db()
    assert made.status == AlertStatus.CANCELLED


def test_it_skips_a_channel_unsubscribed_after_the_fan_out(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=2)
    SubscriberChannel.objects.filter(address="m0@example.org").update(
        status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )
    assert send_all(made)["sent"] == 1
    assert [m.to for m in fake.sent] == ["m1@example.org"]
    assert Delivery.objects.get(subscriber__channels__address="m0@example.org").status == DeliveryStatus.CANCELLED


def test_it_marks_the_alert_sent_when_nothing_is_left(world, monkeypatch, fake):
    made = fanned_out(world, monkeypatch, count=2)
    fake.outcomes = ["ok", PermanentSendError("rejected")]
    send_all(made)
    made.refresh_from_db()
    assert made.status == AlertStatus.SENT and made.completed_at is not None


def test_it_splits_queued_deliveries_into_send_batches(world, monkeypatch):
    made = fanned_out(world, monkeypatch, count=7)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    Delivery.objects.filter(pk=ids[3]).update(status=DeliveryStatus.SENT)
    queued = [pk for pk in ids if pk != ids[3]]
    ranges = sending.send_ranges(alert_id=made.pk, channel="email", batch_size=4)
    assert ranges == [(queued[0], queued[4] - 1), (queued[4], queued[5])]
    assert sending.send_ranges(alert_id=made.pk, channel="sms", batch_size=4) == []


def test_it_backs_off_exponentially_with_jitter():
    rng = random.Random(5)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)]:
        delays = [sending.retry_delay(attempts=attempts, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1
    assert sending.retry_delay(attempts=1, retry_after=900, rng=rng) == 900


def test_it_throttles_each_message_through_the_channels_bucket(world, monkeypatch, fake, settings):
    settings.MESSAGING_RATE_LIMITS = {"email": 2}
    settings.MESSAGING_RATE_HEADROOM = 1.0
    clock, naps = [0.0], []

    def nap(seconds):
        naps.append(seconds)
        clock[0] += seconds

    bucket = ratelimit.LocalBucket(clock=lambda: clock[0])
    monkeypatch.setattr(ratelimit, "bucket", lambda: bucket)
    monkeypatch.setattr(ratelimit, "_sleep", nap)
    made = fanned_out(world, monkeypatch, count=3)
    send_all(made)
    assert len(fake.sent) == 3
    # The bucket holds half a second's worth (one): each later message waits for half a second's refill.
    assert naps == [pytest.approx(0.5), pytest.approx(0.5)]


def test_it_sends_a_headroom_under_the_providers_limit(settings):
    settings.MESSAGING_RATE_LIMITS = {"sms": 200, "email": 0}
    settings.MESSAGING_RATE_HEADROOM = 0.95
    assert ratelimit.rate_for("sms") == pytest.approx(190)
    assert ratelimit.rate_for("email") == 0  # no limit stays no limit


def test_the_local_bucket_allows_a_seconds_worth_then_makes_you_wait():
    bucket = ratelimit.LocalBucket()
    waits = [bucket.take("k", rate=5, capacity=5) for _ in range(6)]
    assert waits[:5] == [0] * 5
    assert waits[5] == pytest.approx(0.2, abs=0.02)


@pytest.fixture
def redis_url():
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


def test_the_redis_bucket_is_shared_by_every_worker(redis_url):
    key = f"test:ratelimit:{time.time_ns()}"
    workers = [ratelimit.RedisBucket(redis_url) for _ in range(3)]  # three workers, one bucket
    started = time.monotonic()
    taken = sum(1 for i in range(60) if workers[i % 3].take(key, rate=10, capacity=10) == 0)
    elapsed = time.monotonic() - started
    assert 10 <= taken <= 10 + 10 * elapsed + 1
    assert workers[0].take(key, rate=10, capacity=10) > 0
    redis.Redis.from_url(redis_url).delete(key)
