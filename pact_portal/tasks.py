from celery import shared_task

from pact_portal.retention.services import retention_apply


@shared_task(acks_late=True)
def retention_apply_task() -> dict[str, int]:
    return retention_apply()
