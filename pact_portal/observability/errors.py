"""Error reports to Sentry (or GlitchTip, which speaks the same protocol), on only when SENTRY_DSN
is set. The web app and the Celery worker both call `sentry_init` (from the settings module, which
both load), so an exception in a view or a task is reported the same way.

Nothing about a person leaves: `send_default_pii` is off (no user, IP address, cookies or
Authorization header), request bodies are not sent, local variables are sent only when a force
turns them on, and every event and breadcrumb goes through `event_scrub` on its way out.
"""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

from pact_portal.observability.scrubbing import SENSITIVE_KEYS, path_scrub, value_scrub

# Identifiers Sentry needs to accept and link an event, none of them about a person (hex ids that
# the long-secret shape would otherwise take, the SDK's own name and version, the release).
EVENT_IDENTIFIERS = frozenset(
    {"event_id", "trace_id", "span_id", "parent_span_id", "release", "dist", "environment", "sdk", "platform"}
)


def _redis_command_only(text) -> str:
    # Cache keys name sessions, signed-in users and links' secrets: the command is all that is kept.
    return (str(text or "").split(" ", 1)[0] or "redis") + " [key filtered]"


def event_scrub(event, hint=None):
    """`before_send`: the event with every address, number, token and restricted text removed."""
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("url"), str):
        request["url"] = path_scrub(request["url"])
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        if crumb.get("category") == "redis":
            crumb["message"], crumb["data"] = _redis_command_only(crumb.get("message")), {}
    for span in event.get("spans") or []:
        if str(span.get("op", "")).startswith(("db.redis", "cache")):
            span["description"], span["data"] = _redis_command_only(span.get("description")), {}
    return value_scrub(event, keep=EVENT_IDENTIFIERS)


def breadcrumb_scrub(crumb, hint=None):
    if crumb.get("category") == "redis":
        crumb = {**crumb, "message": _redis_command_only(crumb.get("message")), "data": {}}
    return value_scrub(crumb)


def sentry_init(*, dsn: str, environment: str = "", release: str = "", traces_sample_rate: float = 0.0,
                include_local_variables: bool = False, transport=None) -> bool:  # fmt: skip
    """Start reporting errors to `dsn`; with no DSN, do nothing and say so (False)."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        transport=transport,
        send_default_pii=False,
        # Form posts carry addresses, numbers and restricted notes: the stack and the URL are enough.
        max_request_body_size="never",
        # A restricted note held in a variable called `text` is recognisable by nothing: off unless
        # a force accepts that risk (SENTRY_INCLUDE_LOCALS), and scrubbed by name and shape then.
        include_local_variables=include_local_variables,
        traces_sample_rate=traces_sample_rate,
        before_send=event_scrub,
        before_send_transaction=event_scrub,
        before_breadcrumb=breadcrumb_scrub,
        event_scrubber=EventScrubber(
            denylist=DEFAULT_DENYLIST + sorted(SENSITIVE_KEYS), pii_denylist=DEFAULT_PII_DENYLIST, recursive=True
        ),
        integrations=[
            # Route names, not paths: a path can hold a manage link's token.
            DjangoIntegration(transaction_style="url", cache_spans=False),
            CeleryIntegration(monitor_beat_tasks=False),
            LoggingIntegration(),
        ],
    )
    return True
