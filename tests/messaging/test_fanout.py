import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging.delivery import fanout
from messaging.models import AlertStatus, ChannelStatus, Delivery, DeliveryStatus, OutboxMessage
from messaging.tasks import alerts_release_due_task, deliveries_reclaim_task
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db


def released(world, **fields):
    made = alert(world, **fields)
    made.status = AlertStatus.SENDING
    made.released_at = timezone.now()
    made.save(update_fields=["status", "released_at"])
    return made


def members(world, count, **fields):
    return [subscriber(world, email=f"m{i}@example.org", mobile=f"+4477009{i:05d}", **fields) for i in range(count)]


@pytest.fixture
def no_sending(monkeypatch):
    monkeypatch.setattr(fanout, "sends_queue", lambda **kwargs: 0)


def test_it_records_one_delivery_per_active_channel_in_the_audience(world, no_sending):
    reached = members(world, 3)
    subscriber(world, email="pending@example.org", status=ChannelStatus.PENDING)
    subscriber(world, email="west@example.org", ward=world.fleetwood.wards.first())
    sent = released(world, send_sms=True)

    assert fanout.alert_fan_out(alert_id=sent.pk) == 6
    rows = set(Delivery.objects.filter(alert=sent).values_list("subscriber_id", "channel", "status"))
    expected = {(m.pk, c, DeliveryStatus.QUEUED) for m in reached for c in ("email", "sms")}
    assert rows == expected


def test_it_adds_nothing_when_run_again(world, no_sending):
    members(world, 4)
    sent = released(world)
    fanout.alert_fan_out(alert_id=sent.pk, batch_size=2)
    sent.refresh_from_db()
    assert fanout.alert_fan_out(alert_id=sent.pk) == 0
    # Even a rerun that gets past the "done" check (a crash before it was marked) inserts nothing.
    type(sent).objects.filter(pk=sent.pk).update(fanout_completed_at=None)
    assert fanout.alert_fan_out(alert_id=sent.pk, batch_size=3) == 0
    assert Delivery.objects.filter(alert=sent).count() == 4


def test_it_makes_random_unique_tokens_django_can_read(world, no_sending):
    members(world, 20)
    sent = released(world)
    fanout.alert_fan_out(alert_id=sent.pk)
    tokens = list(Delivery.objects.filter(alert=sent).values_list("token", flat=True))
    assert len(set(tokens)) == 20
    assert all(isinstance(token, uuid.UUID) and token.version == 4 for token in tokens)
    assert Delivery.objects.get(token=tokens[7]).token == tokens[7]


def fan_out_queries(sent, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        fanout.alert_fan_out(alert_id=sent.pk, **kwargs)
    return [q["sql"] for q in queries]


def test_it_writes_one_insert_select_per_batch(world, no_sending):
    people = members(world, 12)
    sent = released(world)
    batches = len(range(people[0].pk, people[-1].pk + 1, 5))
    inserts = [sql for sql in fan_out_queries(sent, batch_size=5) if sql.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == batches == 3
    assert all("SELECT" in sql and "ON CONFLICT" in sql for sql in inserts)


def test_it_runs_the_same_number_of_queries_for_any_audience_size(world, no_sending):
    subscriber(world, email="first@example.org")
    small = fan_out_queries(released(world))
    members(world, 40)
    assert len(small) == len(fan_out_queries(released(world)))


def test_it_stores_the_audience_per_channel_and_marks_the_fan_out_done(world, no_sending):
    members(world, 3)
    subscriber(world, email="only-email@example.org")
    sent = released(world, send_sms=True, send_voice=True)
    fanout.alert_fan_out(alert_id=sent.pk)
    sent.refresh_from_db()
    assert sent.audience_counts == {"email": 4, "sms": 3, "voice": 0}
    assert sent.fanout_completed_at is not None


@pytest.mark.parametrize("status", [AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL, AlertStatus.CANCELLED])
def test_it_fans_out_nothing_for_an_alert_not_released_or_cancelled(world, no_sending, status):
    members(world, 2)
    sent = released(world)
    type(sent).objects.filter(pk=sent.pk).update(status=status)
    assert fanout.alert_fan_out(alert_id=sent.pk) == 0
    assert not Delivery.objects.exists()


def test_it_stops_part_way_when_the_alert_is_cancelled(world, no_sending, monkeypatch):
    people = members(world, 6)
    sent = released(world)

    def cancelled_meanwhile(alert_id):
        type(sent).objects.filter(pk=alert_id).update(status=AlertStatus.CANCELLED)
        return False

    monkeypatch.setattr(fanout, "_still_sending", cancelled_meanwhile)
    fanout.alert_fan_out(alert_id=sent.pk, batch_size=3)
    assert Delivery.objects.filter(alert=sent).count() == len([p for p in people if p.pk < people[0].pk + 3])
    assert not Delivery.objects.filter(alert=sent).exclude(status=DeliveryStatus.CANCELLED).exists()
    sent.refresh_from_db()
    assert sent.fanout_completed_at is None


def test_it_sends_every_delivery_and_marks_the_alert_sent(world, settings):
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    members(world, 5)
    sent = released(world, send_sms=True)
    fanout.alert_fan_out(alert_id=sent.pk)
    sent.refresh_from_db()
    assert sent.status == AlertStatus.SENT and sent.completed_at is not None
    assert set(Delivery.objects.filter(alert=sent).values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert OutboxMessage.objects.filter(delivery__alert=sent).count() == 10


def test_it_completes_at_once_an_alert_nobody_receives(world):
    sent = released(world, interests=["rural-crime"])
    fanout.alert_fan_out(alert_id=sent.pk)
    sent.refresh_from_db()
    assert sent.status == AlertStatus.SENT
    assert sent.audience_counts == {"email": 0}


def test_it_releases_scheduled_alerts_whose_time_has_come(world, settings, django_capture_on_commit_callbacks):
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    members(world, 2)
    due = alert(world, status=AlertStatus.SCHEDULED, send_at=timezone.now() - timedelta(minutes=1))
    later = alert(world, status=AlertStatus.SCHEDULED, send_at=timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_release_due_task() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == (AlertStatus.SENT, AlertStatus.SCHEDULED)
    assert OutboxMessage.objects.filter(delivery__alert=due).count() == 2


def test_it_restarts_a_fan_out_whose_task_was_lost(world, settings):
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    members(world, 2)
    lost = released(world)
    long_ago = timezone.now() - timedelta(hours=1)
    type(lost).objects.filter(pk=lost.pk).update(released_at=long_ago, updated_at=long_ago)
    fresh = released(world, title="Just released")
    assert deliveries_reclaim_task()["fan_outs"] == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, fresh.status) == (AlertStatus.SENT, AlertStatus.SENDING)


def test_it_schedules_the_periodic_tasks():
    from pact_portal.beat import BEAT_SCHEDULE

    scheduled = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert {alerts_release_due_task.name, deliveries_reclaim_task.name} <= scheduled
