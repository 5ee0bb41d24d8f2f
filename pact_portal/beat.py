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
    # A follow request nobody confirmed within its link's week is forgotten: the address may be
    # someone else's. Nightly is soon enough; 02:15 is a quiet time.
    "priorities-purge-unconfirmed-followers": {
        "task": "priorities.tasks.purge_unconfirmed_followers_task",
        "schedule": crontab(hour=2, minute=15),
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
    # Retries and texts or calls held by quiet hours wait in the database with their time
    # (Delivery.next_attempt_at), not as delayed tasks; this sweep queues them once due. Every 30
    # seconds, because the first retry waits 30 to 60 s; the due rows are a partial index's read.
    "messaging-queue-due-deliveries": {
        "task": "messaging.tasks.deliveries_due_queue_task",
        "schedule": 30.0,
    },
    # Members who take routine alerts as a digest read it with breakfast: 07:00, after quiet hours'
    # usual end, so the day's digest and any texts held overnight do not all arrive in the night.
    "messaging-send-digests": {
        "task": "messaging.tasks.digests_send_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # The month just ended is recorded per ward (reports.selectors.membership) before the drafts
    # are read. Daily, so a missed 1st, or a new ward, is made good the next night.
    "reports-record-membership": {
        "task": "reports.tasks.membership_record_closed_months_task",
        "schedule": crontab(hour=2, minute=45),
    },
    # Each division's return drafts itself on the 1st for the month just ended (HMIC: the return is
    # due by the ninth). 03:15: after the nightly series top-up, and waiting on the chief inspector's desk.
    "reports-draft-returns": {
        "task": "reports.tasks.returns_draft_for_month_task",
        "schedule": crontab(day_of_month=1, hour=3, minute=15),
    },
    # Reminders go on the 5th and the 8th; running daily and letting the task decide keeps the rule in
    # one place (reports.models.REMINDER_DAYS). 08:00 reaches chief inspectors at the start of the day.
    "reports-return-reminders": {
        "task": "reports.tasks.returns_send_reminders_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Drafts still open after the due day are marked late. Daily rather than only on the 10th, so a
    # missed run, or a return HQ reopens after the 9th, is still caught the next morning.
    "reports-mark-late": {
        "task": "reports.tasks.returns_mark_late_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # A residents' vote's result is published soon after it closes (a ballot page refuses ballots
    # from the closing minute itself); counting is a no-op when nothing has closed, so every minute.
    "priorities-count-closed-votes": {
        "task": "priorities.tasks.count_closed_votes_task",
        "schedule": crontab(minute="*"),
    },
    # Personal data past the retention schedule (settings.RETENTION, docs/data-protection.md) goes
    # nightly. 01:45: before the 02:00-03:15 jobs, none of which reads what it removes, and after
    # the reclaim sweep has no lapsed claims left from the evening.
    "retention-apply": {
        "task": "pact_portal.tasks.retention_apply_task",
        "schedule": crontab(hour=1, minute=45),
    },
}
