"""Which sender each channel uses, from settings (MESSAGING_<CHANNEL>_SENDER)."""

from django.conf import settings
from django.utils.module_loading import import_string

from messaging.delivery.channels.base import OutgoingMessage, PermanentSendError, Sender, SendResult, TransientSendError

__all__ = ["OutgoingMessage", "PermanentSendError", "SendResult", "Sender", "TransientSendError", "get_sender"]

SENDERS = {
    "outbox": "messaging.delivery.channels.outbox.OutboxSender",
    "email": "messaging.delivery.channels.email.EmailSender",
    "notify": "messaging.delivery.channels.notify_sms.NotifySmsSender",
    "notify-email": "messaging.delivery.channels.notify_email.NotifyEmailSender",
    "voice": "messaging.delivery.channels.voice.VoiceCallSender",
}
SETTING_FOR_CHANNEL = {
    "email": "MESSAGING_EMAIL_SENDER",
    "sms": "MESSAGING_SMS_SENDER",
    "voice": "MESSAGING_VOICE_SENDER",
}


def get_sender(channel: str) -> Sender:
    """A sender for `channel` ("email", "sms" or "voice"), as configured."""
    name = getattr(settings, SETTING_FOR_CHANNEL[channel])
    # "notify" names Notify for each channel; email has a sender of its own there.
    if channel == "email" and name == "notify":
        name = "notify-email"
    return import_string(SENDERS[name])()
