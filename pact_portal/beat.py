"""The Celery beat schedule: the one place every periodic job is declared.

Each entry carries a comment saying why it runs when it runs; apps add their entries here as
they gain periodic work (the daily priorities digest, the monthly return drafts, ...).
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict] = {
    # Repeating PACT meetings are stored a year ahead; topping them up nightly keeps public pages
    # and calendar feeds a full year out. 02:30 is after midnight edits and before the working day.
    "meetings-extend-series": {
        "task": "meetings.tasks.extend_meeting_series_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Owners read the digest before the morning briefing: overdue actions and priorities past review.
    "priorities-daily-digest": {
        "task": "priorities.tasks.send_daily_digests_task",
        "schedule": crontab(hour=6, minute=30),
    },
    # A scheduled alert goes out within a minute of its time; finding due ones is one indexed
    # query on (status, send_at), so checking every minute costs nothing.
    "messaging-release-due-alerts": {
        "task": "messaging.tasks.alerts_release_due_task",
        "schedule": crontab(minute="*"),
    },
    # A worker that dies mid-send leaves its claims "sending" until their 10-minute lease runs
    # out; sweeping every two minutes resends them soon after, and also closes finished alerts.
    "messaging-reclaim-deliveries": {
        "task": "messaging.tasks.deliveries_reclaim_task",
        "schedule": crontab(minute="*/2"),
    },
}
