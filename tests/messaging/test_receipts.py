import json
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.delivery.views import voice_signature
from messaging.models import ChannelStatus, Delivery, DeliveryStatus, ReceiptEvent, SubscriberChannel
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

TOKEN = "callback-token-for-tests"
SECRET = "voice-secret-for-tests"


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN
    settings.VOICE_CALLBACK_SECRET = SECRET


def sent_delivery(world, *, channel="sms", status=DeliveryStatus.SENT):
    person = subscriber(world, email=None, mobile="+447700900123", voice=True)
    return Delivery.objects.create(
        alert=alert(world, send_sms=True),
        subscriber=person,
        channel=channel,
        status=status,
        provider_id="notify-id-1",
        queued_at=timezone.now(),
    )


def notify_payload(delivery, status="delivered", **extra):
    return {
        "id": "notify-id-1",
        "reference": str(delivery.token),
        "to": "07700900123",
        "status": status,
        "created_at": "2026-03-01T10:00:00.000000Z",
        "completed_at": "2026-03-01T10:00:05.000000Z",
        "sent_at": "2026-03-01T10:00:01.000000Z",
        "notification_type": "sms",
        **extra,
    }


def post_notify(client, payload, *, token=TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(reverse("messaging:notify-receipt"), body, content_type="application/json", headers=headers)


def test_it_marks_a_text_delivered(client, world):
    delivery = sent_delivery(world)
    response = post_notify(client, notify_payload(delivery))
    assert response.status_code == 200 and response.json() == {"result": "applied"}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.delivered_at.isoformat() == "2026-03-01T10:00:05+00:00"


def test_it_ignores_a_replayed_receipt(client, world):
    delivery = sent_delivery(world)
    post_notify(client, notify_payload(delivery))
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, delivered_at=None)
    assert post_notify(client, notify_payload(delivery)).json() == {"result": "replay"}
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT
    assert ReceiptEvent.objects.count() == 1


def test_it_fails_a_delivery_and_retires_a_dead_number(client, world):
    delivery = sent_delivery(world)
    post_notify(client, notify_payload(delivery, "permanent-failure"))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "not in use" in delivery.error
    assert SubscriberChannel.objects.get(channel="sms").status == ChannelStatus.UNDELIVERABLE
    assert SubscriberChannel.objects.get(channel="voice").status == ChannelStatus.ACTIVE


def test_it_keeps_the_number_after_a_temporary_failure(client, world):
    delivery = sent_delivery(world)
    post_notify(client, notify_payload(delivery, "temporary-failure"))
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED
    assert SubscriberChannel.objects.get(channel="sms").status == ChannelStatus.ACTIVE


def test_it_matches_by_notify_id_without_a_reference(client, world):
    delivery = sent_delivery(world)
    post_notify(client, notify_payload(delivery, reference=None))
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED


def test_it_accepts_a_receipt_that_overtakes_the_worker(client, world):
    delivery = sent_delivery(world, status=DeliveryStatus.SENDING)
    post_notify(client, notify_payload(delivery))
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED


def test_it_never_overrides_a_final_state(client, world):
    delivery = sent_delivery(world, status=DeliveryStatus.FAILED)
    assert post_notify(client, notify_payload(delivery)).json() == {"result": "ignored"}
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED


def test_it_acknowledges_a_receipt_for_no_known_delivery(client, world):
    payload = {"id": "someone-else", "reference": str(uuid.uuid4()), "status": "delivered"}
    assert post_notify(client, payload).json() == {"result": "unknown"}


@pytest.mark.parametrize(
    ("token", "status"),
    [(None, 401), ("wrong", 403), ("", 403), (TOKEN + "x", 403)],
)
def test_it_refuses_a_caller_without_the_token(client, world, token, status):
    delivery = sent_delivery(world)
    assert post_notify(client, notify_payload(delivery), token=token).status_code == status
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT
    assert not ReceiptEvent.objects.exists()


def test_it_refuses_everyone_while_no_token_is_configured(client, world, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert post_notify(client, notify_payload(sent_delivery(world)), token="").status_code == 403


def test_it_refuses_a_staff_session_without_the_token(client, world):
    client.force_login(world.admin)
    assert post_notify(client, notify_payload(sent_delivery(world)), token=None).status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[1, 2]",
        json.dumps({"id": "x"}),
        json.dumps({"id": "x", "status": "lost"}),
        json.dumps({"status": "delivered"}),
    ],
)
def test_it_answers_400_to_a_malformed_receipt(client, world, payload):
    assert post_notify(client, payload).status_code == 400
    assert not ReceiptEvent.objects.exists()


def test_it_takes_only_posts(client):
    response = client.get(reverse("messaging:notify-receipt"), headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 405


# --- voice ----------------------------------------------------------------------------------------


def post_voice(client, payload, *, secret=SECRET, timestamp=None, headers=None):
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signed = {
        "X-Voice-Timestamp": stamp,
        "X-Voice-Signature": voice_signature(secret=secret, timestamp=stamp, body=body),
    }
    return client.post(
        reverse("messaging:voice-receipt"),
        body,
        content_type="application/json",
        headers=signed if headers is None else headers,
    )


def voice_payload(delivery, status="completed"):
    return {"event_id": f"evt-{status}", "id": "call-1", "reference": str(delivery.token), "status": status}


def test_it_marks_a_call_delivered(client, world):
    delivery = sent_delivery(world, channel="voice")
    assert post_voice(client, voice_payload(delivery)).json() == {"result": "applied"}
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED


def test_it_retires_a_number_that_cannot_take_calls(client, world):
    delivery = sent_delivery(world, channel="voice")
    post_voice(client, voice_payload(delivery, "invalid-number"))
    assert Delivery.objects.get(pk=delivery.pk).error == "The number cannot take calls."
    assert SubscriberChannel.objects.get(channel="voice").status == ChannelStatus.UNDELIVERABLE


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"headers": {}}, 401),
        ({"secret": "guessed"}, 403),
        ({"timestamp": int(time.time()) - 3600}, 403),
        ({"headers": {"X-Voice-Timestamp": "soon", "X-Voice-Signature": "00"}}, 403),
    ],
)
def test_it_refuses_an_unsigned_forged_or_stale_call_receipt(client, world, kwargs, status):
    delivery = sent_delivery(world, channel="voice")
    assert post_voice(client, voice_payload(delivery), **kwargs).status_code == status
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT


def test_it_refuses_call_receipts_while_no_secret_is_configured(client, world, settings):
    settings.VOICE_CALLBACK_SECRET = ""
    delivery = sent_delivery(world, channel="voice")
    assert post_voice(client, voice_payload(delivery), secret="").status_code == 403
