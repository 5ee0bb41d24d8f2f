"""Engagement analytics: reads only, for a neighbourhood, a division or the whole force.

Every figure is aggregated in the database, by month and meeting type (and area, for the
side-by-side pages), so a page costs the same few queries however many meetings there are.
Python only adds those grouped rows up into months, methods and totals.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext

from accounts.policy import scope_for
from accounts.roles import ScopeLevel
from meetings.models import (
    MULTI_AGENCY,
    EngagementMode,
    Meeting,
    MeetingStatus,
    MeetingType,
    OfficerAttendance,
    mode_of,
)
from meetings.selectors import rank_costs
from neighbourhoods.models import Division, Force, Neighbourhood
from pact_portal.databases.routers import replica_reads

ANALYTICS_PERIODS = (6, 12, 18)
DEFAULT_PERIOD = 12
# Durham's 2018 PACT review (D47) found meetings "at which fewer than five (and sometimes zero)
# people were in attendance" commonplace; the Neighbourhood Alert case study (N13) calls the
# same problem "the same vocal few". Counted: meetings fewer than five of the public attend in person.
FEW_PEOPLE = 5

_HOURS = DecimalField(max_digits=12, decimal_places=2)


# "Multi-agency meetings held", wherever the portal shows it (these pages and the highlight and
# headline return): the meetings of the PACT multi-agency group, i.e. panel / tasking meetings.
# HMIC (H702) asks for "the number of PACT meetings and multi-agency group meetings held" as two
# counts, so a public PACT or street meeting that a council officer attends stays a PACT meeting:
# counting it here too would count one meeting as both, and break the return's own list by type.
def _multi_agency_means() -> str:
    # Translators: joins the names of meeting types, as in “Panel” or “Tasking”.
    kinds = gettext(" or ").join(f"“{t.label}”" for t in MeetingType if t in MULTI_AGENCY)
    return gettext(
        "Multi-agency meetings held: the meetings of the PACT multi-agency group, that is meetings recorded as "
        "%(kinds)s. A public PACT, street or other meeting that partners attend counts as that kind of meeting,"
        " not as a multi-agency one."
    ) % {"kinds": kinds}


# Lazy, so each page words it in its reader's language.
MULTI_AGENCY_MEANS = lazy(_multi_agency_means, str)()


def multi_agency_held(row: dict) -> int:
    """Of a grouped row of held meetings (its meeting_type and held count), how many are multi-agency."""
    return row["held"] if row["meeting_type"] in MULTI_AGENCY else 0


@dataclass(frozen=True)
class Period:
    """Whole calendar months in UK time, oldest first."""

    months: tuple[date, ...]

    @property
    def start(self) -> datetime:
        return _local_midnight(self.months[0])

    @property
    def end(self) -> datetime:
        """Exclusive: midnight at the start of the month after the last one."""
        return _local_midnight(_next_month(self.months[-1]))

    @property
    def first(self) -> date:
        return self.months[0]

    @property
    def last(self) -> date:
        return self.months[-1]


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def period_of_full_months(*, months: int = DEFAULT_PERIOD, now: datetime | None = None) -> Period:
    """The last `months` calendar months, ending with the current one so far: an officer who has
    just recorded a meeting sees it counted straight away."""
    this_month = timezone.localdate(now or timezone.now()).replace(day=1)
    index = this_month.year * 12 + this_month.month - 1
    return Period(months=tuple(date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)))


def _quantize(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class Tally:
    """Figures for a set of held meetings (a month, a method, an area, or all of them)."""

    held: int = 0
    public_in_person: int = 0
    online_live: int = 0
    online_later: int = 0
    # Held meetings people could walk into (in person or hybrid): the ones the "fewer than five" rule looks at.
    in_person_held: int = 0
    fewer_than_five: int = 0
    multi_agency: int = 0
    officer_hours: Decimal = Decimal("0")
    estimated_cost: Decimal = Decimal("0")

    @property
    def people_reached(self) -> int:
        return self.public_in_person + self.online_live + self.online_later

    @property
    def fewer_than_five_share(self) -> Decimal | None:
        """Percentage of in-person and hybrid meetings with fewer than five of the public there."""
        if not self.in_person_held:
            return None
        return _quantize(Decimal(100 * self.fewer_than_five) / self.in_person_held, "0.1")

    @property
    def average_reach(self) -> Decimal | None:
        if not self.held:
            return None
        return _quantize(Decimal(self.people_reached) / self.held, "0.1")

    @property
    def cost_per_person(self) -> Decimal | None:
        if not self.people_reached:
            return None
        return _quantize(self.estimated_cost / self.people_reached, "0.01")

    def add_meetings(self, row: dict) -> None:
        self.held += row["held"]
        self.public_in_person += row["public_in_person"]
        self.online_live += row["online_live"]
        self.online_later += row["online_later"]
        if mode_of(row["meeting_type"]) != EngagementMode.ONLINE:
            self.in_person_held += row["held"]
            self.fewer_than_five += row["fewer_than_five"]
        self.multi_agency += multi_agency_held(row)

    def add_hours(self, *, hours: Decimal, cost: Decimal) -> None:
        self.officer_hours += hours
        self.estimated_cost += cost


@dataclass
class MonthFigures(Tally):
    month: date = date.min
    held_by_type: dict[str, int] = field(default_factory=dict)
    # held_by_type in the order of EngagementAnalytics.meeting_types, for a table row.
    type_counts: list[int] = field(default_factory=list)


@dataclass
class EngagementAnalytics:
    period: Period
    months: list[MonthFigures]
    by_mode: dict[EngagementMode, Tally]
    total: Tally
    # The types held at least once in the period, in MeetingType order: the columns worth showing.
    meeting_types: list[MeetingType]

    @property
    def modes(self) -> list[tuple[EngagementMode, Tally]]:
        return list(self.by_mode.items())

    @property
    def type_totals(self) -> list[int]:
        return [sum(m.held_by_type.get(t, 0) for m in self.months) for t in self.meeting_types]


@dataclass
class AreaEngagement:
    area: Neighbourhood | Division
    figures: EngagementAnalytics


@dataclass
class AreaComparison:
    """A division's neighbourhoods, or a force's divisions, side by side, with the figures for all of them."""

    figures: EngagementAnalytics
    areas: list[AreaEngagement]

    @property
    def by_month(self) -> list[tuple[date, list[MonthFigures]]]:
        """Each month with every area's figures for it, in the order of `areas`."""
        return [
            (month, [row.figures.months[i] for row in self.areas]) for i, month in enumerate(self.figures.period.months)
        ]


def held_meetings() -> QuerySet[Meeting]:
    # Drafts are excluded even with an outcome: only meetings the public could have known about count.
    return Meeting.objects.held().filter(status=MeetingStatus.PUBLISHED)


def _meeting_rows(*, meetings: QuerySet[Meeting], period: Period, area_key: str | None) -> list[dict]:
    keys = ["month", "meeting_type", *([area_key] if area_key else [])]
    return list(
        meetings.filter(starts_at__gte=period.start, starts_at__lt=period.end)
        .annotate(month=TruncMonth("starts_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values(*keys)
        .annotate(
            held=Count("pk"),
            public_in_person=Coalesce(Sum("public_attendees"), 0),
            online_live=Coalesce(Sum("online_live_viewers"), 0),
            online_later=Coalesce(Sum("online_later_views"), 0),
            # An outcome recorded with no in-person figure means nobody from the public was counted.
            fewer_than_five=Count("pk", filter=Q(public_attendees__isnull=True) | Q(public_attendees__lt=FEW_PEOPLE)),
        )
    )


def _hour_rows(*, meetings: QuerySet[Meeting], period: Period, area_key: str | None) -> list[dict]:
    keys = ["month", "meeting_type", "rank", *([f"meeting__{area_key}"] if area_key else [])]
    in_period = meetings.filter(starts_at__gte=period.start, starts_at__lt=period.end)
    return list(
        OfficerAttendance.objects.filter(meeting__in=in_period.values("pk"))
        .annotate(
            month=TruncMonth("meeting__starts_at", tzinfo=timezone.get_current_timezone()),
            meeting_type=F("meeting__meeting_type"),
        )
        .order_by()
        .values(*keys)
        .annotate(hours=Sum(F("preparation_hours") + F("attending_hours") + F("follow_up_hours"), output_field=_HOURS))
    )


def _month_of(value: datetime | date) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value, timezone.get_current_timezone()) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def _build(*, period: Period, meeting_rows, hour_rows, costs: dict[str, Decimal]) -> EngagementAnalytics:
    months = {month: MonthFigures(month=month) for month in period.months}
    by_mode = {mode: Tally() for mode in EngagementMode}
    total = Tally()
    seen_types = set()
    for row in meeting_rows:
        month = months[_month_of(row["month"])]
        month.held_by_type[row["meeting_type"]] = month.held_by_type.get(row["meeting_type"], 0) + row["held"]
        seen_types.add(row["meeting_type"])
        for tally in (month, by_mode[mode_of(row["meeting_type"])], total):
            tally.add_meetings(row)
    for row in hour_rows:
        hours = row["hours"] or Decimal("0")
        # Costed at the rank recorded for the meeting; a rank with no rate costs nothing, as in meeting_figures.
        cost = hours * costs.get(row["rank"], Decimal("0"))
        for tally in (months[_month_of(row["month"])], by_mode[mode_of(row["meeting_type"])], total):
            tally.add_hours(hours=hours, cost=cost)
    meeting_types = [t for t in MeetingType if t in seen_types]
    for month in months.values():
        month.type_counts = [month.held_by_type.get(t, 0) for t in meeting_types]
    for tally in (*months.values(), *by_mode.values(), total):
        tally.estimated_cost = _quantize(tally.estimated_cost, "0.01")
    return EngagementAnalytics(
        period=period, months=list(months.values()), by_mode=by_mode, total=total, meeting_types=meeting_types
    )


@replica_reads()
def neighbourhood_engagement(*, neighbourhood: Neighbourhood, period: Period) -> EngagementAnalytics:
    """Three queries: the cost table, meetings by month and type, officer hours by month, type and rank.
    A town-wide meeting counts for every neighbourhood it covers; division and force totals (and
    their side-by-side columns) count it once, under the neighbourhood that hosts it."""
    meetings = held_meetings().for_neighbourhood(neighbourhood)
    return _build(
        period=period,
        meeting_rows=_meeting_rows(meetings=meetings, period=period, area_key=None),
        hour_rows=_hour_rows(meetings=meetings, period=period, area_key=None),
        costs=rank_costs(),
    )


def _compare(*, meetings: QuerySet[Meeting], areas: list, area_key: str, period: Period) -> AreaComparison:
    meeting_rows = _meeting_rows(meetings=meetings, period=period, area_key=area_key)
    hour_rows = _hour_rows(meetings=meetings, period=period, area_key=area_key)
    costs = rank_costs()
    meetings_by_area, hours_by_area = defaultdict(list), defaultdict(list)
    for row in meeting_rows:
        meetings_by_area[row[area_key]].append(row)
    for row in hour_rows:
        hours_by_area[row[f"meeting__{area_key}"]].append(row)
    return AreaComparison(
        figures=_build(period=period, meeting_rows=meeting_rows, hour_rows=hour_rows, costs=costs),
        areas=[
            AreaEngagement(
                area=area,
                figures=_build(
                    period=period,
                    meeting_rows=meetings_by_area[area.pk],
                    hour_rows=hours_by_area[area.pk],
                    costs=costs,
                ),
            )
            for area in areas
        ],
    )


@replica_reads()
def division_engagement(*, division: Division, period: Period) -> AreaComparison:
    """The division's figures with its neighbourhoods side by side, in four queries."""
    return _compare(
        meetings=held_meetings().filter(neighbourhood__division=division),
        areas=list(Neighbourhood.objects.for_division(division).order_by("name")),
        area_key="neighbourhood_id",
        period=period,
    )


def force_divisions(*, force: Force) -> list[Division]:
    return list(Division.objects.filter(force=force).select_related("force").order_by("name"))


@replica_reads()
def force_engagement(*, force: Force, divisions: list[Division], period: Period) -> AreaComparison:
    """The force's figures with its divisions (from force_divisions) side by side, in three queries."""
    return _compare(
        meetings=held_meetings().filter(neighbourhood__division__force=force),
        areas=divisions,
        area_key="neighbourhood__division_id",
        period=period,
    )


def analytics_division_get(*, code: str, force_id: int | None) -> Division | None:
    divisions = Division.objects.select_related("force").filter(code=code)
    if force_id is not None:
        divisions = divisions.filter(force_id=force_id)
    return divisions.order_by("pk").first()


def analytics_force_for(*, user) -> Force | None:
    """The user's own force; a system administrator tied to none sees the first (usually only) one."""
    if user.force_id:
        return user.force
    if scope_for(user).level == ScopeLevel.FORCE and scope_for(user).force_ids is None:
        return Force.objects.order_by("name").first()
    return None


def analytics_first_neighbourhood(*, user) -> Neighbourhood | None:
    scope_filter = scope_for(user).neighbourhood_filter()
    if scope_filter is None:
        return None
    return Neighbourhood.objects.filter(**scope_filter).order_by("name").first()


def last_full_month(*, today: date | None = None) -> date:
    """The first day of the last whole month before today's (in UK time)."""
    first = (today or timezone.localdate()).replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def neighbourhoods_without_engagement(*, neighbourhoods, month: date) -> list[Neighbourhood]:
    """Of these neighbourhoods, those with no engagement recorded in the month: no held meeting
    that they host or that covers them (HMIC: every neighbourhood engages every month). One query."""
    ids = [n.pk for n in neighbourhoods]
    held = held_meetings().filter(
        starts_at__gte=_local_midnight(month), starts_at__lt=_local_midnight(_next_month(month))
    )
    hosted = held.filter(neighbourhood_id__in=ids).order_by().values_list("neighbourhood_id", flat=True)
    covered = (
        Meeting.also_covers.through.objects.filter(meeting__in=held.values("pk"), neighbourhood_id__in=ids)
        .order_by()
        .values_list("neighbourhood_id", flat=True)
    )
    engaged = set(hosted.union(covered)) if ids else set()
    return [n for n in neighbourhoods if n.pk not in engaged]
