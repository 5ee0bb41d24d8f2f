"""The scorecard's eight quarters, the places of its area, and the shape of one measure."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, CharField, Q, Value, When

from neighbourhoods.models import Neighbourhood, Ward
from reports.models import PeriodKind
from reports.periods import midnight, months_after, period_bounds, period_label

QUARTERS = 8
NOW, PREVIOUS, LAST_YEAR = QUARTERS - 1, QUARTERS - 2, QUARTERS - 5
COUNT, PERCENT = "count", "percent"


class QuarterWindow:
    """The eight quarters as UK-local [start, end) moments, named "q0" (oldest) to "q7"; it
    answers the same questions as reports.periods.PeriodWindow, so the return's builders take it."""

    kind = PeriodKind.QUARTER

    def __init__(self, *, day: date):
        last, _end = period_bounds(period_kind=PeriodKind.QUARTER, day=day)
        starts = [months_after(last, -3 * back) for back in range(QUARTERS - 1, -1, -1)]
        self.names = [f"q{i}" for i in range(QUARTERS)]
        self.dates = {
            name: (start, months_after(start, 3) - timedelta(days=1))
            for name, start in zip(self.names, starts, strict=True)
        }
        self.bounds = {name: (midnight(s), midnight(e + timedelta(days=1))) for name, (s, e) in self.dates.items()}

    @property
    def first_day(self) -> date:
        return self.dates[self.names[0]][0]

    @property
    def last_day(self) -> date:
        return self.dates[self.names[-1]][1]

    def within(self, field_name: str) -> Q:
        start, end = self.bounds[self.names[0]][0], self.bounds[self.names[-1]][1]
        return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})

    def case(self, field_name: str) -> Case:
        whens = [
            When(**{f"{field_name}__gte": s, f"{field_name}__lt": e}, then=Value(n))
            for n, (s, e) in self.bounds.items()
        ]
        return Case(*whens, default=None, output_field=CharField())

    def of(self, moment) -> str | None:
        return next((name for name, (s, e) in self.bounds.items() if s <= moment < e), None)

    def of_day(self, day: date) -> str | None:
        return next((name for name, (s, e) in self.dates.items() if s <= day <= e), None)

    def label(self, name: str) -> str:
        start, end = self.dates[name]
        return period_label(period_kind=PeriodKind.QUARTER, period_start=start, period_end=end)


class Places:
    """The area's neighbourhoods and wards (two queries), shaped as the return's builders expect."""

    def __init__(self, *, level: str, area):
        lookup = {"neighbourhood": {"pk": area.pk}, "division": {"division_id": area.pk}}.get(
            level, {"division__force_id": area.pk}
        )
        rows = list(
            Neighbourhood.objects.filter(**lookup)
            .order_by("division__name", "name")
            .values("pk", "code", "name", "division_id", "division__code", "division__name")
        )
        self.rows = rows
        self.neighbourhood_ids = [row["pk"] for row in rows]
        self.division_of = {row["pk"]: row["division_id"] for row in rows}
        self.division_ids = sorted(set(self.division_of.values()))
        self.neighbourhood_of = dict(
            Ward.objects.filter(neighbourhood_id__in=self.neighbourhood_ids).values_list("pk", "neighbourhood_id")
        )
        self.ward_ids = list(self.neighbourhood_of)


@dataclass
class Measure:
    key: str
    label: str
    values: list  # one per quarter, oldest first; None where the portal holds no figure
    source: str = ""
    unit: str = COUNT
    intervals: list = field(default_factory=list)  # survey shares: (low, high) or None per quarter
    notes: list = field(default_factory=list)  # survey shares: the changes, in words

    @property
    def now(self):
        return self.values[NOW]

    @property
    def previous(self):
        return self.values[PREVIOUS]

    @property
    def last_year(self):
        return self.values[LAST_YEAR]

    @property
    def interval_now(self):
        return self.intervals[NOW] if self.intervals else None

    @property
    def interval_previous(self):
        return self.intervals[PREVIOUS] if self.intervals else None

    @property
    def interval_last_year(self):
        return self.intervals[LAST_YEAR] if self.intervals else None


@dataclass
class Section:
    title: str
    measures: list[Measure]
