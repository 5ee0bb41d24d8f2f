"""Beat on several hosts: celery-redbeat keeps the schedule and one lock in the broker's Redis."""

from django.conf import settings
from redbeat.schedulers import RedBeatScheduler

from pact_portal.celery import app


def test_the_schedule_and_its_lock_live_in_the_brokers_redis_not_the_cache():
    scheduler = RedBeatScheduler(app=app, lazy=True)
    assert app.conf.redbeat_redis_url == settings.CELERY_BROKER_URL
    assert scheduler.lock_key == f"{settings.CELERY_QUEUE_PREFIX}redbeat:lock"
    # Renewed every loop (at most every 10 s): another beat takes over a minute after this one dies.
    assert scheduler.max_interval == 10 and scheduler.lock_timeout == 60 > scheduler.max_interval
