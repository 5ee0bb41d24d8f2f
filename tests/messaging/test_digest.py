"""The email digest: routine alerts' emails gathered into one a day or a week."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from messaging import links
from messaging.delivery import digest, fanout
from messaging.delivery.audience import alert_audience_kwargs, audience_summary
from messaging.delivery.channels import SendResult, TransientSendError
from messaging.models import AlertStatus, Delivery, DeliveryStatus, OutboxMessage
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

TUESDAY_MORNING = datetime(2026, 1, 20, 7, 0, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 1, 26, 7, 0, tzinfo=UTC)


def released(world, title="Shed burglaries", **fields):
    made = alert(world, title=title, **fields)
    type(made).objects.filter(pk=made.pk).update(
        status=AlertStatus.SENDING, released_at=datetime(2026, 1, 19, tzinfo=UTC)
    )
    return made


@pytest.fixture
def no_sending(monkeypatch):
    monkeypatch.setattr(fanout, "sends_queue", lambda **kwargs: 0)


class Provider:
    def __init__(self, *failures):
        self.failures = list(failures)
        self.sent = []

    def send(self, message):
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)
        return SendResult(provider_id=f"digest-{len(self.sent)}")


@pytest.fixture
def provider(monkeypatch):
    sender = Provider()
    monkeypatch.setattr(digest, "get_sender", lambda channel: sender)
    return sender


def test_it_keeps_a_routine_email_for_the_digest_and_sends_urgent_ones_at_once(world, no_sending):
    member = subscriber(world, mobile="+447700900001", email_digest="daily")
    general, appeal = released(world, send_sms=True), released(world, kind="appeal")
    assert audience_summary(**alert_audience_kwargs(alert=general))[2] == 1
    fanout.alert_fan_out(alert_id=general.pk)
    fanout.alert_fan_out(alert_id=appeal.pk)
    rows = set(Delivery.objects.filter(subscriber=member).values_list("alert_id", "channel", "status"))
    assert rows == {
        (general.pk, "email", DeliveryStatus.DIGEST),
        (general.pk, "sms", DeliveryStatus.QUEUED),
        (appeal.pk, "email", DeliveryStatus.QUEUED),
    }


def test_it_gathers_the_days_alerts_into_one_compact_email(world, no_sending, provider):
    member = subscriber(world, email_digest="daily")
    subscriber(world, email="each@example.org")
    for title in ("Shed burglaries", "Scam calls about bank cards"):
        fanout.alert_fan_out(alert_id=released(world, title=title).pk)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        assert digest.digests_send() == {"sent": 1, "retrying": 0, "failed": 0, "skipped": 0}
        assert digest.digests_send()["sent"] == 0  # nothing is sent twice
    (message,) = provider.sent
    assert message.to == "amina@example.org" and message.subject == "In the Know: 2 alerts for you"
    assert "Shed burglaries" in message.body and "Scam calls about bank cards" in message.body
    mine = Delivery.objects.filter(subscriber=member)
    assert set(mine.values_list("status", "provider_id")) == {(DeliveryStatus.SENT, "digest-1")}


def test_it_sends_a_weekly_digest_only_on_monday_morning(world, no_sending, provider):
    subscriber(world, email_digest="weekly")
    fanout.alert_fan_out(alert_id=released(world).pk)
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        digest.digests_send()
    assert provider.sent == []
    with time_machine.travel(MONDAY_MORNING, tick=False):
        digest.digests_send()
    assert len(provider.sent) == 1


def test_it_keeps_a_digest_for_the_next_run_when_the_provider_is_down(world, no_sending, provider):
    subscriber(world, email_digest="daily")
    fanout.alert_fan_out(alert_id=released(world).pk)
    provider.failures = [TransientSendError("503")]
    assert digest.digests_send()["retrying"] == 1
    assert Delivery.objects.get().status == DeliveryStatus.DIGEST
    assert digest.digests_send()["sent"] == 1 and len(provider.sent) == 1


def test_it_escapes_alert_text_in_the_digest_html(world, no_sending, settings):
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    subscriber(world, email_digest="daily")
    fanout.alert_fan_out(alert_id=released(world, title="<script>alert(1)</script>").pk)
    digest.digests_send()
    html = OutboxMessage.objects.get().html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_it_lets_a_member_choose_a_digest_and_refuses_a_made_up_one(client, world):
    member = subscriber(world)
    path = reverse("messaging:manage-controls", args=[links.manage_token(subscriber=member)])
    data = {"accepts_email": "everything", "quiet_hours": "", "paused_until": ""}
    assert client.post(path, data | {"email_digest": "hourly"}).status_code == 400
    member.refresh_from_db()
    assert member.email_digest == ""
    assert client.post(path, data | {"email_digest": "weekly"}).status_code == 302
    member.refresh_from_db()
    assert member.email_digest == "weekly"


def test_it_never_puts_a_survey_invitation_in_a_digest(world):
    subscriber(world, email_digest="daily")
    invitation = alert(world, kind="survey")
    assert audience_summary(**alert_audience_kwargs(alert=invitation))[2] == 0
