"""Prometheus metrics: what the web process measures as it works (requests by route, database
and cache time) and what every scrape reads afresh (the portal's gauges, collect_portal below).

Library: prometheus_client, the Prometheus project's own. django-prometheus adds model and
migration metrics we do not need, wraps the database and cache backends by replacing their
ENGINE/BACKEND names, and labels requests by view function; a middleware of twenty lines gives
route names, the database time through Django's execute_wrappers and the cache time by op.

gunicorn runs several worker processes, each with its own counters. With PROMETHEUS_MULTIPROC_DIR
set (the gunicorn config sets it up and cleans it), every process writes its samples to files there
and a scrape of any worker adds them all up (prometheus_client's multiprocess mode). Without it the
numbers are one worker's, which is right only for a single process (runserver, tests). The
portal's gauges are read from the database and Redis on each scrape, so they are the same
whichever process answers.
"""

import contextvars
import logging
import os
import time

from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from pact_portal.databases.wrappers import install_outermost
from pact_portal.observability.logs import route_of

logger = logging.getLogger(__name__)

HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter("pact_http_requests", "Requests answered, by route name", ["route", "method", "status"])
REQUEST_SECONDS = Histogram(
    "pact_http_request_duration_seconds",
    "Time to answer a request, by route name",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DB_SECONDS = Histogram(
    "pact_db_query_duration_seconds",
    "Time of each database query",
    ["alias"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
CACHE_SECONDS = Histogram(
    "pact_cache_operation_duration_seconds",
    "Time of each cache operation",
    ["operation"],
    buckets=(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5),
)
# What the signed-in cache saves (pact_portal.generations): by kind of entry (signed-in-user,
# two-factor-device, signed-in-page), a hit, a miss (built from the database) or an error (the cache
# did not answer; built from the database too). The hit rate is hit / (hit + miss + error).
SIGNED_IN_CACHE = Counter(
    "pact_signed_in_cache_lookups", "Lookups of the signed-in cache, by kind and result", ["kind", "result"]
)


class MetricsMiddleware:
    """Counts and times every request under its route name (`messaging:manage`), never its path:
    paths hold tokens, and one series per path would grow without end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_of(request)
        method = request.method if request.method in HTTP_METHODS else "other"
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - started)
        return response


def db_timer(execute, sql, params, many, context):
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        DB_SECONDS.labels(context["connection"].alias).observe(time.perf_counter() - started)


def db_timer_install(sender=None, connection=None, **_kwargs):
    """connection_created: time every query on this connection (once, however often it reconnects)."""
    if connection is not None:
        install_outermost(connection, db_timer)


_in_cache_op: contextvars.ContextVar[bool] = contextvars.ContextVar("pact_in_cache_op", default=False)
TIMED_CACHE_OPERATIONS = (
    "get", "set", "add", "delete", "touch", "has_key", "incr", "decr", "get_many", "set_many", "delete_many",
)  # fmt: skip


def _timed(operation):
    def method(self, *args, **kwargs):
        if _in_cache_op.get():  # get_many made of gets: count the outer call only
            return getattr(super(TimedCacheMixin, self), operation)(*args, **kwargs)
        token = _in_cache_op.set(True)
        started = time.perf_counter()
        try:
            return getattr(super(TimedCacheMixin, self), operation)(*args, **kwargs)
        finally:
            CACHE_SECONDS.labels(operation).observe(time.perf_counter() - started)
            _in_cache_op.reset(token)

    method.__name__ = operation
    return method


class TimedCacheMixin:
    pass


for _operation in TIMED_CACHE_OPERATIONS:
    setattr(TimedCacheMixin, _operation, _timed(_operation))


class RedisCache(TimedCacheMixin, DjangoRedisCache):
    """Django's Redis cache, timed."""


class LocMemCache(TimedCacheMixin, DjangoLocMemCache):
    """Django's local-memory cache, timed."""


class PortalCollector:
    """The portal's own gauges, read on each scrape (pact_portal.observability.portal)."""

    def collect(self):
        from pact_portal.observability.portal import portal_metrics

        yield from portal_metrics()


def exposition() -> tuple[bytes, str]:
    """The text a scrape gets: this process's metrics (or every gunicorn worker's, in multiprocess
    mode) and the portal's gauges."""
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    portal = CollectorRegistry()
    portal.register(PortalCollector())
    return body + generate_latest(portal), CONTENT_TYPE_LATEST
