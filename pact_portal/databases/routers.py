"""Reads that tolerate lag go to the read replica (settings DATABASE_REPLICA_URL); nothing else does.

Only code that asks, by running inside `replica_reads()` (a context manager and decorator), is sent
there: a return's figures, analytics, exports. Sign-in, permissions, dashboards and every page that
shows what was just saved read the primary, since a replica may be a second or more behind.

Even inside `replica_reads()` the primary answers:
- inside a transaction on the primary, where the reads may depend on its own writes;
- once this request or task has written anything, so it never reads a copy older than its own writes.
"""

import contextvars
from contextlib import ContextDecorator

from django.conf import settings
from django.db import connections

from pact_portal.databases.wrappers import install_outermost

PRIMARY = "default"
REPLICA = "replica"

_replica_wanted = contextvars.ContextVar("replica_wanted", default=False)
_written = contextvars.ContextVar("written", default=False)


class replica_reads(ContextDecorator):  # noqa: N801 - used like contextlib's lower-case helpers
    """Reads made inside may go to the replica, when there is one."""

    def __enter__(self):
        self._token = _replica_wanted.set(True)
        return self

    def __exit__(self, *exc):
        _replica_wanted.reset(self._token)
        return False


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def writes_forget(**_kwargs) -> None:
    """A new request or task starts with no writes of its own (request_started, task_prerun)."""
    _written.set(False)


def writes_note(execute, sql, params, many, context):
    """An execute wrapper on the primary's connections: remembers that this context has written."""
    if not _written.get() and isinstance(sql, str) and not sql.lstrip()[:6].upper().startswith("SELECT"):
        _written.set(True)
    return execute(sql, params, many, context)


def install(*, connection, **_kwargs) -> None:
    """Receiver for `connection_created`."""
    if connection.alias == PRIMARY:
        install_outermost(connection, writes_note)


def read_alias() -> str:
    if not (_replica_wanted.get() and replica_configured()):
        return PRIMARY
    if _written.get() or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


class ReplicaRouter:
    """settings DATABASE_ROUTERS, when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read from either is the same row.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Streaming replication copies the schema; migrating the replica would fail (read-only).
        return db == PRIMARY
