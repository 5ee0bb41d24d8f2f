"""Classes of work: which Celery queue an alert's tasks go on, and which turn its sends take at
the shared rate limit (messaging.delivery.ratelimit).

An emergency must never wait behind bulk work, neither in a queue nor at the provider's limit, so
an alert's kind decides its class (MESSAGING_KIND_CLASSES), and the class decides both. The
queues themselves, and the tasks that always go on one of them, are set in settings
(CELERY_TASK_ROUTES → pact_portal.celery.route_task).
"""

from django.conf import settings

EMERGENCY = "emergency"
ALERTS = "alerts"
BULK = "bulk"
HOUSEKEEPING = "housekeeping"
# Highest precedence first: the order the rate limit serves them in.
SEND_CLASSES = (EMERGENCY, ALERTS, BULK)
QUEUE_CLASSES = (*SEND_CLASSES, HOUSEKEEPING)


def send_class_for_kind(kind: str) -> str:
    """The class of an alert of this kind; kinds not listed in MESSAGING_KIND_CLASSES are "alerts"."""
    return getattr(settings, "MESSAGING_KIND_CLASSES", {}).get(kind, ALERTS)


def alert_send_class(*, alert_id) -> str:
    """The class of one alert, by id (what a task's kwargs carry); "alerts" if it is gone."""
    from messaging.models import Alert

    kind = Alert.objects.filter(pk=alert_id).values_list("kind", flat=True).first()
    return send_class_for_kind(kind) if kind is not None else ALERTS
