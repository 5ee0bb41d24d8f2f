"""Local stand-ins for the SMS and voice providers: real HTTP servers on loopback that answer as
the providers do, so the real clients (the official Notify client, requests) are exercised end to end.

Each emulator records what it accepted and can be told to fail the next requests (429 with a
Retry-After, 500, 503 …) to test the engine's retries. For benchmarks and chaos runs it can also
enforce a rate limit of its own (answering 429 past it, as the provider does), go down for a
while (`outage`) and count duplicates: messages accepted twice with the same reference.
"""

import json
import re
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

UK_MOBILE = re.compile(r"^\+447\d{9}$")


class RateLimit:
    """The provider's own limit: a token bucket refilled at `rate` per second that holds `burst`
    tokens (by default one second's worth, the most the engine's bucket ever sends at once)."""

    def __init__(self, rate: float, *, burst: float | None = None, clock=time.monotonic):
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate))
        self._clock = clock
        self._tokens = self.burst
        self._at = clock()

    def take(self) -> float:
        """0 when the request may pass, otherwise seconds until it could (the Retry-After)."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate


class Emulator(ABC):
    """A threaded HTTP server on 127.0.0.1 (a free port); use as a context manager.

    `rate_limit` (messages per second, optional `burst`) makes it answer 429 past that rate;
    `rejected` counts those answers. Sends are timed in `accepted_at` (time.monotonic())."""

    def __init__(self, *, rate_limit: float | None = None, burst: float | None = None):
        self.accepted: list[dict] = []
        self.accepted_at: list[float] = []
        self._first_by_reference: dict[str, dict] = {}
        self.requests = 0
        self.rejected = 0
        self.outage_answers = 0
        self.lookups = 0
        self.lookups_found = 0
        self.limit = RateLimit(rate_limit, burst=burst) if rate_limit else None
        self._planned: list[tuple[int, dict, dict]] = []
        self._outage: tuple[float, int] | None = None
        self._lock = threading.Lock()
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                self.reply(*emulator.answer(self.path, dict(self.headers), body))

            def do_GET(self):  # noqa: N802 - the name http.server calls
                self.reply(*emulator.answer_lookup(self.path, dict(self.headers)))

            def reply(self, status, answer, headers):
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                """Keep test output clean: no access log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, status: int, *, times: int = 1, retry_after: int | None = None, message: str = "") -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._planned.extend([(status, self.error_body(status, message), headers)] * times)

    def outage(self, *, seconds: float, status: int = 503) -> None:
        """Answer every request with `status` for the next `seconds`, then recover by itself."""
        with self._lock:
            self._outage = (time.monotonic() + seconds, status)

    def _down(self) -> tuple[int, dict, dict] | None:
        # Called with the lock held.
        if self._outage is None:
            return None
        until, status = self._outage
        if time.monotonic() >= until:
            self._outage = None
            return None
        self.outage_answers += 1
        return status, self.error_body(status, ""), {}

    def answer(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, dict]:
        with self._lock:
            self.requests += 1
            if self._planned:
                return self._planned.pop(0)
            if down := self._down():
                return down
        refusal = self.authenticate(headers)
        if refusal:
            return refusal
        if self.limit is not None:
            with self._lock:
                wait = self.limit.take()
                if wait:
                    self.rejected += 1
            if wait:
                # Whole seconds, as providers send it: never less than the real wait.
                retry_after = {"Retry-After": str(max(1, int(wait + 0.999)))}
                return 429, self.error_body(429, ""), retry_after
        try:
            data = json.loads(body)
        except ValueError:
            return 400, self.error_body(400, "Invalid JSON"), {}
        status, answer = self.accept(path, data)
        return status, answer, {}

    def answer_lookup(self, path: str, headers: dict) -> tuple[int, dict, dict]:
        """A GET: the provider's search for messages it accepted (not rate limited here)."""
        with self._lock:
            self.requests += 1
            if down := self._down():
                return down
        refusal = self.authenticate(headers)
        if refusal:
            return refusal
        url = urlsplit(path)
        status, answer = self.lookup(url.path, {name: values[-1] for name, values in parse_qs(url.query).items()})
        return status, answer, {}

    def lookup(self, path: str, query: dict) -> tuple[int, dict]:
        """Providers without a search answer 404."""
        return 404, self.error_body(404, "Not found")

    def record(self, message: dict) -> None:
        with self._lock:
            self.accepted.append(message)
            self.accepted_at.append(time.monotonic())
            self._first_by_reference.setdefault(str(message.get("reference") or ""), message)

    def references(self) -> list[str]:
        with self._lock:
            return [str(message.get("reference") or "") for message in self.accepted]

    def duplicates(self) -> int:
        """Messages accepted again with a reference already accepted: each one reached a person twice."""
        return sum(count - 1 for count in Counter(self.references()).values() if count > 1)

    def find(self, reference: str) -> dict | None:
        with self._lock:
            self.lookups += 1
            found = self._first_by_reference.get(reference)
            if found is not None:
                self.lookups_found += 1
            return found

    # Subclasses say how they authenticate, what they accept and how their errors look.
    @abstractmethod
    def authenticate(self, headers: dict):
        """None to let the request through, or the (status, body, headers) of the refusal."""

    @abstractmethod
    def accept(self, path: str, data: dict) -> tuple[int, dict]:
        """The provider's answer to an authenticated request."""

    @abstractmethod
    def error_body(self, status: int, message: str) -> dict:
        """An error in the provider's own shape."""


class NotifyEmulator(Emulator):
    """GOV.UK Notify's v2 SMS endpoint: JWT bearer auth (issuer = service id, HS256 with the key's
    secret, iat within 30 s), a template with a ((body)) placeholder, and its error shapes."""

    TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
    # An email template with ((subject)) and ((body)) placeholders.
    EMAIL_TEMPLATE_ID = "0d7bd1c3-8a3c-4f7e-9f0e-6b2f1c5e4a11"
    DEFAULT_ERRORS = {
        400: ("BadRequestError", "Bad request"),
        403: ("AuthError", "Invalid token: signature"),
        429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
        500: ("Exception", "Internal server error"),
        503: ("Exception", "Service unavailable"),
    }

    def __init__(self, **limits):
        super().__init__(**limits)
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())

    @property
    def api_key(self) -> str:
        return f"pact_test-{self.service_id}-{self.secret}"

    def error_body(self, status, message):
        kind, default = self.DEFAULT_ERRORS.get(status, ("Exception", "Error"))
        return {"errors": [{"error": kind, "message": message or default}], "status_code": status}

    def authenticate(self, headers):
        scheme, _, token = headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return 401, self.error_body(401, "Unauthorized: authentication token must be provided"), {}
        try:
            if get_token_issuer(token) != self.service_id:
                return 403, self.error_body(403, "Invalid token: service not found"), {}
            decode_jwt_token(token, self.secret)
        except TokenError as exc:
            return 403, self.error_body(403, exc.message), {}
        return None

    def accept(self, path, data):
        if path == "/v2/notifications/email":
            return self.accept_email(data)
        if path != "/v2/notifications/sms":
            return 404, self.error_body(404, "Not found")
        if data.get("template_id") != self.TEMPLATE_ID:
            return 400, self.error_body(400, "template_id Template not found")
        if not UK_MOBILE.match(str(data.get("phone_number", ""))):
            return 400, {
                "errors": [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}],
                "status_code": 400,
            }
        body = (data.get("personalisation") or {}).get("body")
        if not body:
            return 400, self.error_body(400, "Missing personalisation: body")
        notification_id = str(uuid.uuid4())
        self.record({"id": notification_id, "phone_number": data["phone_number"], "body": body, **data})
        return 201, {
            "id": notification_id,
            "reference": data.get("reference"),
            "content": {"body": body, "from_number": "GOVUK"},
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {"id": self.TEMPLATE_ID, "version": 1, "uri": f"{self.url}/v2/template/{self.TEMPLATE_ID}"},
        }

    def accept_email(self, data):
        if data.get("template_id") != self.EMAIL_TEMPLATE_ID:
            return 400, self.error_body(400, "template_id Template not found")
        if "@" not in str(data.get("email_address", "")).strip("@"):
            return 400, {
                "errors": [{"error": "ValidationError", "message": "email_address Not a valid email address"}],
                "status_code": 400,
            }
        personalisation = data.get("personalisation") or {}
        if not personalisation.get("body") or not personalisation.get("subject"):
            return 400, self.error_body(400, "Missing personalisation: subject, body")
        notification_id = str(uuid.uuid4())
        self.record({"id": notification_id, "body": personalisation["body"], **data})
        return 201, {
            "id": notification_id,
            "reference": data.get("reference"),
            "content": {"subject": personalisation["subject"], "body": personalisation["body"]},
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {"id": self.EMAIL_TEMPLATE_ID, "version": 1, "uri": f"{self.url}/v2/template/x"},
        }

    def lookup(self, path, query):
        # GET /v2/notifications?reference=…: Notify's search of a service's notifications.
        if path != "/v2/notifications":
            return 404, self.error_body(404, "Not found")
        reference = query.get("reference")
        found = self.find(reference) if reference else None
        notifications = [] if found is None else [self.notification(found)]
        return 200, {"notifications": notifications, "links": {"current": f"{self.url}/v2/notifications"}}

    def notification(self, message: dict) -> dict:
        return {
            "id": message["id"],
            "reference": message.get("reference"),
            "phone_number": message.get("phone_number"),
            "email_address": message.get("email_address"),
            "type": "email" if message.get("email_address") else "sms",
            "status": "sending",
            "body": message["body"],
            "template": {"id": self.TEMPLATE_ID, "version": 1, "uri": f"{self.url}/v2/template/{self.TEMPLATE_ID}"},
        }


class VoiceEmulator(Emulator):
    """The text-to-speech call provider's contract (messaging/delivery/channels/voice.py)."""

    def __init__(self, **limits):
        super().__init__(**limits)
        self.api_key = f"voice-{uuid.uuid4().hex}"

    def error_body(self, status, message):
        return {"error": message or f"HTTP {status}"}

    def authenticate(self, headers):
        scheme, _, token = headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return 401, self.error_body(401, "missing bearer token"), {}
        if token != self.api_key:
            return 403, self.error_body(403, "bad api key"), {}
        return None

    def accept(self, path, data):
        if path != "/calls":
            return 404, self.error_body(404, "not found")
        if not UK_MOBILE.match(str(data.get("to", ""))):
            return 400, self.error_body(400, "invalid number")
        if not data.get("script"):
            return 400, self.error_body(400, "empty script")
        call_id = f"call-{uuid.uuid4().hex}"
        self.record({"id": call_id, **data})
        return 201, {"id": call_id, "status": "queued"}
