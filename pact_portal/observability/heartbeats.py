"""The last successful run of every beat job, kept in the shared cache (Redis in production) by
whichever worker ran it, so /metrics and /readyz on any web server can say how long ago it was.

Recorded from Celery's task_success signal rather than inside each task, so a job added to
pact_portal.beat is watched without anyone remembering to. A manual run of the same task counts:
the job's work was done either way.
"""

import logging
import time

from django.core.cache import cache

from pact_portal.beat import BEAT_SCHEDULE

logger = logging.getLogger(__name__)

KEY = "beat-heartbeat:{job}"
# Longer than any schedule's interval (the monthly return drafts): a heartbeat that expired would
# read as "never ran".
KEEP_SECONDS = 60 * 60 * 24 * 62


def jobs_for_task(task_name: str) -> list[str]:
    return [job for job, entry in BEAT_SCHEDULE.items() if entry["task"] == task_name]


def heartbeat_record(*, task_name: str, at: float | None = None) -> list[str]:
    """Note that `task_name` just succeeded, for each beat job that runs it; returns those jobs."""
    jobs = jobs_for_task(task_name)
    if jobs:
        stamp = time.time() if at is None else at
        cache.set_many({KEY.format(job=job): stamp for job in jobs}, timeout=KEEP_SECONDS)
    return jobs


def task_succeeded(sender=None, **_kwargs):
    """Celery's task_success signal. A cache that is down must not fail the task that succeeded."""
    try:
        heartbeat_record(task_name=getattr(sender, "name", ""))
    except Exception:
        logger.warning("Could not record the beat heartbeat of %s", getattr(sender, "name", "?"), exc_info=True)


def heartbeats() -> dict[str, float | None]:
    """Each beat job's last success (Unix time), None for one never seen: one cache round trip."""
    found = cache.get_many([KEY.format(job=job) for job in BEAT_SCHEDULE])
    return {job: found.get(KEY.format(job=job)) for job in BEAT_SCHEDULE}
