"""Benchmark the web tier: wrk against gunicorn (two workers) serving the demo force, on the public
neighbourhood page and an officer's dashboard, against a bare Django view in the same run.

Prints one JSON line per target: requests per second, the ratio to the bare view (target 0.4 or
more), p50/p95/p99 latency in milliseconds, and errors (target 0 at 200 clients for 60 seconds).
Runs with DEBUG off, as production does; static files are collected to a scratch folder first.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import get_token

from accounts.models import User
from neighbourhoods.models import Neighbourhood

# wrk's own summary is not machine-readable; this script prints what we need as one JSON line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
    .. '"timeout": %d, "p50": %d, "p95": %d, "p99": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""
OFFICER = "sergeant@demo.pact.example"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Requests per second and latency of two pages against a bare view, under wrk."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--connections", type=int, default=200)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, seconds, connections, workers, **options):
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed: apt-get install wrk")
        neighbourhood = Neighbourhood.objects.order_by("code").first()
        officer = User.objects.filter(email=OFFICER).first()
        if neighbourhood is None or officer is None:
            raise CommandError("No demo force here: run `manage.py seed_demo` first.")
        # A browser that signed in holds both cookies: the session and the CSRF secret.
        session_key, csrf_secret = self._session_for(officer), self._csrf_secret()
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"
        with tempfile.TemporaryDirectory() as scratch:
            env = self._server_env(Path(scratch))
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], env=env, check=True)
            port = _free_port()
            server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                [sys.executable, "-m", "gunicorn", "pact_portal.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
                 "--log-level", "warning", "--backlog", "2048"],
                env=env, start_new_session=True,
            )  # fmt: skip
            try:
                base = f"http://127.0.0.1:{port}"
                self._wait_until_up(f"{base}/bench/bare")
                targets = [
                    ("bare_view", f"{base}/bench/bare", None),
                    ("public_neighbourhood_page", f"{base}{neighbourhood.get_absolute_url()}", None),
                    ("officer_dashboard", f"{base}/officer/", cookie),
                ]
                for name, url, c in targets:
                    self._check_serves(name, url, cookie=c)
                results = {name: self._wrk(url, cookie=c, seconds=seconds, connections=connections, scratch=scratch)
                           for name, url, c in targets}  # fmt: skip
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
        bare_rate = results["bare_view"]["requests_per_second"]
        for name, figures in results.items():
            ratio = round(figures["requests_per_second"] / bare_rate, 3) if bare_rate else None
            line = {"bench": "web", "target": name, **figures, "connections": connections, "seconds": seconds,
                    **self._configuration()}  # fmt: skip
            if name != "bare_view":
                line |= {"ratio_to_bare": ratio, "ratio_target": 0.4}
            self.stdout.write(json.dumps(line))

    def _session_for(self, user) -> str:
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        # django-axes comes first in the list but only guards sign-in; the model backend loads users.
        session[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b)
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key

    def _configuration(self) -> dict:
        """What the figures were measured on: the server inherits this process's settings."""
        return {
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "sessions": settings.SESSION_ENGINE.rsplit(".", 1)[-1],
            "signed_in_cache_seconds": settings.SIGNED_IN_CACHE_SECONDS,
        }

    def _csrf_secret(self) -> str:
        request = HttpRequest()
        get_token(request)
        return request.META["CSRF_COOKIE"]

    def _server_env(self, scratch: Path) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pact_portal.bench_settings",
            "DEBUG": "0",
            # The officer's session was signed here: the server must check it with the same key.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(scratch / "static"),
        }

    def _wait_until_up(self, url: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback server
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise CommandError("gunicorn did not start within a minute.")

    def _check_serves(self, name: str, url: str, *, cookie: str | None) -> None:
        """wrk counts only 4xx and 5xx as errors: a signed-out officer redirected to the sign-in
        page would be measured as a fast dashboard."""
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310 - our own loopback server
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            status = opener.open(request, timeout=10).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            raise CommandError(f"{name} answered {status}, not 200: nothing was measured.")

    def _wrk(self, url: str, *, cookie: str | None, seconds: int, connections: int, scratch: str) -> dict:
        script = Path(scratch) / "report.lua"
        script.write_text(WRK_SCRIPT)
        command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                   "-s", str(script), url]  # fmt: skip
        if cookie:
            command[1:1] = ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 - fixed wrk call
        raw = json.loads(next(line[4:] for line in output.splitlines() if line.startswith("WRK ")))
        errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
        return {
            "requests_per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
            "p50_ms": round(raw["p50"] / 1000, 1),
            "p95_ms": round(raw["p95"] / 1000, 1),
            "p99_ms": round(raw["p99"] / 1000, 1),
            "errors": errors,
            "non_2xx": raw["status"],
        }
