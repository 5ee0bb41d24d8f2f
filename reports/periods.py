"""The periods a return covers: a month or a calendar quarter, the one before it and the same one
a year earlier, as dates and as UK-local [start, end) moments; and the first month a force has
data for."""

from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from meetings.models import Meeting
from messaging.models import Subscriber
from priorities.models import Issue, Priority
from reports.models import HighlightReturn, PeriodKind

# The figure's own period, then the two it is compared with; the CASE labels rows with these.
VALUE, PREVIOUS, LAST_YEAR = "value", "previous", "last_year"
PERIODS = (VALUE, PREVIOUS, LAST_YEAR)


def months_after(day: date, months: int) -> date:
    """The first of the month `months` after (or before, if negative) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def closed_months(*, today: date, count: int) -> list[date]:
    """The firsts of the `count` months before `today`'s, newest first."""
    return [months_after(today, -back) for back in range(1, count + 1)]


def months_between(first: date, last: date) -> list[date]:
    """The firsts of every month from `first`'s to `last`'s, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = months_after(month, 1)
    return months


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def period_bounds(*, period_kind: str, day: date) -> tuple[date, date]:
    """The month, or calendar quarter, containing `day`: its first and last days."""
    if period_kind == PeriodKind.QUARTER:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return start, months_after(start, 3) - timedelta(days=1)
    start = day.replace(day=1)
    return start, months_after(start, 1) - timedelta(days=1)


def previous_period(*, period_kind: str, period_start: date) -> tuple[date, date]:
    months = 3 if period_kind == PeriodKind.QUARTER else 1
    return period_bounds(period_kind=period_kind, day=months_after(period_start, -months))


def same_period_last_year(*, period_kind: str, period_start: date) -> tuple[date, date]:
    return period_bounds(period_kind=period_kind, day=months_after(period_start, -12))


def period_label(*, period_kind: str, period_start: date, period_end: date) -> str:
    # The return's own label, so the figures and the return never name a period differently.
    return HighlightReturn(period_kind=period_kind, period_start=period_start, period_end=period_end).period_label


def force_data_start(*, force) -> date | None:
    """The first day of the month of the force's earliest meeting, priority, issue or sign-up:
    a return for a period before it would be a page of zeros (one query)."""
    in_force = {"neighbourhood__division__force": OuterRef("pk")}
    firsts = {
        "meeting": Subquery(Meeting.objects.filter(**in_force).order_by("starts_at").values("starts_at")[:1]),
        "priority": Subquery(Priority.objects.filter(**in_force).order_by("created_at").values("created_at")[:1]),
        "issue": Subquery(Issue.objects.filter(**in_force).order_by("created_at").values("created_at")[:1]),
        "subscriber": Subquery(
            Subscriber.objects.filter(ward__neighbourhood__division__force=OuterRef("pk"))
            .order_by("consent_at")
            .values("consent_at")[:1]
        ),
    }
    row = type(force).objects.filter(pk=force.pk).annotate(**firsts).values(*firsts).first() or {}
    moments = [timezone.localdate(moment) for moment in row.values() if moment is not None]
    return min(moments).replace(day=1) if moments else None


class PeriodWindow:
    """The three periods as aware datetimes, [start, end), in UK local time."""

    def __init__(self, *, period_kind: str, period_start: date, period_end: date):
        self.kind = period_kind
        self.dates = {
            VALUE: (period_start, period_end),
            PREVIOUS: previous_period(period_kind=period_kind, period_start=period_start),
            LAST_YEAR: same_period_last_year(period_kind=period_kind, period_start=period_start),
        }
        self.bounds = {
            name: (midnight(start), midnight(end + timedelta(days=1))) for name, (start, end) in self.dates.items()
        }

    def within(self, field: str) -> Q:
        return Q(*(Q(**{f"{field}__gte": s, f"{field}__lt": e}) for s, e in self.bounds.values()), _connector=Q.OR)

    def case(self, field: str) -> Case:
        whens = [
            When(**{f"{field}__gte": s, f"{field}__lt": e}, then=Value(name)) for name, (s, e) in self.bounds.items()
        ]
        return Case(*whens, default=None, output_field=CharField())

    def of(self, moment: datetime) -> str | None:
        return next((name for name, (s, e) in self.bounds.items() if s <= moment < e), None)

    def described(self, name: str) -> dict:
        start, end = self.dates[name]
        return {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "label": period_label(period_kind=self.kind, period_start=start, period_end=end),
        }
