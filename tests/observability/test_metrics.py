"""/metrics: Prometheus text to this machine and to the token's bearer, 404 to anyone else; requests
by route, database and cache time, and the portal's gauges from a fixed number of queries."""

from datetime import timedelta

import pytest
import redis
from celery.schedules import crontab
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from messaging.models import AlertStatus, Delivery, DeliveryAttempt
from pact_portal.observability import heartbeats, portal, selectors
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = "metrics-token-for-tests-6d1f"


def samples(response) -> dict:
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_it_answers_this_machine(client):
    response = client.get(reverse("metrics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_it_answers_elsewhere_only_with_the_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get(reverse("metrics"), **ELSEWHERE).status_code == 404
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer wrong", **ELSEWHERE).status_code == 404
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Token {TOKEN}", **ELSEWHERE).status_code == 404
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **ELSEWHERE).status_code == 200


def test_an_empty_bearer_opens_nothing_when_no_token_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ", **ELSEWHERE).status_code == 404


def test_a_request_relayed_by_a_local_proxy_is_not_local(client):
    assert client.get(reverse("metrics"), HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404


def test_it_counts_and_times_requests_by_route_and_times_the_database_and_cache(client, world):
    client.get(reverse("healthz"))
    client.get("/no/such/page/at/all/")
    client.get("/static/css/portal.css")
    found = samples(client.get(reverse("metrics")))
    assert found[("pact_http_requests_total", (("method", "GET"), ("route", "healthz"), ("status", "200")))] >= 1
    assert found[("pact_http_requests_total", (("method", "GET"), ("route", "unmatched"), ("status", "404")))] >= 1
    assert found[("pact_http_request_duration_seconds_count", (("method", "GET"), ("route", "healthz")))] >= 1
    assert found[("pact_db_query_duration_seconds_count", (("alias", "default"),))] >= 1
    assert found[("pact_cache_operation_duration_seconds_count", (("operation", "get"),))] >= 1
    assert found[("pact_http_requests_total", (("method", "GET"), ("route", "static"), ("status", "200")))] >= 1
    assert not any("no/such" in str(key) or "portal.css" in str(key) for key in found)


def sending_alert(world, *, minutes_ago: int):
    made = alert(world, send_email=True, send_sms=True)
    released = timezone.now() - timedelta(minutes=minutes_ago)
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.SENDING, released_at=released)
    return made


def test_it_exports_the_portals_gauges(client, world):
    made = sending_alert(world, minutes_ago=30)
    people = [subscriber(world, email=f"m{i}@example.org") for i in range(3)]
    queued_at = timezone.now() - timedelta(minutes=20)
    for person, status in zip(people, ["queued", "sent", "failed"], strict=True):
        Delivery.objects.create(alert=made, subscriber=person, channel="email", status=status, queued_at=queued_at)
    delivery = Delivery.objects.get(status="sent")
    now = timezone.now()
    for outcome in ["rate_limited", "rate_limited", "transient", "sent"]:
        DeliveryAttempt.objects.create(delivery=delivery, attempted_at=now, outcome=outcome)
    DeliveryAttempt.objects.create(delivery=delivery, attempted_at=now - timedelta(hours=1), outcome="permanent")
    heartbeats.heartbeat_record(task_name="reports.tasks.returns_mark_late_task", at=1_800_000_000)
    found = samples(client.get(reverse("metrics")))
    assert found[("pact_deliveries", (("channel", "email"), ("status", "queued")))] == 1
    assert found[("pact_deliveries", (("channel", "email"), ("status", "failed")))] == 1
    assert found[("pact_alerts_sending", ())] == 1
    assert 19 * 60 <= found[("pact_delivery_oldest_queued_age_seconds", ())] <= 21 * 60
    assert found[("pact_delivery_attempts_recent", (("outcome", "rate_limited"),))] == 2
    assert found[("pact_delivery_attempts_recent", (("outcome", "transient"),))] == 1
    assert found[("pact_delivery_attempts_recent", (("outcome", "permanent"),))] == 0  # outside the window
    assert found[("pact_beat_last_success_timestamp_seconds", (("job", "reports-mark-late"),))] == 1_800_000_000
    assert found[("pact_beat_last_success_timestamp_seconds", (("job", "meetings-extend-series"),))] == 0
    assert found[("pact_beat_expected_interval_seconds", (("job", "messaging-release-due-alerts"),))] == 60
    assert found[("pact_metrics_source_up", (("source", "deliveries"),))] == 1


def test_the_database_gauges_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for minutes in (5, 50, 500):
        made = sending_alert(world, minutes_ago=minutes)
        person = subscriber(world, email=f"p{minutes}@example.org")
        Delivery.objects.create(alert=made, subscriber=person, channel="sms", queued_at=timezone.now())
    with django_assert_max_num_queries(3):  # deliveries by channel and status, alerts sending, attempts
        selectors.deliveries_by_channel_and_status()
        assert selectors.alerts_sending()["sending"] == 3
        selectors.recent_attempt_outcomes()


def test_a_scrape_takes_the_same_three_queries(client, world, django_assert_max_num_queries):
    for minutes in (5, 50):
        sending_alert(world, minutes_ago=minutes)
    with django_assert_max_num_queries(3):  # no session or user: the three gauge queries only
        assert client.get(reverse("metrics")).status_code == 200


def test_scrapes_share_the_database_gauges_through_the_cache(client, world, settings, django_assert_num_queries):
    settings.METRICS_CACHE_SECONDS = 15
    client.get(reverse("metrics"))
    sending_alert(world, minutes_ago=5)
    with django_assert_num_queries(0):
        found = samples(client.get(reverse("metrics")))
    assert found[("pact_alerts_sending", ())] == 0  # as read a moment ago
    settings.METRICS_CACHE_SECONDS = 0
    assert samples(client.get(reverse("metrics")))[("pact_alerts_sending", ())] == 1


def test_a_source_that_fails_is_reported_and_the_rest_still_export(client, monkeypatch):
    monkeypatch.setitem(portal.SOURCES, "beat", lambda: (_ for _ in ()).throw(ConnectionError("cache down")))
    found = samples(client.get(reverse("metrics")))
    assert found[("pact_metrics_source_up", (("source", "beat"),))] == 0
    assert ("pact_alerts_sending", ()) in found


def test_a_beat_job_succeeding_records_its_heartbeat(world):
    from reports.tasks import returns_mark_late_task

    assert heartbeats.heartbeats()["reports-mark-late"] is None
    returns_mark_late_task.apply()
    assert heartbeats.heartbeats()["reports-mark-late"] > 0


def test_it_knows_each_schedules_widest_gap():
    assert portal.expected_interval(crontab(minute="*")) == 60
    assert portal.expected_interval(crontab(minute="*/2")) == 120
    assert portal.expected_interval(crontab(hour=2, minute=30)) == 24 * 3600
    assert portal.expected_interval(crontab(day_of_month=1, hour=3, minute=15)) == 31 * 24 * 3600


REDIS_DB = "redis://127.0.0.1:6379/6"


def test_it_reads_each_celery_queues_depth_from_the_broker(settings):
    client = redis.Redis.from_url(REDIS_DB, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.METRICS_CELERY_QUEUES = ["alerts", "bulk"]
    settings.CELERY_QUEUE_PREFIX = "h18-test-"
    try:
        client.rpush("h18-test-alerts", "a", "b")
        client.rpush("h18-test-alerts\x06\x169", "urgent")
        client.rpush("alerts", "another deployment's")
        assert portal.queue_lengths(broker_url=REDIS_DB) == {"alerts": 3, "bulk": 0}
    finally:
        client.delete("h18-test-alerts", "h18-test-alerts\x06\x169", "alerts")
    assert portal.queue_lengths(broker_url="") is None


def test_the_benchmark_reads_every_gauge_and_cleans_up(world):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("bench_metrics", "--deliveries", "20", "--runs", "1", stdout=out)
    figures = {line["benchmark"]: line["value"] for line in map(json.loads, out.getvalue().splitlines())}
    assert figures["metrics_portal_gauges_queries"] == 3
    assert not Delivery.objects.exists()
