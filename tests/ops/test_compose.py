"""docker-compose.yml keeps its hardening: a change that loses one of these fails here, not on a
force's first night in production."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from pact_portal.celery import app

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker-urgent", "worker-bulk", "worker-housekeeping", "beat")
WORKERS = ("worker-urgent", "worker-bulk", "worker-housekeeping")
LONG_RUNNING = ("db", "redis", "cache", "web", *WORKERS, "beat")


def _command(service: str) -> str:
    command = SERVICES[service]["command"]
    return " ".join(command) if isinstance(command, list) else command


def _seconds(duration: str) -> int:
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[unit] for n, unit in re.findall(r"(\d+)([hms])", duration))


def _required(value: str) -> bool:
    """`${NAME:?message}`: compose refuses to start without it, and there is no default."""
    return bool(re.fullmatch(r"\$\{\w+:\?[^}]+\}", value))


def test_it_checks_postgres_over_tcp_not_the_first_boot_socket():
    check = " ".join(SERVICES["db"]["healthcheck"]["test"])
    assert "pg_isready -h 127.0.0.1" in check


@pytest.mark.parametrize("service", list(SERVICES))
def test_it_rotates_every_services_logs(service):
    logging = SERVICES[service]["logging"]
    assert logging["driver"] == "json-file"
    assert logging["options"]["max-size"] and logging["options"]["max-file"]


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_it_restarts_every_long_running_service(service):
    assert SERVICES[service]["restart"] in ("unless-stopped", "always")


@pytest.mark.parametrize("service", APP_SERVICES)
def test_it_requires_proxy_count_and_the_redis_password(service):
    environment = SERVICES[service]["environment"]
    assert _required(environment["PROXY_COUNT"])
    assert environment["REDIS_URL"].startswith("redis://:${REDIS_PASSWORD:?")
    assert environment["REDIS_URL"].endswith("@redis:6379/0")
    assert environment["REDIS_CACHE_URL"].endswith("@cache:6379/0")


def test_the_broker_never_evicts_and_the_cache_does():
    broker, cache = _command("redis"), _command("cache")
    assert "--maxmemory-policy noeviction" in broker and "--appendonly yes" in broker
    assert "--maxmemory-policy volatile-ttl" in cache and "--maxmemory " in cache
    for service in ("redis", "cache"):
        assert "requirepass" in _command(service)
        assert _required(SERVICES[service]["environment"]["REDIS_PASSWORD"])
        # Asked without the password, Redis answers NOAUTH: the check must not count that as up.
        assert "REDISCLI_AUTH" in " ".join(SERVICES[service]["healthcheck"]["test"])


def _longest_hard_limit(queues: list[str]) -> int:
    """The longest hard time limit of the tasks routed to these queues."""
    app.loader.import_default_modules()
    longest = app.conf.task_time_limit
    for name, task in app.tasks.items():
        if name.startswith("celery.") or not task.time_limit:
            continue
        work_class = settings.CELERY_TASK_CLASSES.get(name, "housekeeping")
        if name in settings.CELERY_ALERT_TASKS:
            classes = {"emergency", "alerts", "bulk"}  # on the class of the alert they serve
        else:
            classes = {work_class}
        if classes & set(queues):
            longest = max(longest, task.time_limit)
    return longest


@pytest.mark.parametrize("service", WORKERS)
def test_a_worker_gets_time_to_finish_its_longest_task_before_docker_kills_it(service):
    command = _command(service)
    queues = re.search(r"-Q (\S+)", command).group(1).split(",")
    assert re.search(r"--concurrency=\S+", command)
    assert SERVICES[service].get("stop_signal", "SIGTERM") == "SIGTERM"  # Celery's warm shutdown
    assert _seconds(SERVICES[service]["stop_grace_period"]) > _longest_hard_limit(queues)


def test_beat_keeps_no_schedule_file_of_its_own():
    # Its state is in Redis (celery-redbeat), shared by every beat that may take over.
    assert "--schedule" not in _command("beat")
    assert settings.CELERY_BEAT_SCHEDULER == "redbeat.RedBeatScheduler"


def test_the_backup_service_is_a_one_off_tool():
    backup = SERVICES["backup"]
    assert backup["profiles"] == ["tools"] and backup["restart"] == "no"
    assert backup["command"] == ["/ops/backup.sh"]
