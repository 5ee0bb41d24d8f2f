"""Names the Celery task behind each audit-trail row a task writes, as the middleware names the
signed-in user behind a request's."""

import pghistory
from django.db import connection

# Open contexts by task id: Celery's prerun and postrun signals are separate calls.
_open: dict[str, pghistory.context] = {}


def task_context_enter(task_id=None, task=None, **_kwargs):
    # PostgreSQL only: the context is a `SELECT set_config(...)` in front of each write.
    if connection.vendor != "postgresql" or not task_id:
        return
    # Inside a request (a task run in-process) this adds the task to the request's context.
    context = pghistory.context(task=getattr(task, "name", ""))
    context.__enter__()
    _open[task_id] = context


def task_context_exit(task_id=None, **_kwargs):
    context = _open.pop(task_id, None)
    if context is not None:
        context.__exit__(None, None, None)
