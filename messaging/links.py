"""Every link a message carries, built in one place: absolute (workers have no request), and either
unguessable (a delivery's token) or signed, so a subscriber needs no password and a tampered link
is refused.

The views behind these URL names live in the subscription and tracking modules.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

MANAGE_SALT = "messaging.manage"
CONFIRM_SALT = "messaging.confirm-email"
CLICK_SALT = "messaging.click"
# An email confirmation link works for three days; after that the subscriber asks for a new one.
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


# --- managing a subscription --------------------------------------------------------------------


def manage_token(*, subscriber) -> str:
    return signing.dumps(str(subscriber.reference), salt=MANAGE_SALT, compress=False)


def manage_token_load(token: str) -> str | None:
    """The subscriber reference a manage link names, or None if the link was altered."""
    try:
        return signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        return None


def manage_url(*, subscriber) -> str:
    return absolute(reverse("messaging:manage", kwargs={"token": manage_token(subscriber=subscriber)}))


# A text message has no room for a signed token: its manage link is short, the subscriber's id
# in base 36 and 12 hex digits of an HMAC (48 bits; the view that takes it is throttled), and
# redirects to the full manage link.
SHORT_SALT = b"messaging.manage-short"
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


def _short_mac(subscriber_id: int) -> str:
    key = hashlib.sha256(SHORT_SALT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, str(subscriber_id).encode(), hashlib.sha256).hexdigest()[:12]


def short_manage_code(*, subscriber) -> str:
    return f"{_base36(subscriber.pk)}-{_short_mac(subscriber.pk)}"


def short_manage_code_load(code: str) -> int | None:
    """The subscriber id a short code names, or None if it was altered."""
    number, _, mac = code.partition("-")
    try:
        subscriber_id = int(number, 36)
    except ValueError:
        return None
    return subscriber_id if hmac.compare_digest(mac, _short_mac(subscriber_id)) else None


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
