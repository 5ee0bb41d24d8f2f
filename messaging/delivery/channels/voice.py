"""Voice calls through a text-to-speech call provider over HTTP.

The contract (any provider, or a small adapter in front of one, can meet it): POST JSON
{"to": E.164 number, "script": text to speak, "reference": our delivery token} to VOICE_API_URL
with `Authorization: Bearer VOICE_API_KEY`; a 2xx answer carries {"id": the provider's call id}.
429 and 5xx are worth retrying (Retry-After honoured); 400 with an error about the number means
the number cannot take calls; other 4xx are permanent. Receipts come back signed to
`messaging:voice-receipt` (see messaging/delivery/views.py).
"""

import requests
from django.conf import settings

from messaging.delivery.channels.base import OutgoingMessage, PermanentSendError, Sender, SendResult, TransientSendError
from messaging.delivery.channels.email import InvalidAddressError
from messaging.delivery.channels.notify_sms import NUMBER_PROBLEMS, retry_after_seconds
from messaging.delivery.ratelimit import ProviderRateLimited


def _detail(response) -> str:
    try:
        answer = response.json()
    except ValueError:
        return response.text[:200]
    return str(answer.get("message") or answer.get("error") or answer)[:200] if isinstance(answer, dict) else ""


def error_for(response) -> Exception:
    status, text = response.status_code, _detail(response)
    detail = f"Voice provider {status}: {text}"[:255]
    if status == 429:
        return ProviderRateLimited(detail, retry_after=retry_after_seconds(response))
    if status >= 500 or status in (401, 403, 408):
        return TransientSendError(detail, retry_after=retry_after_seconds(response))
    if status in (400, 422) and any(word in text.lower() for word in NUMBER_PROBLEMS + ("number",)):
        return InvalidAddressError(detail)
    return PermanentSendError(detail)


class VoiceCallSender(Sender):
    channel_kind = "voice"

    def __init__(self):
        self._session = requests.Session()

    def send(self, message: OutgoingMessage) -> SendResult:
        if not settings.VOICE_API_URL:
            raise TransientSendError("The voice provider is not configured (VOICE_API_URL).")
        try:
            response = self._session.post(
                settings.VOICE_API_URL,
                json={"to": message.to, "script": message.body, "reference": message.reference},
                headers={"Authorization": f"Bearer {settings.VOICE_API_KEY}"},
                timeout=getattr(settings, "VOICE_TIMEOUT_SECONDS", 20),
            )
        except requests.RequestException as exc:
            raise TransientSendError(f"Could not reach the voice provider: {exc}"[:255]) from exc
        if not response.ok:
            raise error_for(response)
        try:
            call_id = response.json().get("id", "")
        except (ValueError, AttributeError):
            call_id = ""
        return SendResult(provider_id=str(call_id))

    def close(self) -> None:
        self._session.close()
