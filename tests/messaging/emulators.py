"""Local stand-ins for the SMS and voice providers: real HTTP servers on loopback that answer as
the providers do, so the real clients (the official Notify client, requests) are exercised end to end.

Each emulator records what it accepted and can be told to fail the next requests (429 with a
Retry-After, 500, 503 …) to test the engine's retries.
"""

import json
import re
import threading
import uuid
from abc import ABC, abstractmethod
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

UK_MOBILE = re.compile(r"^\+447\d{9}$")


class Emulator(ABC):
    """A threaded HTTP server on 127.0.0.1 (a free port); use as a context manager."""

    def __init__(self):
        self.accepted: list[dict] = []
        self.requests = 0
        self._planned: list[tuple[int, dict, dict]] = []
        self._lock = threading.Lock()
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer, headers = emulator.answer(self.path, dict(self.headers), body)
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

    def answer(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, dict]:
        with self._lock:
            self.requests += 1
            if self._planned:
                return self._planned.pop(0)
        refusal = self.authenticate(headers)
        if refusal:
            return refusal
        try:
            data = json.loads(body)
        except ValueError:
            return 400, self.error_body(400, "Invalid JSON"), {}
        status, answer = self.accept(path, data)
        return status, answer, {}

    def record(self, message: dict) -> None:
        with self._lock:
            self.accepted.append(message)

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
    DEFAULT_ERRORS = {
        400: ("BadRequestError", "Bad request"),
        403: ("AuthError", "Invalid token: signature"),
        429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
        500: ("Exception", "Internal server error"),
        503: ("Exception", "Service unavailable"),
    }

    def __init__(self):
        super().__init__()
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


class VoiceEmulator(Emulator):
    """The text-to-speech call provider's contract (messaging/channels/voice.py)."""

    def __init__(self):
        super().__init__()
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
