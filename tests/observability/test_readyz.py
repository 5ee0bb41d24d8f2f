"""/readyz: what /healthz checks, plus the broker and beat's last heartbeat; 503 naming what failed."""

import time
from unittest import mock

import pytest
import redis
from django.urls import reverse

from pact_portal.celery import app as celery_app
from pact_portal.observability import heartbeats

pytestmark = pytest.mark.django_db

REDIS_DB = "redis://127.0.0.1:6379/6"


@pytest.fixture
def broker(monkeypatch):
    """A configured broker at `url` (tests otherwise run tasks in-process, with none)."""

    def use(url):
        monkeypatch.setattr("pact_portal.observability.views.broker_configured", lambda: True)
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_write_url", None)

    return use


@pytest.fixture
def live_redis():
    try:
        redis.Redis.from_url(REDIS_DB, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")


def test_it_is_ready_without_a_broker_and_says_there_is_none(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "not configured",
        "failed": [],
    }


def test_it_is_ready_when_the_broker_answers_and_reports_beats_heartbeat(client, broker, live_redis):
    broker(REDIS_DB)
    heartbeats.heartbeat_record(task_name="messaging.tasks.alerts_release_due_task", at=time.time() - 30)
    response = client.get(reverse("readyz"))
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == "ok"
    assert 29 <= response.json()["beat"]["last_heartbeat_age_seconds"] <= 60


def test_it_is_not_ready_when_the_broker_is_down(client, broker):
    broker("redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["failed"] == ["broker"]
    assert response.json()["broker"].startswith("error: ")


def test_a_stale_beat_fails_it_only_when_asked_to(client, broker, live_redis, settings):
    broker(REDIS_DB)
    heartbeats.heartbeat_record(task_name="messaging.tasks.alerts_release_due_task", at=time.time() - 900)
    assert client.get(reverse("readyz")).status_code == 200
    settings.READYZ_BEAT_MAX_AGE_SECONDS = 300
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["beat"]
    assert response.json()["beat"]["status"] == "stale"


def test_it_is_not_ready_when_the_cache_is_down(client):
    with mock.patch("pact_portal.observability.views.cache.set", side_effect=ConnectionError("redis gone")):
        response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_it_answers_plain_http_probes_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # the exemptions are the settings module's own (DEBUG=0 in tests)
    assert client.get(reverse("readyz")).status_code == 200
    assert client.get(reverse("metrics")).status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 301
