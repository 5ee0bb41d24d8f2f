"""An email backend for the embedded default (DEBUG, no EMAIL_URL): each email Django sends -
following a priority, resetting a password - is kept in In the Know's outbox, where staff read
the alerts' messages too, instead of scrolling past on the runserver's console."""

from django.core.mail.backends.base import BaseEmailBackend


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        from messaging.models import Channel, OutboxMessage

        sent = 0
        for message in email_messages:
            html = next((body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
            headers = {name: str(value) for name, value in (message.extra_headers or {}).items()}
            for address in message.recipients():
                OutboxMessage.objects.create(
                    channel=Channel.EMAIL, to=address, subject=message.subject[:255], body=message.body, html=html,
                    headers=headers,
                )  # fmt: skip
            sent += 1
        return sent
