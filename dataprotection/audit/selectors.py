"""Reading the audit trail: django-pghistory's event tables, read together through its Events
proxy (one query across every table, with each update's before-and-after computed in SQL)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dataprotection.models import AUDITED_MODELS, RESTRICTED_FIELDS, AuditEvents

# What each audited model is to a reader of the page.
MODEL_NAMES = {
    "accounts.User": _("Users and roles"),
    "neighbourhoods.TeamMembership": _("Team memberships"),
    "accounts.ApiToken": _("API tokens"),
    "priorities.Priority": _("Priorities' restricted notes"),
    "meetings.Meeting": _("Meetings' restricted notes"),
    "messaging.Subscriber": _("Members' consent"),
    "messaging.SubscriberChannel": _("Members' channels (opt-in and unsubscribes)"),
}


RESTRICTED_TEXT = "(restricted text, not shown)"
PAGE_SIZE = 100


def audit_trail_recorded() -> bool:
    """The triggers exist on PostgreSQL only: on SQLite nothing is recorded."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    model: str
    model_name: str
    object_id: str
    label: str
    user: object
    url: str
    task: str
    changes: list[Change]


def _changes(row) -> list[Change]:
    hidden = set(RESTRICTED_FIELDS.get(row.pgh_obj_model, ()))
    if row.pgh_label == "update" and row.pgh_diff:
        pairs = {field: tuple(values) for field, values in row.pgh_diff.items()}
    else:
        data = row.pgh_data or {}
        before_only = row.pgh_label == "delete"
        pairs = {field: (value, None) if before_only else (None, value) for field, value in data.items()}
    changes = []
    for field, (before, after) in sorted(pairs.items()):
        if field in hidden:
            before, after = (RESTRICTED_TEXT if before else before), (RESTRICTED_TEXT if after else after)
        changes.append(Change(field=field, before=before, after=after))
    return changes


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(
    *, model: str = "", user=None, since: date | None = None, until: date | None = None, limit: int = PAGE_SIZE
) -> list[AuditEvent]:
    """The latest changes, newest first, to one audited model or all of them, made by `user` (an
    account) and between two days inclusive, each optional (one query)."""
    if not audit_trail_recorded():
        return []
    labels = [AUDITED_MODELS[model]] if model else list(AUDITED_MODELS.values())
    events = AuditEvents.objects.across(*(apps.get_model(label) for label in labels)).select_related("user")
    if user is not None:
        events = events.filter(user=user)
    if since:
        events = events.filter(pgh_created_at__gte=_day_start(since))
    if until:
        events = events.filter(pgh_created_at__lt=_day_start(until + timedelta(days=1)))
    return [
        AuditEvent(
            at=row.pgh_created_at,
            model=row.pgh_obj_model,
            model_name=MODEL_NAMES.get(row.pgh_obj_model, row.pgh_obj_model),
            object_id=row.pgh_obj_id,
            label=row.pgh_label,
            user=row.user,
            url=row.url or "",
            task=row.task or "",
            changes=_changes(row),
        )
        for row in events.order_by("-pgh_created_at", "-pgh_id")[:limit]
    ]
