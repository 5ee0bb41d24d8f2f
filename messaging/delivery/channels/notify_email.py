"""Email through GOV.UK Notify, with its official client: an alternative to SMTP
(MESSAGING_EMAIL_SENDER=notify) whose delivery receipts, bounces included (permanent-failure),
come back on the same callback as the texts' receipts, so no extra bounce service is needed.

The Notify template (NOTIFY_EMAIL_TEMPLATE_ID) has the subject ((subject)) and the body ((body)):
the message is rendered here, in plain text, since Notify lays out every email itself and does not
take HTML. Notify sets the Reply-To from addresses registered with the service, never per message,
so replies to emails sent this way are threaded by the sender's address (messaging.inbox) rather
than by a reply+<token> address.
"""

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from messaging.delivery.channels.base import OutgoingMessage, Sender, SendResult, TransientSendError
from messaging.delivery.channels.email import InvalidAddressError
from messaging.delivery.channels.notify_sms import error_for

# Notify's 400s that are about the address itself, not about our request.
ADDRESS_PROBLEMS = ("email_address", "not a valid email address")


class NotifyEmailSender(Sender):
    channel_kind = "email"

    def __init__(self):
        self._client = None

    def client(self) -> NotificationsAPIClient:
        if self._client is None:
            if not settings.NOTIFY_API_KEY or not settings.NOTIFY_EMAIL_TEMPLATE_ID:
                raise TransientSendError("Notify is not configured (NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID).")
            timeout = getattr(settings, "NOTIFY_TIMEOUT_SECONDS", 20)
            self._client = NotificationsAPIClient(
                settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=timeout
            )
        return self._client

    def _error(self, exc: APIError) -> Exception:
        error = error_for(exc)
        text = str(error).lower()
        if exc.status_code == 400 and any(word in text for word in ADDRESS_PROBLEMS):
            return InvalidAddressError(str(error))
        return error

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            answer = self.client().send_email_notification(
                email_address=message.to,
                template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                personalisation={"subject": message.subject, "body": message.body},
                reference=message.reference or None,
            )
        except APIError as exc:
            raise self._error(exc) from exc
        return SendResult(provider_id=str((answer or {}).get("id", "")))

    def find_sent(self, reference: str) -> SendResult | None:
        """The email Notify already accepted with this reference, if any (asked before a retry)."""
        try:
            answer = self.client().get_all_notifications(reference=reference, template_type="email")
        except APIError as exc:
            error = error_for(exc)
            raise error if isinstance(error, TransientSendError) else TransientSendError(str(error)) from exc
        found = (answer or {}).get("notifications") or []
        return SendResult(provider_id=str(found[0].get("id", ""))) if found else None
