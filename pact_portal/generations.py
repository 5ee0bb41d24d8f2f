"""Generation numbers: one per named group of tables, moved by every write to any of them.

A cached page or object stays correct by remembering the generation it was built at: a write to
one of the tables it was built from moves the generation, and it is built again on next use.

Writes are caught where Django hands SQL to the database, not by model signals, because services
write with QuerySet.update(), bulk_create() and cascading deletes, which send no signal; and they
are caught in every process that shares the cache: web workers, Celery workers, management
commands. A write outside Django (psql) is not seen: the caches' own lifetimes bound that.

The cache is a help, never a need: when Redis does not answer, values are built from the database
(and for CACHE_RETRY_SECONDS the cache is not asked again by this process, so a request does not
pay a timeout per lookup). A generation that could not be moved meanwhile is moved on this
process's first lookup once Redis answers again, so what was kept before the outage is not served.
"""

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from redis.exceptions import RedisError

from pact_portal.databases.wrappers import install_outermost
from pact_portal.observability.metrics import SIGNED_IN_CACHE

logger = logging.getLogger(__name__)

# What a cache that does not answer raises (Django's Redis backend lets redis-py's errors through).
CACHE_ERRORS = (RedisError, OSError)
CACHE_RETRY_SECONDS = 5
_cache_down_until = 0.0
# Groups whose generation could not be moved while the cache was down.
_unmoved: set[str] = set()

# Every statement passes through here, SELECTs above all: one anchored pattern, which gives up at
# the first letter of anything that is not a write. A TRUNCATE moves every group.
_WRITE = re.compile(
    r'\s*(?:(TRUNCATE)\b|(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+))', re.IGNORECASE
)

_groups_by_table: dict[str, frozenset[str]] = {}
_all_groups: set[str] = set()


def watch(group: str, *, models: Iterable[str]) -> None:
    """Move `group`'s generation on every write to these models' tables ("app_label.Model")."""
    for label in models:
        table = apps.get_model(label)._meta.db_table
        _groups_by_table[table] = _groups_by_table.get(table, frozenset()) | {group}
    _all_groups.add(group)
    connection_created.connect(install, dispatch_uid="pact_portal.generations")
    for connection in connections.all(initialized_only=True):
        install(connection=connection)


def watched_tables(group: str) -> frozenset[str]:
    return frozenset(table for table, groups in _groups_by_table.items() if group in groups)


def _key(group: str) -> str:
    return f"generation:{group}"


def cached(key: str, *, groups: tuple[str, ...]) -> tuple[Any, tuple[int, ...]]:
    """The value stored under `key` if it was built at the groups' current generations (else
    None), and the stamp to store a fresh one with: one cache round trip."""
    generation_keys = [_key(group) for group in groups]
    found = cache.get_many([key, *generation_keys])
    for generation_key in generation_keys:
        if generation_key not in found:
            # A fresh start from the clock, never from 1: an entry built at a generation the cache
            # has since forgotten must not match again.
            cache.add(generation_key, time.time_ns(), timeout=None)
            found[generation_key] = cache.get(generation_key)
    stamp = tuple(found[generation_key] for generation_key in generation_keys)
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1], stamp
    return None, stamp


def store(key: str, value: Any, *, stamp: tuple[int, ...], timeout: int) -> None:
    cache.set(key, (stamp, value), timeout)


def _kind(key: str) -> str:
    return key.split(":", 1)[0]


def cache_usable() -> bool:
    return time.monotonic() >= _cache_down_until


def cache_failed(what: str) -> None:
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    logger.warning("The cache did not answer (%s): reading the database for %ss.", what, CACHE_RETRY_SECONDS)


def _move_unmoved() -> None:
    if _unmoved:
        groups = set(_unmoved)
        _unmoved.difference_update(groups)
        bump(groups)


def lookup(key: str, *, groups: tuple[str, ...]) -> tuple[Any, tuple[int, ...] | None]:
    """`cached()`, counted for /metrics, and (None, None) when the cache does not answer."""
    if not cache_usable():
        SIGNED_IN_CACHE.labels(_kind(key), "error").inc()
        return None, None
    try:
        _move_unmoved()
        value, stamp = cached(key, groups=groups)
    except CACHE_ERRORS:
        cache_failed("read")
        SIGNED_IN_CACHE.labels(_kind(key), "error").inc()
        return None, None
    SIGNED_IN_CACHE.labels(_kind(key), "miss" if value is None else "hit").inc()
    return value, stamp


def keep(key: str, value: Any, *, stamp: tuple[int, ...] | None, timeout: int) -> None:
    """`store()`, unless the lookup found the cache down; a failure is logged, not raised."""
    if stamp is None or not cache_usable():
        return
    try:
        store(key, value, stamp=stamp, timeout=timeout)
    except CACHE_ERRORS:
        cache_failed("write")


def get_or_build(key: str, *, groups: tuple[str, ...], build: Callable[[], Any], timeout: int, kept=None) -> Any:
    """The value kept under `key` at the groups' current generations, else `build()`, kept for
    `timeout` seconds (as `kept(value)` when given: what the cache may hold of it). None is never
    kept, and a timeout of 0 keeps nothing. A cache that does not answer means `build()`."""
    if not timeout:
        return build()
    value, stamp = lookup(key, groups=groups)
    if value is None:
        value = build()
        if value is not None:
            keep(key, kept(value) if kept else value, stamp=stamp, timeout=timeout)
    return value


def bump(groups: Iterable[str]) -> None:
    for group in groups:
        try:
            try:
                cache.incr(_key(group))
            except ValueError:
                cache.add(_key(group), time.time_ns(), timeout=None)
        except Exception:
            # The write itself has been made: a cache outage must not fail it. The generation is
            # moved on this process's first lookup after the outage; if the process ends first,
            # what was kept before ages out within SIGNED_IN_CACHE_SECONDS.
            _unmoved.add(group)
            logger.warning("Could not move the %s generation: the cache is unreachable.", group, exc_info=True)


def groups_written(sql) -> frozenset[str]:
    if not isinstance(sql, str):
        return frozenset()
    match = _WRITE.match(sql)
    if match is None:
        return frozenset()
    truncate, table = match.groups()
    return frozenset(_all_groups) if truncate else _groups_by_table.get(table, frozenset())


@dataclass(frozen=True)
class _BumpOnCommit:
    groups: frozenset[str]

    def __call__(self):
        bump(self.groups)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    groups = groups_written(sql)
    if groups:
        # Now, so the writer's own transaction (and a test's) never reads a page built before
        # the write; and again at commit, because a page built by another request between the
        # two saw the data before it was committed.
        bump(groups)
        connection = context["connection"]
        if connection.in_atomic_block:
            hooks = [hook for _, hook, _ in connection.run_on_commit if isinstance(hook, _BumpOnCommit)]
            unplanned = groups.difference(*(hook.groups for hook in hooks))
            if unplanned:
                transaction.on_commit(_BumpOnCommit(unplanned), using=connection.alias)
    return result


def install(*, connection, **kwargs) -> None:
    """Receiver for `connection_created`: every connection, in every process, reports its writes."""
    install_outermost(connection, _watch_writes)
