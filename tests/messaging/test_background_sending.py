"""Without a broker, sending runs after the response on the web process's thread pool (the embedded
default), not inside the request; and the messages after sending or approving say what happened."""

import datetime
import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from messaging.delivery import sending
from messaging.delivery.channels import SendResult
from messaging.models import Alert, AlertStatus, Delivery, DeliveryStatus
from pact_portal import background
from tests.factories import UserFactory
from tests.messaging.factories import alert, subscriber


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = settings.MESSAGING_VOICE_SENDER = "outbox"


def banner(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def approve_as_another_comms_officer(client, world, made):
    client.force_login(UserFactory(role=Role.COMMUNICATIONS, force=world.force))
    return client.post(reverse("messaging:alert-approve", args=[made.pk]))


class BlockedSender:
    """Holds every send until the test lets it go, so the test sees what the request left running."""

    def __init__(self):
        self.started, self.release = threading.Event(), threading.Event()

    def send(self, message):
        self.started.set()
        assert self.release.wait(timeout=30), "the test never released the send"
        return SendResult(provider_id="blocked-then-sent")


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the background task did not finish"
        time.sleep(0.05)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database shares one cache between threads, whose table locks no "
    "timeout waits for, so the page read while the pool writes fails at random; the embedded default "
    "itself runs on a file in write-ahead-log mode (measured in the settings' comment). Runs on PostgreSQL.",
)
def test_it_approves_and_answers_before_the_send_finishes_when_there_is_no_broker(
    transactional_db, client, world, settings, monkeypatch
):
    # Transactional: the pool's threads read on connections of their own, so the rows must commit.
    settings.TASKS_IN_THREADS = True
    assert background.enabled()
    sender = BlockedSender()
    monkeypatch.setattr(sending, "get_sender", lambda channel: sender)
    subscriber(world), subscriber(world, email="bilal@example.org")
    made = alert(world, author=world.comms, level="force", status=AlertStatus.AWAITING_APPROVAL)

    response = approve_as_another_comms_officer(client, world, made)

    assert response.status_code == 302
    assert "Approved: 2 messages are queued for sending" in banner(response)
    assert sender.started.wait(timeout=30)  # the send began in the background, and is still held
    assert Alert.objects.get().status == AlertStatus.SENDING
    progress = client.get(reverse("messaging:alert-progress", args=[made.pk])).content.decode()
    assert "hx-trigger" in progress  # the page keeps polling, as with a worker
    sender.release.set()
    wait_for(lambda: Alert.objects.get().status == AlertStatus.SENT)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_it_waits_for_the_commit_and_hands_back_a_result_it_can_wait_on(transactional_db, settings):
    from messaging.tasks import deliveries_reclaim_task

    settings.TASKS_IN_THREADS = True
    result = deliveries_reclaim_task.delay()
    assert isinstance(result, background.BackgroundResult)
    assert isinstance(result.get(timeout=30), dict)


@pytest.mark.django_db
def test_it_runs_tasks_in_the_request_under_tests():
    assert not background.enabled()


@pytest.mark.django_db
def test_it_says_a_force_wide_alert_awaits_approval_not_that_it_is_on_its_way(client, world):
    subscriber(world)
    made = alert(world, author=world.comms, level="force")
    client.force_login(world.comms)
    response = client.post(reverse("messaging:alert-submit", args=[made.pk]))
    assert "Submitted: it now waits for a communications officer other than its author" in banner(response)
    assert "on its way" not in banner(response)


def test_it_says_how_many_were_sent_when_the_sends_ran_in_the_request(transactional_db, client, world):
    # Transactional, so the fan-out queued on commit runs before the view writes its message.
    subscriber(world), subscriber(world, email="bilal@example.org")
    made = alert(world, author=world.comms, level="force", status=AlertStatus.AWAITING_APPROVAL)
    response = approve_as_another_comms_officer(client, world, made)
    assert "Approved: it has been sent: 2 of 2 messages handed to the providers." in banner(response)


@pytest.mark.django_db
def test_it_says_when_a_scheduled_alert_will_start(client, world):
    subscriber(world)
    send_at = timezone.now() + datetime.timedelta(days=2)
    made = alert(world, send_at=send_at)
    client.force_login(world.pcso)
    response = client.post(reverse("messaging:alert-submit", args=[made.pk]))
    when = timezone.localtime(send_at).strftime("%H:%M")
    assert "Submitted: it is scheduled, and sending starts at" in banner(response) and when in banner(response)
