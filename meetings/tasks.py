from celery import shared_task
from django.utils import timezone

from meetings import services
from meetings.models import MeetingSeries


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def extend_meeting_series_task() -> int:
    """Keep every repeating meeting a year ahead, so feeds and pages always show the next dates."""
    until = timezone.now() + services.SERIES_HORIZON
    added = 0
    for series_id in MeetingSeries.objects.filter(generated_until__lt=until).values_list("pk", flat=True):
        added += extend_one_series(series_id=series_id, until=until)
    return added


def extend_one_series(*, series_id: int, until) -> int:
    series = MeetingSeries.objects.select_related("created_by").get(pk=series_id)
    return services.series_extend(series=series, actor=series.created_by, until=until)
