"""Replies by email, from Mailgun's inbound routing: a route for INBOUND_EMAIL_DOMAIN forwards each
message to this webhook, already parsed ("fully parsed" format: sender, recipient, subject,
body-plain and stripped-text, the reply without the quoted alert).

Chosen over polling an IMAP mailbox because an urgent reply must reach the duty contact at once,
not at the next poll, and because it needs no mailbox password on the portal's servers. Mailgun
signs each post: hex HMAC-SHA256 of timestamp + token with the webhook signing key
(MAILGUN_WEBHOOK_SIGNING_KEY). A wrong, missing or stale signature is refused with 403 and nothing is
stored; an unset key refuses everything. Answers are 200 for anything stored or deliberately
dropped, and 406 (Mailgun's "do not retry") for a post that is not a message at all.

Mail to bounce+<token>@ is a mail server's bounce notice for an alert email sent by SMTP with that
envelope sender (INBOUND_EMAIL_BOUNCES): it marks the address dead, never reaches an inbox.
"""

import hashlib
import hmac
import json
import time
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging.inbox import services

# Mailgun's own advice: refuse signatures older than a few minutes, so a captured post cannot be replayed.
SIGNATURE_TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 1024 * 1024


def mailgun_signature(*, key: str, timestamp: str, token: str) -> str:
    return hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()


def signature_valid(*, timestamp: str, token: str, signature: str, now: float | None = None) -> bool:
    key = settings.MAILGUN_WEBHOOK_SIGNING_KEY
    if not key or not timestamp or not token or not signature:
        return False
    try:
        age = abs((now or time.time()) - int(timestamp))
    except ValueError:
        return False
    if age > SIGNATURE_TOLERANCE_SECONDS:
        return False
    if not hmac.compare_digest(signature, mailgun_signature(key=key, timestamp=timestamp, token=token)):
        return False
    # The signature covers the timestamp and token, not the message: a captured post could be
    # sent again with another message inside its five minutes. Each token is accepted once.
    return cache.add(f"mailgun-inbound-token:{token}", 1, timeout=2 * SIGNATURE_TOLERANCE_SECONDS)


def _message_id(post) -> str:
    """The message's own Message-Id (so Mailgun's retry of one message is stored once), else the
    signed token, which is unique per post."""
    try:
        headers = json.loads(post.get("message-headers") or "[]")
        for name, value in headers:
            if str(name).lower() == "message-id" and value:
                return str(value).strip()
    except (ValueError, TypeError):
        pass
    return post.get("Message-Id") or post["token"]


@csrf_exempt
@login_not_required
@require_POST
def mailgun_inbound(request):
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY_BYTES:
        return HttpResponse("Too large.", status=413, content_type="text/plain")
    post = request.POST
    if not signature_valid(
        timestamp=post.get("timestamp", ""), token=post.get("token", ""), signature=post.get("signature", "")
    ):
        return HttpResponse("Forbidden.", status=403, content_type="text/plain")
    recipient, sender = post.get("recipient", ""), parseaddr(post.get("from") or post.get("sender") or "")[1]
    if services.is_bounce_address(recipient):
        text = f"{post.get('subject', '')}\n{post.get('body-plain', '')}"
        return HttpResponse(services.email_bounce_receive(recipient=recipient, text=text), content_type="text/plain")
    body = post.get("stripped-text") or post.get("body-plain") or ""
    if not recipient or not sender or not body.strip():
        return HttpResponse("Not a message we can read.", status=406, content_type="text/plain")
    services.email_reply_receive(
        recipient=recipient,
        sender=sender,
        subject=post.get("subject", ""),
        body=body,
        message_id=_message_id(post),
        received_at=timezone.now(),
    )
    return HttpResponse("OK", content_type="text/plain")
