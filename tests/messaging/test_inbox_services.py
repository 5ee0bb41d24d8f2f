"""Replies to alerts: trigger words, receiving by email and text (threading, not matched), the
urgent path, answering and closing."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.inbox import services
from messaging.inbox.triggers import matched_triggers
from messaging.models import (
    AnswerOutcome,
    Delivery,
    DeliveryStatus,
    DutyContact,
    InboundReply,
    OutboxMessage,
    ReplyStatus,
    TriggerWord,
)
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

DEFAULTS = ["weapon", "knife", "gun", "attacked", "help me", "suicide", "now"]
SIGNING_KEY = "mailgun-key-for-tests"
NOTIFY_TOKEN = "callback-token-for-tests"


@pytest.fixture(autouse=True)
def inbound_settings(settings):
    settings.INBOUND_EMAIL_DOMAIN = "replies.example.police.uk"
    settings.MAILGUN_WEBHOOK_SIGNING_KEY = SIGNING_KEY
    settings.NOTIFY_CALLBACK_TOKEN = NOTIFY_TOKEN
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    settings.MESSAGING_SMS_SENDER = "outbox"
    for phrase in DEFAULTS:
        TriggerWord.objects.get_or_create(phrase=phrase)


def sent(world, person, *, channel="email", **fields):
    return Delivery.objects.create(
        alert=alert(world, **fields),
        subscriber=person,
        channel=channel,
        status=DeliveryStatus.SENT,
        queued_at=timezone.now(),
        sent_at=timezone.now(),
    )


# --- trigger words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He has a KNIFE", ["knife"]),
        ("Please HELP   ME", ["help me"]),
        ("help, me", ["help me"]),
        ("Hélp mé, they have a gún", ["gun", "help me"]),
        ("I was ATTACKED last night", ["attacked"]),
        ("Ｇｕｎ", ["gun"]),  # full-width letters fold too (NFKD)
    ],
)
def test_it_matches_trigger_words_whatever_the_case_or_accents(text, expected):
    assert sorted(matched_triggers(text, DEFAULTS)) == sorted(expected)


@pytest.mark.parametrize("text", ["The gunner's dog", "Nowhere to park", "knives", "helpme", "Thanks for the update"])
def test_it_matches_whole_words_only(text):
    assert matched_triggers(text, DEFAULTS) == []


def test_it_matches_a_phrase_the_force_wrote_with_accents_and_capitals():
    assert matched_triggers("they said: au secours", ["Au Sécours"]) == ["Au Sécours"]


# --- inbound email (Mailgun) ----------------------------------------------------------------------


def mailgun_post(
    client,
    *,
    recipient,
    sender="amina@example.org",
    text="Thanks for letting us know.",
    key=SIGNING_KEY,
    subject="Re: Burglaries on Elm Street",
    **extra,
):
    timestamp, token = str(int(time.time())), uuid.uuid4().hex + "x" * 18
    signature = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    data = {
        "recipient": recipient,
        "sender": sender,
        "from": f"Amina <{sender}>",
        "subject": subject,
        "body-plain": text + "\n\n> quoted alert",
        "stripped-text": text,
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        "message-headers": json.dumps([["Message-Id", f"<{uuid.uuid4()}@mail.example.org>"]]),
        **extra,
    }
    return client.post(reverse("messaging:mailgun-inbound"), data)


def test_it_threads_an_email_reply_to_its_alert_by_the_reply_address(client, world):
    person = subscriber(world)
    delivery = sent(world, person)
    response = mailgun_post(client, recipient=f"reply+{delivery.token.hex}@replies.example.police.uk")
    reply = InboundReply.objects.get()
    assert response.status_code == 200
    assert (reply.subscriber, reply.alert, reply.neighbourhood) == (person, delivery.alert, world.daneshouse)
    assert reply.body == "Thanks for letting us know." and not reply.is_urgent


def test_it_matches_an_email_by_its_sender_when_the_token_is_unknown(client, world):
    person = subscriber(world)
    delivery = sent(world, person)
    mailgun_post(client, recipient=f"reply+{uuid.uuid4().hex}@replies.example.police.uk")
    reply = InboundReply.objects.get()
    assert (reply.subscriber, reply.alert) == (person, delivery.alert)


def test_it_files_an_email_from_a_stranger_as_not_matched(client, world):
    sent(world, subscriber(world))
    mailgun_post(client, recipient="reply+nonsense@replies.example.police.uk", sender="stranger@example.com")
    reply = InboundReply.objects.get()
    assert reply.subscriber is None and reply.neighbourhood is None and reply.alert is None
    assert InboundReply.objects.unmatched().count() == 1


@pytest.mark.parametrize("key", ["wrong-key", ""])
def test_it_refuses_an_email_with_a_bad_signature_and_stores_nothing(client, world, key):
    delivery = sent(world, subscriber(world))
    response = mailgun_post(client, recipient=f"reply+{delivery.token.hex}@replies.example.police.uk", key=key or "x")
    assert response.status_code == 403
    assert not InboundReply.objects.exists()


def test_it_refuses_a_stale_signature(client, world, settings):
    timestamp, token = str(int(time.time()) - 3600), "t" * 50
    signature = hmac.new(SIGNING_KEY.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    data = {"recipient": "x@y.z", "from": "a@b.c", "stripped-text": "hi", "timestamp": timestamp, "token": token}
    response = client.post(reverse("messaging:mailgun-inbound"), {**data, "signature": signature})
    assert response.status_code == 403 and not InboundReply.objects.exists()


def test_it_refuses_everything_when_no_signing_key_is_set(client, world, settings):
    settings.MAILGUN_WEBHOOK_SIGNING_KEY = ""
    response = mailgun_post(client, recipient="reply+abc@replies.example.police.uk", key="")
    assert response.status_code == 403 and not InboundReply.objects.exists()


def test_it_stores_a_retried_email_once(client, world):
    delivery = sent(world, subscriber(world))
    headers = json.dumps([["Message-Id", "<same@mail.example.org>"]])
    for _ in range(2):
        mailgun_post(
            client, recipient=f"reply+{delivery.token.hex}@replies.example.police.uk", **{"message-headers": headers}
        )
    assert InboundReply.objects.count() == 1


def test_alert_emails_carry_their_reply_address(world):
    from messaging.rendering import render_delivery

    delivery = sent(world, subscriber(world))
    message = render_delivery(delivery=Delivery.objects.select_related("alert", "subscriber").get(pk=delivery.pk))
    assert message.headers["Reply-To"] == f"reply+{delivery.token.hex}@replies.example.police.uk"


# --- inbound SMS (the Notify webhook that takes STOP) ---------------------------------------------


def notify_inbound(client, *, number="447700900123", text="Thanks", event_id=None, token=NOTIFY_TOKEN):
    payload = {
        "id": event_id or str(uuid.uuid4()),
        "source_number": number,
        "message": text,
        "date_received": "2026-12-07T10:00:00Z",
    }
    return client.post(
        reverse("messaging:sms-inbound"),
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_it_files_a_text_under_the_members_latest_alert(client, world):
    person = subscriber(world, email=None, mobile="+447700900123")
    sent(world, person, channel="sms", send_sms=True, title="Older")
    latest = sent(world, person, channel="sms", send_sms=True, title="Newer")
    assert notify_inbound(client).status_code == 200
    reply = InboundReply.objects.get()
    assert (reply.subscriber, reply.alert, reply.neighbourhood, reply.channel) == (
        person,
        latest.alert,
        world.daneshouse,
        "sms",
    )


def test_it_files_a_text_from_an_unknown_number_as_not_matched(client, world):
    subscriber(world, email=None, mobile="+447700900123")
    notify_inbound(client, number="447700900999")
    reply = InboundReply.objects.get()
    assert reply.subscriber is None and reply.neighbourhood is None and reply.sender == "+447700900999"


def test_a_stop_text_is_no_reply(client, world):
    subscriber(world, email=None, mobile="+447700900123")
    notify_inbound(client, text="STOP")
    assert not InboundReply.objects.exists()


def test_it_refuses_a_text_with_a_bad_token_and_stores_nothing(client, world):
    subscriber(world, email=None, mobile="+447700900123")
    assert notify_inbound(client, token="wrong").status_code == 403
    assert not InboundReply.objects.exists()


# --- urgent replies -------------------------------------------------------------------------------


def test_an_urgent_reply_sends_the_advice_and_tells_the_duty_contact_once(
    client, world, django_capture_on_commit_callbacks
):
    DutyContact.objects.create(
        neighbourhood=world.daneshouse, name="Duty sergeant", email="duty@example.police.uk", mobile="+447700900555"
    )
    person = subscriber(world, email=None, mobile="+447700900123")
    sent(world, person, channel="sms", send_sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify_inbound(client, text="There's a man with a KNIFE outside")
    reply = InboundReply.objects.get()
    assert reply.is_urgent and reply.trigger_words == ["knife"]
    assert reply.advice_sent_at and reply.duty_notified_at
    to = sorted(OutboxMessage.objects.values_list("to", flat=True))
    assert to == ["+447700900123", "+447700900555", "duty@example.police.uk"]
    advice = OutboxMessage.objects.get(to="+447700900123").body
    assert "999" in advice and "101" in advice
    assert "KNIFE" not in OutboxMessage.objects.get(to="+447700900555").body  # the words stay in the portal
    assert services.reply_urgent_handle(reply_id=reply.pk) == {"advice": False, "duty": False}
    assert OutboxMessage.objects.count() == 3


def test_an_ordinary_reply_sends_nothing(client, world):
    DutyContact.objects.create(neighbourhood=world.daneshouse, name="Duty", email="duty@example.police.uk")
    subscriber(world, email=None, mobile="+447700900123")
    notify_inbound(client, text="Thanks, very useful")
    assert not InboundReply.objects.get().is_urgent
    assert not OutboxMessage.objects.exists()


def test_urgent_replies_come_first_in_the_inbox(world):
    person = subscriber(world)
    ordinary = services.reply_receive(
        channel="email",
        sender="amina@example.org",
        body="Thanks",
        provider="t",
        provider_message_id="1",
        received_at=timezone.now(),
        subscriber=person,
    )
    urgent = services.reply_receive(
        channel="email",
        sender="amina@example.org",
        body="I was attacked",
        provider="t",
        provider_message_id="2",
        received_at=timezone.now() - timezone.timedelta(days=1),
        subscriber=person,
    )
    assert list(InboundReply.objects.inbox_order()) == [urgent, ordinary]


# --- answering and closing ------------------------------------------------------------------------


def test_it_answers_by_the_members_channel_and_keeps_who_and_when(client, world, django_capture_on_commit_callbacks):
    person = subscriber(world, email=None, mobile="+447700900123")
    sent(world, person, channel="sms", send_sms=True)
    notify_inbound(client, text="Was it on Elm Street?")
    reply = InboundReply.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.reply_answer(reply=reply, actor=world.pcso, body="Yes, the north end.")
    answer.refresh_from_db()
    reply.refresh_from_db()
    assert (answer.author, answer.channel, answer.to, answer.outcome) == (
        world.pcso,
        "sms",
        "+447700900123",
        AnswerOutcome.SENT,
    )
    assert reply.status == ReplyStatus.ANSWERED
    assert OutboxMessage.objects.get(to="+447700900123").body == "Yes, the north end."


def test_an_email_answer_keeps_the_thread_going(client, world, django_capture_on_commit_callbacks):
    delivery = sent(world, subscriber(world))
    mailgun_post(client, recipient=f"reply+{delivery.token.hex}@replies.example.police.uk")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_answer(reply=InboundReply.objects.get(), actor=world.pcso, body="Thank you.")
    email = OutboxMessage.objects.get(to="amina@example.org")
    assert email.headers["Reply-To"] == f"reply+{delivery.token.hex}@replies.example.police.uk"
    assert email.subject == "Re: Re: Burglaries on Elm Street"


def test_it_refuses_an_empty_answer(world):
    from django.core.exceptions import ValidationError

    reply = services.reply_receive(
        channel="sms",
        sender="+447700900123",
        body="Hi",
        provider="t",
        provider_message_id="1",
        received_at=timezone.now(),
    )
    with pytest.raises(ValidationError):
        services.reply_answer(reply=reply, actor=world.comms, body="   ")
    assert not reply.answers.exists()


def test_it_closes_a_reply_with_who_and_when(world):
    reply = services.reply_receive(
        channel="sms",
        sender="+447700900123",
        body="Hi",
        provider="t",
        provider_message_id="1",
        received_at=timezone.now(),
    )
    services.reply_close(reply=reply, actor=world.comms)
    reply.refresh_from_db()
    assert (reply.status, reply.closed_by) == (ReplyStatus.CLOSED, world.comms) and reply.closed_at


def test_a_notify_receipt_settles_an_answers_outcome(client, world, django_capture_on_commit_callbacks):
    reply = services.reply_receive(
        channel="sms",
        sender="+447700900123",
        body="Hi",
        provider="t",
        provider_message_id="1",
        received_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.reply_answer(reply=reply, actor=world.comms, body="Hello")
    payload = {"id": "n-1", "reference": str(answer.token), "status": "permanent-failure", "notification_type": "sms"}
    response = client.post(
        reverse("messaging:notify-receipt"),
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {NOTIFY_TOKEN}"},
    )
    answer.refresh_from_db()
    assert response.json() == {"result": "applied"}
    assert answer.outcome == AnswerOutcome.FAILED and "not in use" in answer.error


def test_it_refuses_a_signed_post_replayed_with_another_message(client, world):
    delivery = sent(world, subscriber(world))
    timestamp, token = str(int(time.time())), "r" * 50
    signature = hmac.new(SIGNING_KEY.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    signed = {"timestamp": timestamp, "token": token, "signature": signature, "from": "amina@example.org"}
    recipient = f"reply+{delivery.token.hex}@replies.example.police.uk"
    url = reverse("messaging:mailgun-inbound")
    assert client.post(url, {**signed, "recipient": recipient, "stripped-text": "Thanks"}).status_code == 200
    assert client.post(url, {**signed, "recipient": recipient, "stripped-text": "Forged"}).status_code == 403
    assert list(InboundReply.objects.values_list("body", flat=True)) == ["Thanks"]


def test_the_duty_contact_is_told_even_when_the_advice_cannot_be_sent(world, monkeypatch):
    from messaging.delivery.channels import PermanentSendError, TransientSendError

    DutyContact.objects.create(neighbourhood=world.daneshouse, name="Duty", email="duty@example.police.uk")
    reply = services.reply_receive(
        channel="sms", sender="+447700900123", body="help me", provider="t", provider_message_id="1",
        received_at=timezone.now(), subscriber=subscriber(world, email=None, mobile="+447700900123"),
    )  # fmt: skip
    real_send = services._send

    def send(message):
        if message.to == "+447700900123":
            raise outcome
        return real_send(message)

    monkeypatch.setattr(services, "_send", send)
    outcome = TransientSendError("Notify 503")
    with pytest.raises(TransientSendError):
        services.reply_urgent_handle(reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.duty_notified_at and reply.advice_sent_at is None  # the retry sends only the advice
    outcome = PermanentSendError("Not a UK mobile")
    assert services.reply_urgent_handle(reply_id=reply.pk) == {"advice": False, "duty": False}
    assert OutboxMessage.objects.filter(to="duty@example.police.uk").count() == 1


def test_a_duty_contacts_mobile_is_kept_in_e164_and_a_bad_one_refused(world):
    from django.core.exceptions import ValidationError

    duty = DutyContact(neighbourhood=world.daneshouse, name="Duty sergeant", mobile="07400 123456")
    duty.full_clean()
    assert duty.mobile == "+447400123456"
    with pytest.raises(ValidationError) as raised:
        DutyContact(neighbourhood=world.queensgate, name="Desk", mobile="01632 960000").full_clean()
    assert "mobile" in raised.value.message_dict
