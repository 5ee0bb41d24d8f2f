"""Taking personal data, secrets and police-restricted text out of what leaves the portal for an
error tracker or a log line.

Two nets, because neither catches everything alone:
- by name: a value kept under a key that says what it is (a header, a cookie, a form field, a
  local variable) is dropped whatever it looks like. Restricted text (a priority's evidence and
  restricted notes, a meeting's restricted notes) is free prose: its name is the only thing that
  gives it away.
- by shape: an email address, a UK phone number, a signed link's token, a UUID or a long secret
  is replaced wherever it appears, whatever it is called (an exception message, a URL, a log line).
"""

import re
from collections.abc import Mapping

from django.urls import Resolver404, resolve

FILTERED = "[Filtered]"

# Police-restricted model fields: priorities.Priority.evidence and .restricted_notes,
# meetings.Meeting.restricted_notes. Never on a public page, and never in an error report.
RESTRICTED_FIELDS = frozenset({"evidence", "restricted_notes"})
# Contact details and secrets by the names the code and the providers give them.
SENSITIVE_KEYS = frozenset(
    {
        "authorization",
        "cookie",
        "cookies",
        "set-cookie",
        "x-forwarded-for",
        "x-real-ip",
        "remote_addr",
        "ip_address",
        "password",
        "passwd",
        "secret",
        "token",
        "key",
        "api_key",
        "apikey",
        "csrftoken",
        "csrfmiddlewaretoken",
        "sessionid",
        "session",
        "signature",
        "code",
        "manage_secret",
        "confirmation_secret",
        "email",
        "contact_email",
        "contact_phone",
        "mobile",
        "phone",
        "address",
        "to",
        "source_number",
        "destination_number",
        "username",
        "query_string",
        "body",
        "data",
        *RESTRICTED_FIELDS,
    }
)
# Any key containing one of these is sensitive too (x-api-key, notify_api_key, voice_callback_secret).
SENSITIVE_KEY_PARTS = ("token", "secret", "password", "api_key", "apikey", "authorization", "cookie", "session")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# UK numbers as people and systems write them: +44 7400 123456, 447400123456, 07400 123 456,
# (07400) 123-456, +44 (0)20 7946 0000, 0161 496 0000, and a mobile's bare ten digits. Not inside
# a longer run of letters and digits, so ids and hex do not count.
UK_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+?44[\s-]?(?:\(0\)[\s-]?)?|\(?0)[1-37-9](?:[\s)-]*\d){8,9}"
    r"|7\d{3}[\s-]?\d{3}[\s-]?\d{3}"
    r")(?!\w)"
)
# Django's signed values (payload:timestamp:signature, compressed ones start with a dot), UUIDs
# (delivery tokens in tracked links), and long runs of letters and digits (API keys, hashes).
SIGNED = re.compile(r"\.?[\w-]{6,}(?::[\w-]{4,}){1,2}")
UUID = re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b")
LONG_SECRET = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{24,}(?![\w-])")
# Every value in a query string: reset links, tokens and codes travel there.
QUERY_VALUE = re.compile(r"([?&][^=&#\s]+=)[^&#\s]*")
BEARER = re.compile(r"\b(Bearer|Token|Basic)\s+\S+", re.IGNORECASE)
# URL kwargs that carry a secret (manage links, confirmations, short codes, unsubscribe tokens).
SECRET_URL_KWARGS = ("token", "code", "secret", "key", "uidb64")

PATTERNS = (BEARER, QUERY_VALUE, EMAIL, SIGNED, UUID, LONG_SECRET, UK_PHONE)


def text_scrub(text: str) -> str:
    """`text` with every address, number, token and query value replaced."""
    for pattern in PATTERNS:
        if pattern is QUERY_VALUE:
            text = pattern.sub(rf"\1{FILTERED}", text)
        elif pattern is BEARER:
            text = pattern.sub(rf"\1 {FILTERED}", text)
        else:
            text = pattern.sub(FILTERED, text)
    return text


def path_scrub(path: str) -> str:
    """A URL path with the secrets its route names (a manage link's token, a short code) replaced,
    then any other token-shaped part."""
    bare, _, query = path.partition("?")
    try:
        match = resolve(bare)
    except (Resolver404, ValueError):
        match = None
    except Exception:  # gunicorn's master logs before Django is set up: the shapes still apply
        match = None
    if match is not None:
        for name, value in match.kwargs.items():
            if any(part in name for part in SECRET_URL_KWARGS) and str(value):
                bare = bare.replace(str(value), FILTERED)
    return text_scrub(bare + (f"?{query}" if query else ""))


def key_is_sensitive(key) -> bool:
    name = str(key).lower().removeprefix("http_").replace("_", "-")
    snake = name.replace("-", "_")
    return (
        name in SENSITIVE_KEYS
        or snake in SENSITIVE_KEYS
        or any(part in snake or part.replace("_", "-") in name for part in SENSITIVE_KEY_PARTS)
    )


def value_scrub(value, *, keep: frozenset = frozenset(), depth: int = 0):
    """Scrub a structure of dicts, lists and strings: by key, then by shape. Values under a key in
    `keep` (identifiers the receiving end needs, such as an event's id) pass unchanged."""
    if depth > 20:
        return FILTERED
    if isinstance(value, str):
        return text_scrub(value)
    if isinstance(value, Mapping):
        return {key: _item_scrub(key, item, keep=keep, depth=depth) for key, item in value.items()}
    if isinstance(value, list | tuple):
        # Headers arrive as [name, value] pairs in some integrations.
        if len(value) == 2 and isinstance(value[0], str) and key_is_sensitive(value[0]):
            return [value[0], FILTERED]
        return [value_scrub(item, keep=keep, depth=depth + 1) for item in value]
    return value


def _item_scrub(key, item, *, keep: frozenset, depth: int):
    if key in keep:
        return item
    if key_is_sensitive(key) and item not in (None, ""):
        return FILTERED
    return value_scrub(item, keep=keep, depth=depth + 1)
