"""Provider webhooks: delivery receipts from GOV.UK Notify and from the voice provider.

They are public URLs (no session, no CSRF token: the provider is the client), so each request
proves itself: Notify sends `Authorization: Bearer NOTIFY_CALLBACK_TOKEN`; the voice provider
signs the timestamp and body with HMAC-SHA256 using VOICE_CALLBACK_SECRET. Both secrets are
compared in constant time, and an unset secret refuses everything rather than trusting anyone.
Missing credentials → 401, wrong ones → 403, a body we cannot read → 400.
"""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging.delivery import receipts

# A signed voice callback older (or newer) than this is refused, so a captured one cannot be replayed later.
VOICE_SIGNATURE_TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 64 * 1024


def _refuse(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="webhooks"'
    return response


def _payload(request):
    if len(request.body) > MAX_BODY_BYTES:
        raise receipts.MalformedReceipt("The body is too large.")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise receipts.MalformedReceipt("The body is not JSON.") from exc


def _apply(request, parse) -> JsonResponse:
    try:
        payload = _payload(request)
        receipt = parse(payload)
    except receipts.MalformedReceipt as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"result": receipts.receipt_apply(receipt=receipt, payload=payload)})


@csrf_exempt
@login_not_required
@require_POST
def notify_receipt(request):
    header = request.headers.get("Authorization", "")
    if not header:
        return _refuse(401, "Authorization is required.")
    expected = settings.NOTIFY_CALLBACK_TOKEN
    scheme, _, token = header.partition(" ")
    if not expected or scheme.lower() != "bearer" or not constant_time_compare(token.strip(), expected):
        return _refuse(403, "The callback token is not accepted.")
    return _apply(request, receipts.notify_receipt_parse)


def voice_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The signature the voice provider sends: hex HMAC-SHA256 of "<timestamp>." + body."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@csrf_exempt
@login_not_required
@require_POST
def voice_receipt(request):
    timestamp = request.headers.get("X-Voice-Timestamp", "")
    signature = request.headers.get("X-Voice-Signature", "")
    if not timestamp or not signature:
        return _refuse(401, "A signed request is required.")
    secret = settings.VOICE_CALLBACK_SECRET
    if not secret:
        return _refuse(403, "Voice callbacks are not configured.")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return _refuse(403, "The timestamp is not accepted.")
    if age > VOICE_SIGNATURE_TOLERANCE_SECONDS:
        return _refuse(403, "The signature has expired.")
    expected = voice_signature(secret=secret, timestamp=timestamp, body=request.body)
    if not constant_time_compare(signature, expected):
        return _refuse(403, "The signature does not match.")
    return _apply(request, receipts.voice_receipt_parse)
