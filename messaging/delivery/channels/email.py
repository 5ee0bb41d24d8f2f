"""Email through Django's email backend (SMTP in production, EMAIL_URL).

A one-off send (a confirmation email) opens and closes its own SMTP session. The send loop calls
`open()` first and `close()` at the end, and one session then carries the whole batch, since a new
session per message would cost more than the message.
"""

import contextlib
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from messaging import links
from messaging.delivery.channels.base import OutgoingMessage, PermanentSendError, Sender, SendResult, TransientSendError


class InvalidAddressError(PermanentSendError):
    """The address or number itself cannot receive: its channel is marked undeliverable."""


def _refused(exc: smtplib.SMTPRecipientsRefused) -> Exception:
    codes = [code for code, _ in exc.recipients.values()]
    reason = "; ".join(
        f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
        for code, reply in exc.recipients.values()
    )
    # 5xx is the mailbox's final answer (no such user); 4xx (mailbox full, greylisting) may pass later.
    if codes and all(code >= 500 for code in codes):
        return InvalidAddressError(f"The mail server refused the address: {reason}"[:255])
    return TransientSendError(f"The mail server deferred the address: {reason}"[:255])


def _smtp_error(exc: smtplib.SMTPResponseException) -> Exception:
    detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    message = f"SMTP {exc.smtp_code}: {detail}"[:255]
    if 500 <= exc.smtp_code < 600:
        return PermanentSendError(message)
    return TransientSendError(message)


class EmailSender(Sender):
    channel_kind = "email"

    def __init__(self):
        self._connection = None
        self._batch = False

    def open(self) -> None:
        """Keep one SMTP session for every message until `close()`."""
        self._batch = True

    def _message_id(self, reference: str) -> str:
        # Stable per delivery: a message resent after a lost acknowledgement carries the same
        # Message-ID, which lets receiving systems recognise the duplicate.
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        return f"<{reference}@{domain}>"

    def send(self, message: OutgoingMessage) -> SendResult:
        headers = dict(message.headers)
        if message.reference:
            headers["Message-ID"] = self._message_id(message.reference)
        envelope_sender = settings.DEFAULT_FROM_EMAIL
        # An alert's bounce notice comes back to the inbound webhook (messaging.inbox); the reader
        # still sees the force's From address.
        if message.delivery_id is not None and (bounce := links.bounce_address(token=message.reference)):
            headers.setdefault("From", settings.DEFAULT_FROM_EMAIL)
            envelope_sender = bounce
        email = EmailMultiAlternatives(message.subject, message.body, envelope_sender, [message.to], headers=headers)
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            if self._connection is None:
                # Opened here, the backend keeps the session for every later message of the batch.
                self._connection = get_connection(fail_silently=False)
                self._connection.open()
            sent = self._connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc) from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise _smtp_error(exc) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            # Connection refused, dropped or timed out: the server may be back in a moment.
            self._drop()
            raise TransientSendError(f"Could not reach the mail server: {exc}"[:255]) from exc
        finally:
            if not self._batch:
                self._drop()
        if not sent:
            raise TransientSendError("The email backend accepted nothing; it will be tried again.")
        return SendResult(provider_id=headers.get("Message-ID", ""))

    def close(self) -> None:
        self._batch = False
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            # A connection already dropped has nothing left to close.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None
