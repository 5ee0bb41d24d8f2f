"""Names the management command behind each audit-trail row it writes, as the middleware names
the signed-in user behind a request's and tasks_context the Celery task behind a task's."""

import sys

import pghistory
from django.core.management.base import BaseCommand
from django.db import connection


class AuditedCommand(BaseCommand):
    """A command whose writes (imports, the demo, retention) the audit trail attributes to it.

    The operating-system user who ran it is recorded too: a command has no signed-in user, and on a
    shared host the login is the only name there is."""

    def execute(self, *args, **options):
        # PostgreSQL only: the context is a `SELECT set_config(...)` in front of each write.
        if connection.vendor != "postgresql":
            return super().execute(*args, **options)
        with pghistory.context(command=self.audit_name, command_line=" ".join(sys.argv[1:])[:200]):
            return super().execute(*args, **options)

    @property
    def audit_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]
