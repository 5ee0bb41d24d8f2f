import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.policy import scope_for
from accounts.roles import POLICE_ROLES
from meetings.models import Meeting, MeetingStatus, OfficerAttendance, RankHourlyCost
from neighbourhoods.models import Neighbourhood, TeamMembership, Ward


@dataclass(frozen=True)
class MeetingFigures:
    """Officer time, cost and reach of one meeting."""

    officer_hours: Decimal
    estimated_cost: Decimal
    people_reached: int

    @property
    def cost_per_person(self) -> Decimal | None:
        if not self.people_reached:
            return None
        return (self.estimated_cost / self.people_reached).quantize(Decimal("0.01"))


def rank_costs() -> dict[str, Decimal]:
    return dict(RankHourlyCost.objects.values_list("role", "hourly_cost"))


def meeting_figures(*, meeting: Meeting, costs: dict[str, Decimal]) -> MeetingFigures:
    """Needs meeting.officer_attendance prefetched (or accepts the queries) and the cost table."""
    hours = Decimal("0")
    cost = Decimal("0")
    for row in meeting.officer_attendance.all():
        hours += row.total_hours
        cost += row.total_hours * costs.get(row.rank, Decimal("0"))
    return MeetingFigures(
        officer_hours=hours, estimated_cost=cost.quantize(Decimal("0.01")), people_reached=meeting.people_reached
    )


def with_figures(meetings: list[Meeting]) -> list[Meeting]:
    """Attach .figures to each meeting, with one query for the cost table."""
    costs = rank_costs()
    for meeting in meetings:
        meeting.figures = meeting_figures(meeting=meeting, costs=costs)
    return meetings


def _officer_attendance():
    return Prefetch("officer_attendance", queryset=OfficerAttendance.objects.select_related("officer"))


def meetings_for_user(*, user) -> QuerySet[Meeting]:
    """Every meeting in the user's area, ready for a list (no per-row queries)."""
    scope_filter = scope_for(user).neighbourhood_filter()
    if scope_filter is None:
        return Meeting.objects.none()
    neighbourhood_filter = {f"neighbourhood__{key}": value for key, value in scope_filter.items()}
    # A town-wide meeting hosted elsewhere is in the list of every neighbourhood it also covers.
    covering = Meeting.also_covers.through.objects.filter(**neighbourhood_filter).values("meeting_id")
    return (
        Meeting.objects.filter(Q(**neighbourhood_filter) | Q(pk__in=covering))
        .select_related("neighbourhood", "lead_officer", "series")
        .prefetch_related("wards", _officer_attendance())
    )


def meetings_for_api(*, user) -> QuerySet[Meeting]:
    """meetings_for_user, with the other neighbourhoods a town-wide meeting covers (one query more)."""
    return meetings_in_list_order(meetings_for_user(user=user)).prefetch_related("also_covers")


def meetings_in_list_order(meetings: QuerySet[Meeting], *, now=None) -> QuerySet[Meeting]:
    """What an officer looks for first: the next meetings, soonest first, then past ones, latest
    first. (Newest-first alone would open on a series' occurrences a year ahead.)"""
    now = now or timezone.now()
    past = Case(When(starts_at__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField())
    return meetings.annotate(is_past=past).order_by(
        "is_past",
        Case(When(starts_at__gte=now, then=F("starts_at"))).asc(),
        Case(When(starts_at__lt=now, then=F("starts_at"))).desc(),
        "pk",
    )


def meeting_detail_for_staff(*, pk: int) -> Meeting | None:
    return (
        Meeting.objects.select_related("neighbourhood__division__force", "lead_officer", "series", "created_by")
        .prefetch_related(
            "wards",
            "also_covers",
            "officers",
            "partners_invited",
            _officer_attendance(),
            "partner_attendance__agency",
            "issues_raised",
            "attachments",
        )
        .filter(pk=pk)
        .first()
    )


def officers_who_may_attend(*, meeting: Meeting) -> QuerySet:
    """Police officers who have served the meeting's neighbourhood (present or past)."""
    return User.objects.filter(
        pk__in=TeamMembership.objects.filter(neighbourhood=meeting.neighbourhood_id).values("user_id"),
        role__in=POLICE_ROLES,
    )


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    meetings: list[Meeting]


def month_calendar(*, meetings: QuerySet[Meeting], year: int, month: int) -> list[list[CalendarDay]]:
    """Weeks (Monday first, as in the UK) of days with their meetings, in one query."""
    tz = timezone.get_current_timezone()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start = timezone.make_aware(datetime.combine(weeks[0][0], datetime.min.time()), tz)
    end = timezone.make_aware(datetime.combine(weeks[-1][-1] + timedelta(days=1), datetime.min.time()), tz)
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at"):
        by_day.setdefault(timezone.localtime(meeting.starts_at, tz).date(), []).append(meeting)
    return [[CalendarDay(day=d, in_month=d.month == month, meetings=by_day.get(d, [])) for d in week] for week in weeks]


def _public_base() -> QuerySet[Meeting]:
    # Drafts never leave the building; cancelled meetings stay listed so nobody turns up to nothing.
    return (
        Meeting.objects.published().select_related("neighbourhood").prefetch_related("wards").defer("restricted_notes")
    )


def public_meetings(*, neighbourhood=None, ward=None, force=None) -> QuerySet[Meeting]:
    meetings = _public_base()
    if neighbourhood is not None:
        meetings = meetings.for_neighbourhood(neighbourhood)
    if ward is not None:
        meetings = meetings.filter(wards=ward)
    if force is not None:
        meetings = meetings.filter(neighbourhood__division__force=force)
    return meetings


def public_meeting_get(*, uid) -> Meeting | None:
    return (
        _public_base()
        .select_related("neighbourhood__division__force", "lead_officer")
        .prefetch_related("attachments")
        .filter(uid=uid)
        .first()
    )


def public_attachments(*, meeting: Meeting) -> list:
    return [a for a in meeting.attachments.all() if a.is_public]


def upcoming_and_past(*, meetings: QuerySet[Meeting], past_limit: int = 12) -> tuple[list[Meeting], list[Meeting]]:
    now = timezone.now()
    return list(meetings.upcoming(now=now)[:50]), list(
        meetings.past(now=now).exclude(status=MeetingStatus.CANCELLED)[:past_limit]
    )


def public_upcoming_for_neighbourhood(*, neighbourhood, limit: int = 3) -> list[Meeting]:
    """The next few public meetings for the neighbourhood page, in one query. Cancelled ones stay
    in, marked, so nobody turns up to nothing."""
    return list(
        Meeting.objects.published().for_neighbourhood(neighbourhood).upcoming().defer("restricted_notes")[:limit]
    )


def public_ward_get(*, code: str) -> Ward | None:
    return Ward.objects.select_related("neighbourhood", "district").defer("boundary").filter(code=code).first()


def team_for(*, neighbourhoods) -> QuerySet[User]:
    """Police officers currently on these neighbourhoods' teams: who may lead or staff a meeting
    (the page's form offers the same people)."""
    return User.objects.filter(
        pk__in=TeamMembership.objects.current().filter(neighbourhood__in=neighbourhoods).values("user_id"),
        role__in=POLICE_ROLES,
    )


def coverable_neighbourhoods(*, meeting: Meeting, editable) -> QuerySet:
    """What an edited meeting may also cover: neighbourhoods the editor may add meetings to, and
    those it covers already (kept, though the editor may not add meetings there)."""
    return (
        Neighbourhood.objects.filter(Q(pk__in=editable.values("pk")) | Q(meetings_shared=meeting))
        .exclude(pk=meeting.neighbourhood_id)
        .distinct()
        .order_by("name")
    )
