"""SMS through GOV.UK Notify, with its official client.

The Notify template (NOTIFY_SMS_TEMPLATE_ID) holds a single ((body)) placeholder: the message is
rendered here, so one template serves every alert. The delivery's token goes as Notify's
`reference`, which comes back on the delivery receipt.
"""

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from messaging.delivery.channels.base import OutgoingMessage, PermanentSendError, Sender, SendResult, TransientSendError
from messaging.delivery.channels.email import InvalidAddressError
from messaging.delivery.ratelimit import ProviderRateLimited

# Notify's 400s that are about the number itself, not about our request.
NUMBER_PROBLEMS = ("phone_number", "not a uk mobile", "not enough digits", "too many digits")


def retry_after_seconds(response) -> float | None:
    """Retry-After in seconds, when the provider said (only the delta-seconds form is honoured)."""
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _error_text(exc: APIError) -> str:
    message = exc.message
    if isinstance(message, list):
        message = "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in message)
    return str(message)


def error_for(exc: APIError) -> Exception:
    """Notify's answer as the engine's kind of failure: retry (429, 5xx, no answer) or not (4xx)."""
    status, text = exc.status_code, _error_text(exc)
    detail = f"Notify {status}: {text}"[:255]
    if status == 429:
        return ProviderRateLimited(detail, retry_after=retry_after_seconds(exc.response))
    if status >= 500:
        # The client reports a connection failure or timeout as 503 too.
        return TransientSendError(detail, retry_after=retry_after_seconds(exc.response))
    if status in (401, 403):
        # A revoked or mistyped API key is fixed by an operator, after which the message should go.
        return TransientSendError(detail)
    if status == 400 and any(word in text.lower() for word in NUMBER_PROBLEMS):
        return InvalidAddressError(detail)
    return PermanentSendError(detail)


class NotifySmsSender(Sender):
    channel_kind = "sms"

    def __init__(self):
        self._client = None

    def client(self) -> NotificationsAPIClient:
        if self._client is None:
            if not settings.NOTIFY_API_KEY or not settings.NOTIFY_SMS_TEMPLATE_ID:
                raise TransientSendError("Notify is not configured (NOTIFY_API_KEY, NOTIFY_SMS_TEMPLATE_ID).")
            timeout = getattr(settings, "NOTIFY_TIMEOUT_SECONDS", 20)
            self._client = NotificationsAPIClient(
                settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=timeout
            )
        return self._client

    def send(self, message: OutgoingMessage) -> SendResult:
        try:
            answer = self.client().send_sms_notification(
                phone_number=message.to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": message.body},
                reference=message.reference or None,
            )
        except APIError as exc:
            raise error_for(exc) from exc
        return SendResult(provider_id=str((answer or {}).get("id", "")))

    def find_sent(self, reference: str) -> SendResult | None:
        """The notification Notify already accepted with this reference, if any (the engine asks
        before sending again a message an earlier try may have delivered)."""
        try:
            answer = self.client().get_all_notifications(reference=reference, template_type="sms")
        except APIError as exc:
            error = error_for(exc)
            # Not knowing is never a reason to fail the delivery: ask again later.
            raise error if isinstance(error, TransientSendError) else TransientSendError(str(error)) from exc
        found = (answer or {}).get("notifications") or []
        return SendResult(provider_id=str(found[0].get("id", ""))) if found else None
