"""gunicorn's configuration, used by the Dockerfile and docker-compose.yml
(`gunicorn pact_portal.wsgi -c python:pact_portal.gunicorn_conf`).

Access and error lines are JSON in the same shape as the application's (pact_portal.observability.logs),
the access line carrying the request id the application put in the response's X-Request-ID.
Client addresses and query strings are left out of it: neither is needed to run the service, and
both can identify a resident (query strings carry reset and confirmation tokens).

Prometheus: each worker process keeps its own counters; in multiprocess mode they write them to
files in PROMETHEUS_MULTIPROC_DIR, emptied when gunicorn starts, and a scrape of any worker adds
them up. A dead worker's files are marked so its gauges drop out.
"""

import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pact_portal.observability.logs.PortalJsonFormatter"}},
    "handlers": {
        "json_stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        "json_stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["json_stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["json_stdout"], "propagate": False},
    },
}

DEFAULT_PROMETHEUS_DIR = "/tmp/pact-prometheus"  # noqa: S108 - a private, per-container folder


def on_starting(server):
    """Multiprocess mode for every worker: set here, in the master before it forks them and before
    any of them imports prometheus_client (which reads it at import). A restart must not add the
    last run's counts to this one's, so the folder starts empty."""
    folder = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", DEFAULT_PROMETHEUS_DIR))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
