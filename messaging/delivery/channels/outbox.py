"""The embedded default channel: every rendered message is stored in OutboxMessage and shown on a
staff page instead of leaving the building."""

from messaging.delivery.channels.base import OutgoingMessage, Sender, SendResult
from messaging.models import OutboxMessage


class OutboxSender(Sender):
    def send(self, message: OutgoingMessage) -> SendResult:
        stored = OutboxMessage.objects.create(
            delivery_id=message.delivery_id,
            channel=message.channel,
            to=message.to,
            subject=message.subject,
            body=message.body,
            html=message.html,
            headers=message.headers,
        )
        return SendResult(provider_id=f"outbox-{stored.pk}")
