"""The settings as production starts them: each test runs manage.py in a fresh process.

Settings are read once, at import, so the only honest test of an environment is a new process
given that environment. The process skips the developer's .env (settings.py reads one if it
exists), so these tests see exactly the variables they set and nothing else.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# manage.py, with django-environ's .env loading turned off.
MANAGE = (
    "import runpy, sys, environ; "
    "environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None); "
    "sys.argv = ['manage.py', *sys.argv[1:]]; "
    "runpy.run_path('manage.py', run_name='__main__')"
)
# Set by CI, by pytest-env (pyproject.toml), by tests/browser/conftest.py (DJANGO_ALLOW_ASYNC_UNSAFE,
# for the whole test process) or by a developer's shell: none may leak into production.
DROPPED = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "DEBUG",
    "TESTING",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="pact.example.police.uk",
        CSRF_TRUSTED_ORIGINS="https://pact.example.police.uk",
        # The check never connects, so SQLite stands in for PostgreSQL.
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        EMAIL_URL="smtp+tls://portal:secret@smtp.example.police.uk:587",
        SITE_URL="https://pact.example.police.uk",
        # pytest-env turns the redirect off for the test client; production leaves these at their defaults.
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_PRELOAD="1",
    )
    env.update(overrides)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", MANAGE, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_passes_the_deployment_checklist_with_the_production_variables(tmp_path):
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "?:" not in output
    assert "System check identified no issues" in output


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_a_site_url_when_debug_is_off(tmp_path):
    env = _production_env(tmp_path)
    del env["SITE_URL"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set SITE_URL to the portal's public address" in result.stderr


def test_it_refuses_a_site_url_that_is_not_an_address(tmp_path):
    result = _manage("check", env=_production_env(tmp_path, SITE_URL="pact.example.police.uk"))

    assert result.returncode != 0
    assert "'pact.example.police.uk' is not an http(s) address" in result.stderr


def test_make_run_builds_links_on_the_port_it_serves():
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "run", "PORT=8080"],  # noqa: S607 - make from the PATH, as a developer runs it
        cwd=BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "SITE_URL"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    runserver = next(line for line in result.stdout.splitlines() if "runserver" in line)
    assert "SITE_URL=http://127.0.0.1:8080 " in runserver and runserver.endswith("runserver 127.0.0.1:8080")


CELERY_PROBE = """
from celery import shared_task
from django.conf import settings

@shared_task
def double(n):
    return n * 2

print(settings.CELERY_TASK_ALWAYS_EAGER, double.delay(21).get(timeout=5))
"""


def test_it_runs_celery_tasks_in_process_without_a_broker(tmp_path):
    result = _manage("shell", "--no-imports", "-c", CELERY_PROBE, env=_production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "42"]


EAGER_PROBE = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)"


def test_it_queues_celery_tasks_on_redis_when_redis_url_is_set(tmp_path):
    env = _production_env(tmp_path, REDIS_URL="redis://redis.invalid:6379/0")

    result = _manage("shell", "--no-imports", "-c", EAGER_PROBE, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
