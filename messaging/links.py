"""Every link a message carries, built in one place: absolute (on the request's address, or SITE_URL
in a background task: pact_portal.site), and either
unguessable (a delivery's token) or signed, so a subscriber needs no password and a tampered link
is refused.

The views behind these URL names live in the subscription and tracking modules.
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from pact_portal.site import absolute_url

MANAGE_SALT = "messaging.manage"
CONFIRM_SALT = "messaging.confirm-email"
CLICK_SALT = "messaging.click"
# An email confirmation link works for three days; after that the subscriber asks for a new one.
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60


def absolute(path: str) -> str:
    return absolute_url(path)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


# --- managing a subscription --------------------------------------------------------------------

# A manage link works for 30 days. Every message carries a fresh one, so a member who reads their
# alerts always holds a working link, while one forwarded (or left in an old mailbox) soon dies.
MANAGE_MAX_AGE = 30 * 24 * 60 * 60


@dataclass(frozen=True)
class ManageClaim:
    """What a genuine manage link says: whose membership, with which secret, and whether it is
    past its age. A link whose secret no longer matches was cancelled by the member."""

    reference: str
    secret: str
    expired: bool


def manage_token(*, subscriber) -> str:
    payload = {"r": str(subscriber.reference), "k": subscriber.manage_secret}
    return signing.dumps(payload, salt=MANAGE_SALT, compress=True)


def manage_token_load(token: str) -> ManageClaim | None:
    """The claim a manage link makes, or None if the link was altered (or is not one)."""
    try:
        payload, expired = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE), False
    except signing.SignatureExpired:
        payload, expired = signing.loads(token, salt=MANAGE_SALT), True
    except signing.BadSignature:
        return None
    if isinstance(payload, str):
        # A link sent before links carried a secret: genuine, but it may have been forwarded for
        # years, so it counts as expired and its holder may only have a fresh one sent to the member.
        return ManageClaim(reference=payload, secret="", expired=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), str) or not isinstance(payload.get("k"), str):
        return None
    return ManageClaim(reference=payload["r"], secret=payload["k"], expired=expired)


def manage_secret_matches(claim: ManageClaim, *, subscriber) -> bool:
    return bool(claim.secret) and hmac.compare_digest(claim.secret, subscriber.manage_secret)


def manage_url(*, subscriber) -> str:
    return absolute(reverse("messaging:manage", kwargs={"token": manage_token(subscriber=subscriber)}))


# A text message has no room for a signed token: its manage link is short, the subscriber's id
# in base 36 and 12 hex digits of an HMAC (48 bits; the view that takes it is throttled), and
# redirects to a fresh full manage link. The HMAC covers the member's secret and the 15-day period
# the text was sent in; the current and the previous period are accepted, so a texted link works
# for at least 15 and at most 30 days, with no date spent on the code's length.
SHORT_SALT = b"messaging.manage-short"
SHORT_PERIOD_SECONDS = 15 * 24 * 60 * 60
# How far back an expired short link is still recognised as one (to offer a fresh link).
SHORT_PERIODS_RECOGNISED = 24
# The longest code the compose page allows for when it counts a text's segments.
SHORT_CODE_WORST_CASE = "z" * 7 + "-" + "f" * 12


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if number == 0:
            return text


def _period() -> int:
    return int(timezone.now().timestamp()) // SHORT_PERIOD_SECONDS


def _short_mac(subscriber_id: int, secret: str, period: int) -> str:
    key = hashlib.sha256(SHORT_SALT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{subscriber_id}:{secret}:{period}".encode(), hashlib.sha256).hexdigest()[:12]


def short_manage_code(*, subscriber) -> str:
    return f"{_base36(subscriber.pk)}-{_short_mac(subscriber.pk, subscriber.manage_secret, _period())}"


def short_manage_code_id(code: str) -> int | None:
    """The subscriber id a short code names, unchecked (the check needs the member's secret)."""
    number, _, _mac = code.partition("-")
    try:
        return int(number, 36)
    except ValueError:
        return None


def short_manage_code_check(code: str, *, subscriber) -> ManageClaim | None:
    """The claim a short code makes for `subscriber`, or None if it is not theirs (altered, or
    cancelled by a new secret)."""
    mac = code.partition("-")[2]
    now = _period()
    for age in range(SHORT_PERIODS_RECOGNISED + 1):
        if hmac.compare_digest(mac, _short_mac(subscriber.pk, subscriber.manage_secret, now - age)):
            return ManageClaim(reference=str(subscriber.reference), secret=subscriber.manage_secret, expired=age > 1)
    return None


def short_manage_url(*, subscriber=None, code: str = "") -> str:
    code = code or short_manage_code(subscriber=subscriber)
    return absolute(reverse("messaging:manage-short", kwargs={"code": code}))


# --- confirming an email address ----------------------------------------------------------------


def confirm_email_token(*, channel) -> str:
    """Names the channel row and its current nonce: a new confirmation email voids the old link."""
    return signing.dumps({"c": channel.pk, "n": channel.confirmation_secret}, salt=CONFIRM_SALT, compress=True)


def confirm_email_token_load(token: str) -> dict | None:
    """{"c": channel id, "n": nonce}, or None if the link was altered; raises SignatureExpired
    (a subclass of BadSignature, so catch it first) when it is older than CONFIRM_MAX_AGE."""
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise
    except signing.BadSignature:
        return None


def confirm_email_url(*, channel) -> str:
    return absolute(reverse("messaging:confirm-email", kwargs={"token": confirm_email_token(channel=channel)}))


# --- links in an alert --------------------------------------------------------------------------


def unsubscribe_url(*, delivery) -> str:
    """One-click unsubscribe from the channel this message came by (RFC 8058 POSTs here)."""
    return absolute(reverse("messaging:unsubscribe", kwargs={"token": delivery.token}))


def feedback_url(*, delivery) -> str:
    return absolute(reverse("messaging:feedback", kwargs={"token": delivery.token}))


def open_pixel_url(*, delivery) -> str:
    return absolute(reverse("messaging:open", kwargs={"token": delivery.token}))


def tracked_url(*, delivery, url: str) -> str:
    """A link through the click counter. The target is signed, so the redirect cannot be
    pointed anywhere else (no open redirect)."""
    signed = signing.dumps(url, salt=CLICK_SALT, compress=True)
    return absolute(reverse("messaging:click", kwargs={"token": delivery.token})) + "?to=" + signed


def tracked_target_load(signed: str) -> str | None:
    try:
        return signing.loads(signed, salt=CLICK_SALT)
    except signing.BadSignature:
        return None


def reply_address(*, token) -> str:
    """The Reply-To of the message with this token: reply+<token>@INBOUND_EMAIL_DOMAIN, or '' when
    no inbound domain is set (replies then go to the From address, as before)."""
    domain = getattr(settings, "INBOUND_EMAIL_DOMAIN", "")
    return f"reply+{uuid.UUID(str(token)).hex}@{domain}" if domain else ""


def bounce_address(*, token) -> str:
    """The envelope sender of the message with this token, where bounce notices come back to
    (bounce+<token>@INBOUND_EMAIL_DOMAIN), or '' when INBOUND_EMAIL_BOUNCES is off."""
    domain = getattr(settings, "INBOUND_EMAIL_DOMAIN", "")
    if not domain or not getattr(settings, "INBOUND_EMAIL_BOUNCES", False):
        return ""
    return f"bounce+{uuid.UUID(str(token)).hex}@{domain}"
