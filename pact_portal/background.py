"""Background tasks without a broker: the embedded default runs them on a small thread pool in the
web process, after the response, instead of inside the request.

Without a broker Celery can only run a task eagerly, in the caller: approving a force-wide alert
then held the browser for the whole fan-out and every send (202 s on the demo force). Here
`.delay()` hands the task to a pool started on first use; the request returns at once and the
alert's page shows progress as it does with real workers. Each task runs with Celery's own eager
`apply` (retries included) in a pool thread, on its own database connections, which are closed
when it ends. A task queued inside a transaction waits for the commit, as a worker would have to.

It is on when no broker is configured and the process is not a test run (TASKS_IN_THREADS); tests
stay eager so that what a request did is done when it returns. The price of needing nothing
installed: a task still queued or running when the process stops (runserver reloading after an
edit) goes with it. Its deliveries stay queued, and the periodic reclaim (which needs beat, so a
broker) would send them; a deployment that must not lose sends runs Redis and workers.
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def enabled() -> bool:
    from pact_portal.celery import app

    return bool(getattr(settings, "TASKS_IN_THREADS", False)) and bool(app.conf.task_always_eager)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.TASKS_THREADS, thread_name_prefix="pact-task")
        return _pool


def _run(task, args, kwargs):
    try:
        return task.apply(args=args, kwargs=kwargs, throw=True).get()
    except Exception:
        # Nobody waits on the result: without this the failure would vanish with the thread.
        logger.exception("Background task %s failed", task.name)
        raise
    finally:
        connections.close_all()


class BackgroundResult:
    """What `.delay()` returns here: enough of Celery's AsyncResult for a caller that waits."""

    def __init__(self, future: Future):
        self.future = future

    def get(self, timeout: float | None = None, **_options):
        return self.future.result(timeout=timeout)

    def ready(self) -> bool:
        return self.future.done()


def submit(task, args=None, kwargs=None, *, countdown: float | None = None) -> BackgroundResult:
    """Run `task` on the pool once the current transaction commits (at once outside one), after
    `countdown` seconds if given (a send waiting out its backoff)."""
    future: Future = Future()

    def start():
        pooled = _executor().submit(_run, task, tuple(args or ()), dict(kwargs or {}))
        pooled.add_done_callback(lambda done: _copy(done, future))

    def later():
        if countdown and countdown > 0:
            timer = threading.Timer(countdown, start)
            timer.daemon = True
            timer.start()
        else:
            start()

    transaction.on_commit(later)
    return BackgroundResult(future)


def _copy(done: Future, into: Future) -> None:
    if done.exception() is not None:
        into.set_exception(done.exception())
    else:
        into.set_result(done.result())
