import logging
import os

from celery import Celery, Task
from django.conf import settings
from django.db import DatabaseError

from pact_portal.beat import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pact_portal.settings")
logger = logging.getLogger(__name__)


class PortalTask(Task):
    """Every task of the project. With no broker (the embedded default, outside tests) `.delay()`
    runs it on pact_portal.background's thread pool after the response, not inside the request."""

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        from pact_portal import background

        if background.enabled():
            return background.submit(self, args, kwargs, countdown=options.get("countdown"))
        return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)


def queue_name(work_class: str) -> str:
    """The queue of a class of work (messaging.delivery.routing), under CELERY_QUEUE_PREFIX, which
    keeps deployments, test runs and benchmarks that share one Redis apart."""
    return f"{settings.CELERY_QUEUE_PREFIX}{work_class}"


def worker_queues(*work_classes: str) -> str:
    """The `-Q` argument of a worker taking these classes (every class when none is named)."""
    from messaging.delivery.routing import QUEUE_CLASSES

    return ",".join(queue_name(name) for name in work_classes or QUEUE_CLASSES)


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery's router (settings CELERY_TASK_ROUTES): a task about one alert goes on its alert's
    class's queue, a task named in CELERY_TASK_CLASSES on that class's, anything else on
    housekeeping's. Not consulted when tasks run in-process (no broker).

    A message that already knows its destination keeps it: a retry is published with the
    exchange and routing key it came in on, so a retried emergency stays an emergency, and a retry
    after a database error is not held up by another query to the same database."""
    from messaging.delivery import routing

    if options.get("queue") or options.get("routing_key"):
        return None
    if name in settings.CELERY_ALERT_TASKS and (kwargs or {}).get("alert_id") is not None:
        try:
            work_class = routing.alert_send_class(alert_id=kwargs["alert_id"])
        except DatabaseError:
            # Publishing must not fail with the database: on the alerts queue it still goes out.
            logger.warning("Routing %s without its alert's class: the database did not answer.", name)
            work_class = routing.ALERTS
    else:
        work_class = settings.CELERY_TASK_CLASSES.get(name, routing.HOUSEKEEPING)
    return {"queue": queue_name(work_class)}


app = Celery("pact_portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = BEAT_SCHEDULE
