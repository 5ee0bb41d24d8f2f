"""Bounce recovery: a permanent email failure → the address undeliverable → one text asking for a
new address → the address in the member's answer confirmed by the usual link → recovered; and the
counts the membership measures show."""

import json
import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from messaging.delivery import sending
from messaging.delivery.channels.email import InvalidAddressError
from messaging.inbox import bounces
from messaging.inbox.selectors import bounce_counts
from messaging.members.services import confirm as services_confirm
from messaging.models import (
    BounceRecovery,
    ChannelStatus,
    Delivery,
    DeliveryStatus,
    InboundReply,
    OutboxMessage,
    SubscriberChannel,
)
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

TOKEN = "callback-token-for-tests"
MOBILE = "+447700900123"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    settings.MESSAGING_SMS_SENDER = "outbox"


def email_sent(world, person):
    return Delivery.objects.create(
        alert=alert(world),
        subscriber=person,
        channel="email",
        status=DeliveryStatus.SENT,
        provider_id=f"notify-{uuid.uuid4()}",
        queued_at=timezone.now(),
        sent_at=timezone.now(),
    )


def post(client, url, payload):
    return client.post(
        reverse(url), json.dumps(payload), content_type="application/json", headers={"Authorization": f"Bearer {TOKEN}"}
    )


def email_bounce_receipt(client, delivery):
    payload = {
        "id": delivery.provider_id,
        "reference": str(delivery.token),
        "to": "amina@example.org",
        "status": "permanent-failure",
        "notification_type": "email",
        "completed_at": "2026-12-07T10:00:05.000000Z",
    }
    return post(client, "messaging:notify-receipt", payload)


def text_back(client, text):
    payload = {"id": str(uuid.uuid4()), "source_number": MOBILE[1:], "message": text}
    return post(client, "messaging:sms-inbound", payload)


def test_a_bounce_is_recovered_by_text_and_a_confirmed_new_address(client, world, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    with django_capture_on_commit_callbacks(execute=True):
        assert email_bounce_receipt(client, email_sent(world, person)).json() == {"result": "applied"}
    email = SubscriberChannel.objects.get(subscriber=person, channel="email")
    assert email.status == ChannelStatus.UNDELIVERABLE
    asked = OutboxMessage.objects.get(to=MOBILE)
    assert "reply to this text with your email address" in asked.body and "amina@example.org" not in asked.body

    with django_capture_on_commit_callbacks(execute=True):
        text_back(client, "It's Amina.New@Example.org now, thanks")
    email.refresh_from_db()
    assert (email.address, email.status) == ("amina.new@example.org", ChannelStatus.PENDING)
    assert not InboundReply.objects.exists()  # an answer to the recovery, not a reply for the team
    link = re.search(r"/in-the-know/confirm/([^/]+)/", OutboxMessage.objects.get(to="amina.new@example.org").body)

    services_confirm.channel_confirm_email(token=link.group(1))
    recovery = BounceRecovery.objects.get()
    assert recovery.recovered_at and recovery.new_address == "amina.new@example.org"
    assert bounce_counts(subscribers=Q())["recovered"] == 1


def test_the_member_is_texted_only_once_however_many_bounces(client, world, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    with django_capture_on_commit_callbacks(execute=True):
        bounces.email_bounced(subscriber_id=person.pk, address="amina@example.org", reason="550")
        bounces.email_bounced(subscriber_id=person.pk, address="amina@example.org", reason="550")
    assert OutboxMessage.objects.filter(to=MOBILE).count() == 1
    assert bounces.bounce_recovery_text(recovery_id=BounceRecovery.objects.get().pk) is False


def test_a_member_without_a_mobile_is_not_texted_and_counts_as_lost(world, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        bounces.email_bounced(subscriber_id=person.pk, address="amina@example.org")
    assert not OutboxMessage.objects.exists()
    assert bounce_counts(subscribers=Q()) == {"bounced": 1, "recovered": 0, "lost": 1, "waiting": 0}


def test_a_text_without_an_address_is_an_ordinary_reply(client, world, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    with django_capture_on_commit_callbacks(execute=True):
        bounces.email_bounced(subscriber_id=person.pk, address="amina@example.org")
        text_back(client, "Why are you texting me?")
    assert InboundReply.objects.get().body == "Why are you texting me?"
    assert BounceRecovery.objects.get().new_address == ""


def test_an_address_of_another_member_is_not_moved(client, world, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    subscriber(world, email="taken@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        bounces.email_bounced(subscriber_id=person.pk, address="amina@example.org")
        text_back(client, "taken@example.org")
    assert SubscriberChannel.objects.get(subscriber=person, channel="email").address == "amina@example.org"
    assert InboundReply.objects.get().subscriber == person


def test_a_refused_address_at_send_time_starts_recovery_too(world, monkeypatch, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    delivery = Delivery.objects.create(
        alert=alert(world, status="sending"), subscriber=person, channel="email", queued_at=timezone.now()
    )

    class Refusing:
        def send(self, message):
            raise InvalidAddressError("The mail server refused the address: 550 no such user")

    with django_capture_on_commit_callbacks(execute=True):
        sending.delivery_send(
            delivery=Delivery.objects.select_related("alert", "subscriber").get(pk=delivery.pk), sender=Refusing()
        )
    assert BounceRecovery.objects.get().address == "amina@example.org"
    assert OutboxMessage.objects.filter(to=MOBILE).count() == 1


def test_the_counts_split_bounced_into_recovered_lost_and_waiting(world):
    now = timezone.now()
    people = [subscriber(world, email=f"m{n}@example.org") for n in range(4)]
    BounceRecovery.objects.create(subscriber=people[0], address="a", bounced_at=now, sms_sent_at=now, recovered_at=now)
    BounceRecovery.objects.create(subscriber=people[1], address="b", bounced_at=now, sms_sent_at=now)
    BounceRecovery.objects.create(subscriber=people[2], address="c", bounced_at=now)
    old = now - timedelta(days=40)
    BounceRecovery.objects.create(subscriber=people[3], address="d", bounced_at=old, sms_sent_at=old)
    assert bounce_counts(subscribers=Q(), now=now) == {"bounced": 4, "recovered": 1, "lost": 2, "waiting": 1}
    assert bounce_counts(subscribers=Q(), start=now - timedelta(days=1), now=now)["bounced"] == 3
    assert bounce_counts(subscribers=Q(ward=world.fleetwood.wards.get()), now=now)["bounced"] == 0


def test_an_answer_after_the_window_is_an_ordinary_reply(client, world, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    with django_capture_on_commit_callbacks(execute=True):
        bounces.email_bounced(subscriber_id=person.pk, address="amina@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=31)), django_capture_on_commit_callbacks(execute=True):
        text_back(client, "new@example.org")
    assert InboundReply.objects.get().body == "new@example.org"


def dsn(client, settings, *, delivery, text):
    from tests.messaging.test_inbox_services import SIGNING_KEY, mailgun_post

    settings.INBOUND_EMAIL_DOMAIN, settings.MAILGUN_WEBHOOK_SIGNING_KEY = "replies.example.police.uk", SIGNING_KEY
    return mailgun_post(
        client,
        recipient=f"bounce+{delivery.token.hex}@replies.example.police.uk",
        sender="mailer-daemon@mx.example.org",
        text=text,
        subject="Undelivered Mail Returned to Sender",
    )


def test_a_mail_servers_bounce_notice_starts_recovery(client, world, settings, django_capture_on_commit_callbacks):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    delivery = email_sent(world, person)
    notice = "<amina@example.org>: host mx said: 550 5.1.1 <amina@example.org>: Recipient address rejected"
    with django_capture_on_commit_callbacks(execute=True):
        response = dsn(client, settings, delivery=delivery, text=notice)
    assert response.content == b"applied"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "5.1.1" in delivery.error
    assert SubscriberChannel.objects.get(subscriber=person, channel="email").status == ChannelStatus.UNDELIVERABLE
    assert BounceRecovery.objects.get().address == "amina@example.org"
    assert OutboxMessage.objects.filter(to=MOBILE).count() == 1
    assert not InboundReply.objects.exists()  # a bounce notice is no reply for the team


def test_a_delay_notice_changes_nothing(client, world, settings):
    person = subscriber(world, email="amina@example.org", mobile=MOBILE)
    delivery = email_sent(world, person)
    response = dsn(client, settings, delivery=delivery, text="452 4.2.2 Mailbox full; still trying for 4 days")
    assert response.content == b"temporary"
    assert SubscriberChannel.objects.get(subscriber=person, channel="email").status == ChannelStatus.ACTIVE
    assert not BounceRecovery.objects.exists() and not InboundReply.objects.exists()
