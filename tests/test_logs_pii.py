"""No email address or phone number reaches the logs.

Every record from every logger is captured at DEBUG (the root logger, django.request, Celery,
django-axes, the Notify client) while residents sign up, confirm, reply STOP, are signed up on the
doorstep, receive an alert, report an issue and erase themselves; SMS goes through the real Notify
client to a local emulator and email through Django's mail backend, failures included. Each
record's message, arguments, exception and extra data are searched for any address or number in
any common format."""

import json
import logging
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from PIL import Image

from messaging import links
from messaging.delivery import channels
from messaging.delivery.channels.base import Sender
from messaging.members.services import signup as services_signup
from messaging.models import Alert, ChannelStatus, Delivery, Subscriber, SubscriberChannel
from tests.messaging.emulators import NotifyEmulator
from tests.messaging.factories import interest, subscriber

pytestmark = pytest.mark.django_db

EMAIL = "amina.khan@example.org"
FIELD_EMAIL = "doorstep.resident@example.net"
MOBILE = "07400 123456"
FIELD_MOBILE = "+447400654321"
LOGGERS = ["", "django.request", "celery", "celery.app.trace", "axes", "notifications_python_client"]

ANY_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK mobiles as people and systems write them: +44 7400 123456, 447400123456, 07400 123 456,
# (07400) 123-456, and the bare ten digits.
# Not inside a longer run of letters and digits, so hex tokens and ids do not count.
ANY_MOBILE = re.compile(r"(?<![\w+(])(?:\+?44[\s-]?(?:\(0\))?|\(?0)?7\d{3}\)?[\s-]?\d{3}[\s-]?\d{3}(?!\w)")


def pii_in(text: str) -> list[str]:
    return ANY_EMAIL.findall(text) + ANY_MOBILE.findall(text)


def record_texts(record: logging.LogRecord) -> list[str]:
    texts = [record.getMessage(), repr(record.args), str(record.msg)]
    if record.exc_info:
        texts.append(logging.Formatter().formatException(record.exc_info))
    if record.exc_text:
        texts.append(record.exc_text)
    if record.stack_info:
        texts.append(record.stack_info)
    if hasattr(record, "data"):  # Celery's task records carry the task's arguments and result here
        texts.append(repr(record.data))
    return texts


def leaks(records) -> list[str]:
    return [
        f"{record.name} {record.levelname}: {found}"
        for record in records
        for text in record_texts(record)
        for found in pii_in(text)
    ]


@pytest.fixture
def logs(caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


@pytest.fixture
def notify(settings):
    with NotifyEmulator() as emulator:
        settings.NOTIFY_API_KEY = emulator.api_key
        settings.NOTIFY_BASE_URL = emulator.url
        settings.NOTIFY_SMS_TEMPLATE_ID = emulator.TEMPLATE_ID
        settings.NOTIFY_CALLBACK_TOKEN = "notify-callback-token"  # noqa: S105 (a test value)
        yield emulator


@pytest.fixture
def senders(settings, notify):
    settings.MESSAGING_EMAIL_SENDER = "email"
    settings.MESSAGING_SMS_SENDER = "notify"
    settings.MESSAGING_VOICE_SENDER = "outbox"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return notify


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def call(url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return call


class RefusingBackend(EmailBackend):
    """A mail server that refuses the recipient, echoing the address in its reply as real ones do."""

    def send_messages(self, messages):
        address = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"5.1.1 <{address}>: Recipient address rejected".encode())})


class BrokenCallSender(Sender):
    """A voice provider's library failing in a way nobody foresaw, naming the number as it goes."""

    channel_kind = "voice"

    def send(self, message):
        raise ValueError(f"cannot dial {message.to}")


def sign_up_form(world, **fields):
    data = {"email": EMAIL, "mobile": MOBILE, "channels": ["email", "sms"], "language": "en-gb"}
    data["ward"] = world.daneshouse.wards.first().code
    data["interests"] = [interest("burglary").pk]
    return {**data, **fields}


def test_the_checker_finds_addresses_and_numbers_in_every_format():
    for text in [EMAIL, "a.b+c@mail.example.co.uk", "+447400123456", "447400123456", "07400 123456",
                 "07400 123 456", "(07400) 123-456", "+44 (0)7400 123456", "7400123456"]:  # fmt: skip
        assert pii_in(f"sent to {text}."), text
    for text in ["delivery 123456", "2026-03-02 12:00:00", "alert 7400", "token 4f0c2a9e-1d3b-4c4f-9e2d-1a2b3c4d5e6f"]:
        assert not pii_in(text), text
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "to %s", ("+447400123456",), None)
    assert leaks([record])


def test_online_sign_up_confirmation_and_its_failures_log_no_contact_details(
    client, world, logs, senders, post, settings
):
    response = post("/in-the-know/", sign_up_form(world))
    assert response.status_code == 302
    [confirmation] = mail.outbox
    path = re.search(r"(/in-the-know/confirm/[^/\s]+/)", confirmation.body).group(1)
    client.get(path)
    post(path)
    member = Subscriber.objects.get()
    code = re.search(r"\b(\d{6})\b", senders.accepted[-1]["personalisation"]["body"]).group(1)
    confirm_mobile = reverse("messaging:confirm-mobile", args=[services_signup.confirm_mobile_token(subscriber=member)])
    post(confirm_mobile, {"code": "000000" if code != "000000" else "111111"})  # a wrong code first
    post(confirm_mobile, {"code": code})
    assert set(member.channels.values_list("status", flat=True)) == {ChannelStatus.ACTIVE}
    # Bad input, a provider that is down and a mail server that refuses the address.
    post("/in-the-know/", sign_up_form(world, email="amina@@example", mobile="07400 12345"))
    senders.fail_next(503)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    post("/in-the-know/", sign_up_form(world, email="second.person@example.org", mobile="07400 111222"))
    assert Subscriber.objects.count() == 2
    assert logs.records, "the flows above must log something for this test to mean anything"
    assert leaks(logs.records) == []


def inbound(client, body):
    headers = {"HTTP_AUTHORIZATION": "Bearer notify-callback-token"}
    return client.post("/webhooks/notify/inbound-sms/", json.dumps(body), content_type="application/json", **headers)


def receipt(client, body):
    headers = {"HTTP_AUTHORIZATION": "Bearer notify-callback-token"}
    return client.post(
        reverse("messaging:notify-receipt"), json.dumps(body), content_type="application/json", **headers
    )


def test_stop_replies_and_delivery_receipts_log_no_numbers(client, world, logs, senders):
    member = subscriber(world, email=EMAIL, mobile="+447400123456", voice=True)
    alert = Alert.objects.create(
        force=world.force, created_by=world.pcso, title="t", body="b", audience_level="force", send_sms=True
    )
    delivery = Delivery.objects.create(
        alert=alert, subscriber=member, channel="sms", status="sent", provider_id="n-1", queued_at=alert.created_at
    )
    base = {"id": "n-1", "reference": str(delivery.token), "to": "07400123456", "notification_type": "sms",
            "created_at": "2026-03-02T12:00:00.000000Z", "sent_at": "2026-03-02T12:00:01.000000Z",
            "completed_at": "2026-03-02T12:00:05.000000Z"}  # fmt: skip
    assert receipt(client, {**base, "status": "permanent-failure"}).status_code == 200
    assert receipt(client, {**base, "status": "nonsense", "id": 7}).status_code in (200, 400)
    assert receipt(client, {"to": "+447400123456"}).status_code == 400
    stop = {"id": "in-1", "source_number": "447400123456", "destination_number": "07700900000", "message": "STOP",
            "date_received": "2026-03-02T12:00:00.000000Z"}  # fmt: skip
    assert inbound(client, stop).status_code == 200
    assert inbound(client, {**stop, "id": "in-2", "message": "call me on 07400 999888"}).status_code == 200
    assert inbound(client, {"source_number": "447400123456"}).status_code == 400
    assert SubscriberChannel.objects.get(subscriber=member, channel="voice").status == ChannelStatus.UNSUBSCRIBED
    assert leaks(logs.records) == []


def test_doorstep_sign_up_logs_no_contact_details(client, world, logs, senders, post):
    client.force_login(world.pcso)
    data = sign_up_form(world, email=FIELD_EMAIL, mobile=FIELD_MOBILE, consent_method="doorstep_verbal", agreed="on")
    assert post("/officer/in-the-know/sign-up/", data).status_code == 302
    post("/officer/in-the-know/sign-up/", {**data, "agreed": "", "mobile": "+44 7400 65432"})  # refused, re-rendered
    assert Subscriber.objects.get().source == "field"
    assert leaks(logs.records) == []


def test_composing_sending_and_fanning_out_an_alert_logs_no_contact_details(
    client, world, logs, senders, post, settings, monkeypatch
):
    for i in range(3):
        subscriber(world, email=f"member{i}@example.org", mobile=f"+4474001000{i:02d}", voice=True)
    refused = subscriber(world, email="refused@example.org", mobile="+441632960000")  # Notify refuses the number
    client.force_login(world.pcso)
    form = {
        "kind": "general", "title": "Shed burglaries", "body": "Lock your shed.", "sms_text": "Lock your shed.",
        "voice_script": "Lock your shed.", "audience_level": "neighbourhoods", "neighbourhoods": [world.daneshouse.pk],
        "channels": ["email", "sms", "voice"], "send_when": "now",
    }  # fmt: skip
    assert post(reverse("messaging:alert-create"), form).status_code == 302
    made = Alert.objects.get()
    client.get(reverse("messaging:alert-detail", kwargs={"pk": made.pk}))
    senders.fail_next(503)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    monkeypatch.setitem(channels.SENDERS, "broken", f"{__name__}.BrokenCallSender")
    settings.MESSAGING_VOICE_SENDER = "broken"
    assert post(reverse("messaging:alert-submit", kwargs={"pk": made.pk})).status_code == 302
    statuses = set(Delivery.objects.filter(alert=made).values_list("channel", "status"))
    assert {("sms", "sent"), ("email", "failed"), ("voice", "queued")} <= statuses  # the call waits to retry
    assert refused.channels.get(channel="sms").status == ChannelStatus.UNDELIVERABLE
    assert leaks(logs.records) == []


def png_upload():
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("07400 123456 my house.png", buffer.getvalue(), content_type="image/png")


def test_reporting_an_issue_logs_no_contact_details(client, world, logs, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = {"category": "speeding", "description": "Call me on 07400 123456 or amina.khan@example.org",
              "ward": "E05005155", "contact_email": EMAIL}  # fmt: skip
    assert client.post(reverse("priorities:raise-issue"), {**report, "photo": png_upload()}).status_code == 302
    client.post(reverse("priorities:raise-issue"), {**report, "contact_email": "amina@@example"})
    assert leaks(logs.records) == []


def test_erasing_a_membership_logs_no_contact_details(client, world, logs, senders):
    member = subscriber(world, email=EMAIL, mobile="+447400123456")
    token = links.manage_token(subscriber=member)
    client.get(reverse("messaging:manage", args=[token]))
    client.post(reverse("messaging:manage-download", args=[token]))
    assert client.post(reverse("messaging:manage-erase", args=[token])).status_code == 200
    client.get(reverse("messaging:manage", args=[token]))  # an erased member's link: 404
    client.post(reverse("messaging:manage-request"), {"address": EMAIL})
    member.refresh_from_db()
    assert member.erased_at is not None
    assert leaks(logs.records) == []


def test_failed_and_locked_out_sign_ins_log_no_email_address(client, world, logs):
    for _ in range(6):
        client.post(reverse("accounts:login"), {"username": world.pcso.email, "password": "wrong-password"})
    client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "wrong-password"})
    assert any(record.name.startswith("axes") for record in logs.records)
    assert leaks(logs.records) == []
