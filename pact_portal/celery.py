import os

from celery import Celery, Task

from pact_portal.beat import BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pact_portal.settings")


class PortalTask(Task):
    """Every task of the project. With no broker (the embedded default, outside tests) `.delay()`
    runs it on pact_portal.background's thread pool after the response, not inside the request."""

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, link=None, link_error=None, **options):
        from pact_portal import background

        if background.enabled():
            return background.submit(self, args, kwargs, countdown=options.get("countdown"))
        return super().apply_async(args, kwargs, task_id, producer, link, link_error, **options)


app = Celery("pact_portal", task_cls=PortalTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = BEAT_SCHEDULE
