import datetime
import email
import socket
from email import policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.utils import timezone

from messaging import links
from messaging.delivery import fanout
from messaging.delivery.channels import OutgoingMessage, PermanentSendError, TransientSendError, get_sender
from messaging.delivery.channels.email import EmailSender, InvalidAddressError
from messaging.delivery.channels.notify_email import NotifyEmailSender
from messaging.delivery.channels.notify_sms import NotifySmsSender
from messaging.delivery.channels.voice import VoiceCallSender
from messaging.delivery.ratelimit import ProviderRateLimited
from messaging.models import AlertStatus, Delivery, DeliveryStatus
from messaging.rendering import VOICE_OPT_OUT, render_delivery, sms_segments, sms_text
from tests.messaging.emulators import NotifyEmulator, VoiceEmulator
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db


def delivery_for(world, *, channel="email", **fields):
    n = Delivery.objects.count()
    person = subscriber(world, email=f"amina{n or ''}@example.org", mobile=f"+44770090{n:04d}", voice=True)
    made = alert(world, **fields)
    return Delivery.objects.create(alert=made, subscriber=person, channel=channel, queued_at=timezone.now())


# --- rendering ------------------------------------------------------------------------------------


def test_it_renders_the_body_as_safe_markdown(world):
    body = "Lock your *sheds*.\n\n- mark tools\n- [report it](https://example.org/report)\n\n<script>x()</script>"
    message = render_delivery(delivery=delivery_for(world, body=body, title="Sheds & <b>tools</b>"))
    assert "<em>sheds</em>" in message.html and "<li>mark tools</li>" in message.html
    assert "&lt;script&gt;x()&lt;/script&gt;" in message.html and "<script>" not in message.html
    assert "Sheds &amp; &lt;b&gt;tools&lt;/b&gt;" in message.html
    assert message.subject == "Sheds & <b>tools</b>"  # a header, not HTML


def test_it_refuses_script_links(world):
    message = render_delivery(delivery=delivery_for(world, body="[click](javascript:alert(1))"))
    assert "javascript:" not in message.html.replace("[click](javascript:alert(1))", "")
    assert "<a " not in message.html.split("<hr")[0]


def test_it_sends_links_through_the_click_counter(world, settings):
    settings.MESSAGING_CLICK_TRACKING = True
    delivery = delivery_for(world, body="[Report](https://example.org/report)")
    html = render_delivery(delivery=delivery).html
    tracked = links.tracked_url(delivery=delivery, url="https://example.org/report").split("?to=")[0]
    assert f'href="{tracked}?to=' in html and 'href="https://example.org/report"' not in html


def test_it_leaves_links_alone_without_click_tracking(world, settings):
    settings.MESSAGING_CLICK_TRACKING = False
    html = render_delivery(delivery=delivery_for(world, body="[Report](https://example.org/report)")).html
    assert 'href="https://example.org/report"' in html


# A manage link is signed with the time, so the clock stands still while the test compares links.
@time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC), tick=False)
def test_it_adds_the_footer_links_and_unsubscribe_headers(world):
    delivery = delivery_for(world)
    message = render_delivery(delivery=delivery)
    unsubscribe = links.unsubscribe_url(delivery=delivery)
    for url in (links.feedback_url(delivery=delivery), links.manage_url(subscriber=delivery.subscriber), unsubscribe):
        assert url in message.body and url.replace("&", "&amp;") in message.html
    assert "Was this useful?" in message.body
    assert message.headers == {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert (message.to, message.reference) == ("amina@example.org", str(delivery.token))


@pytest.mark.parametrize("tracking", [False, True])
def test_it_adds_the_open_pixel_only_when_tracking_is_on(world, settings, tracking):
    settings.MESSAGING_OPEN_TRACKING = tracking
    delivery = delivery_for(world)
    assert (links.open_pixel_url(delivery=delivery) in render_delivery(delivery=delivery).html) is tracking


def test_it_texts_the_sms_text_or_the_title_with_the_members_manage_link_and_how_to_stop(world):
    delivery = delivery_for(world, channel="sms", sms_text="Sheds  broken\ninto")
    manage = links.short_manage_url(subscriber=delivery.subscriber)
    assert render_delivery(delivery=delivery).body == f"Sheds broken into Manage: {manage} Reply STOP to stop."
    made = alert(world, title="Road closed", sms_text="")
    assert sms_text(made, footer=" Reply STOP to stop.") == "Road closed Reply STOP to stop."


def test_it_cuts_an_overlong_sms_to_four_segments(world):
    made = alert(world, sms_text="word " * 200)
    text = sms_text(made)
    assert sms_segments(text) == 4 and text.endswith("/ Reply STOP to stop.") and "word... Manage: http" in text
    assert len(text) > 4 * 67  # still GSM-7: the cut did not switch it to the shorter UCS-2 segments


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # extension characters take two septets
        ("€" * 81, 2),
        ("Zażółć" + "a" * 64, 1),  # one non-GSM letter makes it UCS-2: 70 per segment
        ("ł" * 71, 2),
        ("ł" * 134, 2),
        ("ł" * 135, 3),
        ("😀" * 35, 1),  # two UTF-16 units each
    ],
)
def test_it_counts_sms_segments(text, segments):
    assert sms_segments(text) == segments


def test_it_speaks_the_voice_script_or_the_body_then_how_to_stop_the_calls(world):
    scripted = render_delivery(delivery=delivery_for(world, channel="voice", voice_script="Hello."))
    assert scripted.body == "Hello. " + VOICE_OPT_OUT
    spoken = render_delivery(delivery=delivery_for(world, channel="voice", body="Lock *sheds* [now](https://x.org)"))
    assert spoken.body.startswith("Lock sheds now ") and "STOP" in spoken.body


# --- email over real SMTP -------------------------------------------------------------------------


class Mailbox:
    def __init__(self):
        self.messages = []
        self.envelope_senders = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address.startswith("gone@"):
            return "550 5.1.1 No such user"
        if address.startswith("full@"):
            return "452 4.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelope_senders.append(envelope.mail_from)
        return "250 Message accepted"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    controller.stop()


def test_it_emails_an_alert_over_smtp_with_one_click_unsubscribe(world, smtp, settings):
    settings.MESSAGING_EMAIL_SENDER = "email"
    subscriber(world, email="reader@example.org")
    made = alert(world, title="Sheds broken into")
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.SENDING)
    fanout.alert_fan_out(alert_id=made.pk)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    [received] = smtp.messages
    assert received["To"] == "reader@example.org" and received["Subject"] == "Sheds broken into"
    # Long headers are folded after the colon; the value is the same.
    assert received["List-Unsubscribe"].strip() == f"<{links.unsubscribe_url(delivery=delivery)}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Message-ID"] == delivery.provider_id == f"<{delivery.token}@pact.example.police.uk>"
    assert received.get_body(("html",)).get_content().count(links.feedback_url(delivery=delivery)) == 1


def test_it_sends_alert_emails_bounces_to_the_inbound_domain_when_asked(world, smtp, settings):
    settings.MESSAGING_EMAIL_SENDER = "email"
    settings.INBOUND_EMAIL_DOMAIN, settings.INBOUND_EMAIL_BOUNCES = "replies.example.police.uk", True
    subscriber(world, email="reader@example.org")
    made = alert(world, title="Sheds broken into")
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.SENDING)
    fanout.alert_fan_out(alert_id=made.pk)
    token = Delivery.objects.get().token
    assert smtp.envelope_senders == [f"bounce+{token.hex}@replies.example.police.uk"]
    [received] = smtp.messages
    assert received["From"] == settings.DEFAULT_FROM_EMAIL
    assert received["Reply-To"] == f"reply+{token.hex}@replies.example.police.uk"


def test_it_closes_the_smtp_session_of_a_one_off_email(smtp):
    sender = EmailSender()
    sender.send(OutgoingMessage(channel="email", to="r@example.org", subject="Hi", body="Hello"))
    assert len(smtp.messages) == 1 and sender._connection is None


def test_it_reuses_one_smtp_connection_for_a_batch(smtp):
    sender = EmailSender()
    sender.open()
    for n in range(3):
        sender.send(OutgoingMessage(channel="email", to=f"r{n}@example.org", subject="Hi", body="Hello"))
    connection = sender._connection
    assert connection.connection is not None  # still the one session
    sender.close()
    assert len(smtp.messages) == 3 and connection.connection is None


def test_it_fails_an_address_the_server_refuses_for_good(smtp):
    with pytest.raises(InvalidAddressError, match="550"):
        EmailSender().send(OutgoingMessage(channel="email", to="gone@example.org", subject="Hi", body="Hello"))


def test_it_retries_an_address_the_server_defers(smtp):
    with pytest.raises(TransientSendError, match="452"):
        EmailSender().send(OutgoingMessage(channel="email", to="full@example.org", subject="Hi", body="Hello"))


def test_it_retries_when_the_mail_server_is_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with pytest.raises(TransientSendError, match="Could not reach the mail server"):
        EmailSender().send(OutgoingMessage(channel="email", to="a@example.org", subject="Hi", body="Hello"))


# --- SMS through the official Notify client -------------------------------------------------------


@pytest.fixture
def notify(settings):
    with NotifyEmulator() as emulator:
        settings.NOTIFY_API_KEY = emulator.api_key
        settings.NOTIFY_BASE_URL = emulator.url
        settings.NOTIFY_SMS_TEMPLATE_ID = emulator.TEMPLATE_ID
        yield emulator


def sms(to="+447700900123", reference="ref-1"):
    return OutgoingMessage(channel="sms", to=to, body="Sheds broken into. Reply STOP to stop.", reference=reference)


def test_it_texts_through_notify(notify):
    result = NotifySmsSender().send(sms())
    [accepted] = notify.accepted
    assert result.provider_id == accepted["id"]
    assert (accepted["phone_number"], accepted["reference"]) == ("+447700900123", "ref-1")
    assert accepted["personalisation"] == {"body": "Sheds broken into. Reply STOP to stop."}


def test_it_retries_when_notify_limits_the_rate(notify):
    notify.fail_next(429, retry_after=30)
    with pytest.raises(ProviderRateLimited) as raised:
        NotifySmsSender().send(sms())
    assert raised.value.retry_after == 30 and "429" in str(raised.value)


@pytest.mark.parametrize("status", [500, 503])
def test_it_retries_when_notify_fails(notify, status):
    notify.fail_next(status)
    with pytest.raises(TransientSendError, match=str(status)):
        NotifySmsSender().send(sms())


def test_it_fails_a_number_notify_rejects(notify):
    with pytest.raises(InvalidAddressError, match="Not a UK mobile number"):
        NotifySmsSender().send(sms(to="+441632960000"))
    assert not notify.accepted


def test_it_fails_without_retry_a_request_notify_rejects(notify):
    notify.fail_next(400, message="Missing personalisation: body")
    with pytest.raises(PermanentSendError) as raised:
        NotifySmsSender().send(sms())
    assert not isinstance(raised.value, InvalidAddressError)


def test_it_is_refused_by_notify_with_a_wrong_key(notify, settings):
    settings.NOTIFY_API_KEY = f"pact_test-{notify.service_id}-{'0' * 36}"
    with pytest.raises(TransientSendError, match="403"):
        NotifySmsSender().send(sms())
    assert not notify.accepted


def test_it_retries_when_notify_cannot_be_reached(settings):
    settings.NOTIFY_API_KEY = NotifyEmulator().api_key
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{free_port()}"
    settings.NOTIFY_SMS_TEMPLATE_ID = NotifyEmulator.TEMPLATE_ID
    with pytest.raises(TransientSendError):
        NotifySmsSender().send(sms())


# --- email through Notify -------------------------------------------------------------------------


@pytest.fixture
def notify_email(notify, settings):
    settings.NOTIFY_EMAIL_TEMPLATE_ID = notify.EMAIL_TEMPLATE_ID
    settings.MESSAGING_EMAIL_SENDER = "notify"
    return notify


def notify_mail(to="amina@example.org"):
    return OutgoingMessage(channel="email", to=to, subject="Sheds", body="Sheds broken into.", reference="ref-9")


def test_it_emails_through_notify_when_so_configured(notify_email):
    sender = get_sender("email")
    assert isinstance(sender, NotifyEmailSender)
    result = sender.send(notify_mail())
    [accepted] = notify_email.accepted
    assert result.provider_id == accepted["id"]
    assert (accepted["email_address"], accepted["reference"]) == ("amina@example.org", "ref-9")
    assert accepted["personalisation"] == {"subject": "Sheds", "body": "Sheds broken into."}


def test_it_fails_an_address_notify_rejects_as_undeliverable(notify_email):
    with pytest.raises(InvalidAddressError, match="Not a valid email address"):
        NotifyEmailSender().send(notify_mail(to="not-an-address"))


def test_it_retries_an_email_when_notify_fails(notify_email):
    notify_email.fail_next(503)
    with pytest.raises(TransientSendError, match="503"):
        NotifyEmailSender().send(notify_mail())


def test_it_finds_an_email_notify_already_accepted(notify_email):
    sent = NotifyEmailSender().send(notify_mail())
    assert NotifyEmailSender().find_sent("ref-9") == sent


# --- voice ----------------------------------------------------------------------------------------


@pytest.fixture
def voice(settings):
    with VoiceEmulator() as emulator:
        settings.VOICE_API_URL = f"{emulator.url}/calls"
        settings.VOICE_API_KEY = emulator.api_key
        yield emulator


def call(to="+447700900123"):
    return OutgoingMessage(channel="voice", to=to, body="This is your neighbourhood team.", reference="ref-2")


def test_it_calls_through_the_voice_provider(voice):
    result = VoiceCallSender().send(call())
    [accepted] = voice.accepted
    assert result.provider_id == accepted["id"]
    assert (accepted["to"], accepted["script"], accepted["reference"]) == (
        "+447700900123",
        "This is your neighbourhood team.",
        "ref-2",
    )


def test_it_maps_the_voice_providers_errors(voice):
    voice.fail_next(429, retry_after=12)
    with pytest.raises(ProviderRateLimited) as raised:
        VoiceCallSender().send(call())
    assert raised.value.retry_after == 12
    voice.fail_next(502)
    with pytest.raises(TransientSendError, match="502"):
        VoiceCallSender().send(call())
    with pytest.raises(InvalidAddressError, match="invalid number"):
        VoiceCallSender().send(call(to="+4412"))
    voice.fail_next(413, message="script too long")
    with pytest.raises(PermanentSendError, match="413"):
        VoiceCallSender().send(call())
    assert not voice.accepted


def test_it_is_refused_by_the_voice_provider_with_a_wrong_key(voice, settings):
    settings.VOICE_API_KEY = "wrong"
    with pytest.raises(TransientSendError, match="403"):
        VoiceCallSender().send(call())
