"""Names the signed-in user on every audit-trail row a request writes."""

from django.db import connection
from pghistory.middleware import HistoryMiddleware

# Only requests that may write open a context: a GET that did would still be recorded by the
# triggers, without a name, and opening one on every GET would read the session of public pages
# that pact_portal.caching keeps for anonymous visitors.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AuditContextMiddleware(HistoryMiddleware):
    """django-pghistory's middleware, on PostgreSQL only: its context travels to the triggers as a
    `SELECT set_config(...)` in front of each write, which SQLite cannot run (and has no triggers
    to read it)."""

    def __call__(self, request):
        if connection.vendor != "postgresql" or request.method not in WRITING_METHODS:
            return self.get_response(request)
        return super().__call__(request)
