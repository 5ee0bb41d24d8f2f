from celery import shared_task

from reports import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def membership_record_closed_months_task() -> int:
    """Record each ward's In the Know membership for the closed months not recorded yet."""
    return services.membership_record_closed_months()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def returns_draft_for_month_task() -> int:
    """A draft return for every division for the month just ended."""
    return services.returns_draft_for_month()


# SMTP failures are OSErrors; a failed send releases its return's claim, so the retry sends it.
@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def returns_send_reminders_task() -> int:
    """Remind chief inspectors of drafts due this month (the service acts only on the 5th and 8th)."""
    return services.returns_send_reminders()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def returns_mark_late_task() -> int:
    """Mark drafts past their due date late."""
    return services.returns_mark_late()
