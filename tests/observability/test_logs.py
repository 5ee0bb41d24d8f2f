"""JSON log lines: the request id the response shows, the task id in a task, user ids and never
an email address; gunicorn's access line in the same shape."""

import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from pact_portal import gunicorn_conf
from pact_portal.celery import app as celery_app
from pact_portal.observability.logs import PortalJsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines():
    """Every record, as the configured formatter writes it, from the root logger down."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PortalJsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


@celery_app.task(name="tests.observability.log_something")
def log_something(*, alert_id):
    logging.getLogger("messaging.tasks").warning("fanning out alert %s", alert_id)


def test_it_logs_the_request_id_the_response_shows(client, lines):
    response = client.get(reverse("healthz"))
    [line] = [line for line in lines() if line["logger"] == "pact_portal.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32
    assert (line["route"], line["status"], line["method"]) == ("healthz", 200, "GET")


def test_it_keeps_a_sane_incoming_request_id_and_replaces_any_other(client, lines):
    kept = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="7f2c9d4e-proxy-0001")
    assert kept["X-Request-ID"] == "7f2c9d4e-proxy-0001"
    for bad in ["amina.khan@example.org", "short", "x" * 200, "has spaces in it", "07400123456"]:
        replaced = client.get(reverse("healthz"), HTTP_X_REQUEST_ID=bad)
        assert replaced["X-Request-ID"] != bad
    assert "amina" not in json.dumps(lines())


def test_it_names_the_signed_in_user_by_id_never_by_email(client, world, lines):
    client.force_login(world.pcso)
    client.get(reverse("accounts:home"))
    [line] = [line for line in lines() if line["logger"] == "pact_portal.request"]
    assert line["user_id"] == world.pcso.pk
    assert world.pcso.email not in json.dumps(lines())


def test_it_logs_a_tasks_id_and_name_in_its_lines(lines):
    result = log_something.apply(kwargs={"alert_id": 7})
    [line] = [line for line in lines() if line["logger"] == "messaging.tasks"]
    assert line["task_id"] == result.id
    assert line["task_name"] == "tests.observability.log_something"
    assert line["message"] == "fanning out alert 7" and line["level"] == "WARNING"


def test_it_scrubs_messages_extras_and_tracebacks(lines):
    logger = logging.getLogger("messaging.delivery.sending")
    try:
        raise ValueError("cannot dial +447400123456")
    except ValueError:
        logger.exception("send to %s failed", "amina.khan@example.org", extra={"token": "abc", "to": "x"})
    [line] = lines()
    assert "7400123456" not in json.dumps(line) and "amina" not in json.dumps(line)
    assert line["token"] == "[Filtered]" and "ValueError" in line["exc_info"]


def test_settings_send_every_line_through_the_json_formatter():
    config = django_settings.LOGGING
    assert config["formatters"]["json"]["()"] == "pact_portal.observability.logs.PortalJsonFormatter"
    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["root"]["level"] == django_settings.LOG_LEVEL


class SafeAtoms(dict):
    """As gunicorn passes them: header atoms answered whatever their case, "-" when missing."""

    def __getitem__(self, key):
        if key.startswith("{"):
            return super().get(key.lower(), "-")
        return super().__getitem__(key)


def test_gunicorns_access_line_is_json_with_the_request_id_and_no_token_address_or_query(settings):
    formatter_config = gunicorn_conf.logconfig_dict["formatters"]["json"]
    assert formatter_config["()"] == "pact_portal.observability.logs.PortalJsonFormatter"
    atoms = SafeAtoms({"h": "198.51.100.23", "m": "GET", "U": "/in-the-know/manage/.eJy-abc:1vq:sig0123456789ab/",
                       "q": "token=reset-me", "s": "200", "D": "12500", "B": "512", "a": "curl",
                       "{x-request-id}o": "req-0001-abcd"})  # fmt: skip
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(m)s", (atoms,), None)
    record.args = atoms  # as logging does for a single mapping argument
    line = json.loads(PortalJsonFormatter().format(record))
    assert line["request_id"] == "req-0001-abcd"
    assert (line["method"], line["status"], line["duration_ms"]) == ("GET", 200, 12.5)
    assert line["path"] == "/in-the-know/manage/[Filtered]/"
    assert "198.51.100.23" not in json.dumps(line) and "reset-me" not in json.dumps(line)


def test_gunicorns_master_loads_the_formatter_without_django_settings_or_prometheus():
    """The master builds its log handlers before any worker loads Django, and prometheus_client
    must not be imported before the multiprocess folder is set, or the workers inherit the wrong mode."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, pact_portal.gunicorn_conf as c, pact_portal.observability.logs; "
        "from django.conf import settings; "
        "assert 'prometheus_client' not in sys.modules and not settings.configured"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=django_settings.BASE_DIR)  # noqa: S603
