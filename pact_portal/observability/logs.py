"""One JSON object per log line, with the request or task it belongs to.

The library is python-json-logger: a formatter for the standard `logging` module, maintained,
with no dependencies. structlog would have us rewrite every `logger.info(...)` in the project and
still need a bridge for Django's, Celery's and gunicorn's own loggers; a formatter takes them all
as they are, so this module is the only place that knows the format.

Each line carries `request_id` (from the X-Request-ID the proxy sent, when it looks like one, else
made here, and returned in the response's X-Request-ID), the signed-in `user_id` (never the email
address), and in a Celery task its `task_id` and `task_name`. Messages and extra fields pass
through the same scrubber as error reports, so a path holding a manage link's token or an address
in a library's message does not reach the log.
"""

import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import empty
from pythonjsonlogger.json import JsonFormatter

from pact_portal.observability.scrubbing import FILTERED, key_is_sensitive, path_scrub, text_scrub

request_var: contextvars.ContextVar = contextvars.ContextVar("pact_request", default=None)
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("pact_request_id", default=None)
task_var: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("pact_task", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's or load balancer's id looks like (a UUID, hex, AWS's "Root=1-..."); anything else
# (too long, spaces, control characters, someone's email address) is replaced rather than logged.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=-]{7,127}")

# LogRecord attributes that are not "extra" data, and extras that must not be written: Django's
# request logger passes the request itself, whose repr holds the query string.
_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_DROPPED_EXTRAS = {"request", "server_time", "data"}

access_logger = logging.getLogger("pact_portal.request")


def route_of(request) -> str:
    """The URL name that answered (`messaging:manage`), "static" for WhiteNoise's files (answered
    before URL resolution), "unmatched" for anything else no view answered (a 404, a redirect to
    HTTPS). Never the path: paths hold tokens, and one series or field value per path has no end."""
    from django.conf import settings

    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"


def request_id_for(incoming: str | None) -> str:
    if incoming and SANE_REQUEST_ID.fullmatch(incoming) and text_scrub(incoming) == incoming:
        return incoming
    return uuid.uuid4().hex


def _user_id(request) -> int | None:
    user = getattr(request, "__dict__", {}).get("user") if request is not None else None
    if user is None or getattr(user, "_wrapped", None) is empty:
        # Not yet loaded: loading it here would query the database from inside a log call.
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestIdMiddleware:
    """First in MIDDLEWARE: every line logged while answering carries the request's id, and the
    response says it, so a resident's "it went wrong at 10:02" can be found in the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        id_token = request_id_var.set(request.request_id)
        request_token = request_var.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            access_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route_of(request),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_var.reset(request_token)
            request_id_var.reset(id_token)


def task_started(task_id=None, task=None, **_kwargs):
    """Celery's task_prerun: the task's lines carry its id and name."""
    task_var.set((task_id or "", getattr(task, "name", "")))


def task_finished(**_kwargs):
    task_var.set(None)


def _gunicorn_access_fields(atoms) -> dict:
    """gunicorn passes its access log "atoms" as the record's args: the fields we keep of them. No
    client address (not needed to run the service, and personal data) and no query string."""

    def atom(key):
        try:
            value = atoms[key]  # gunicorn's SafeAtoms answer "{header}o" keys in any case
        except KeyError:
            value = "-"
        return None if value in ("-", None) else value

    status = atom("s")
    return {
        "method": atom("m"),
        "path": path_scrub(atom("U") or ""),
        "status": int(status) if str(status or "").isdigit() else status,
        "duration_ms": round(int(atom("D") or 0) / 1000, 1),
        "bytes": int(atom("B") or 0),
        "request_id": atom("{x-request-id}o"),
        "user_agent": atom("a"),
    }


class PortalJsonFormatter(JsonFormatter):
    """JSON lines: timestamp, level, logger, message, request/task context and extra fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)
        self.converter = time.gmtime

    def add_fields(self, log_data, record, message_dict):
        log_data["timestamp"] = self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z"
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            log_data["message"] = "access"
            log_data.update(_gunicorn_access_fields(record.args))
            return
        log_data["message"] = text_scrub(record.getMessage())
        if request_id := request_id_var.get():
            log_data["request_id"] = request_id
            log_data["user_id"] = _user_id(request_var.get())
        if task := task_var.get():
            log_data["task_id"], log_data["task_name"] = task
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRS or key in _DROPPED_EXTRAS or key.startswith("_"):
                continue
            if key_is_sensitive(key):
                log_data[key] = FILTERED
            elif isinstance(value, str):
                log_data[key] = text_scrub(value)
            elif isinstance(value, int | float | bool) or value is None:
                log_data[key] = value
            else:
                log_data[key] = text_scrub(repr(value))
        if record.exc_info:
            log_data["exc_info"] = text_scrub(self.formatException(record.exc_info))
        if record.stack_info:
            log_data["stack_info"] = text_scrub(self.formatStack(record.stack_info))

    def format(self, record):
        # Not the base class's format(): it adds exc_info and stack_info unscrubbed.
        log_data = {}
        self.add_fields(log_data, record, {})
        return self.serialize_log_record(self.process_log_record(log_data))
