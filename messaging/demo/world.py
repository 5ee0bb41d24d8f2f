"""The force's fixed facts (`World`) and the planned rows the other modules pass around."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from meetings.models import Meeting, MeetingStatus, MeetingType
from messaging.demo.data import DEMO_RESIDENT, LANDLINES, MOBILES, AlertText
from messaging.models import Alert, Interest, Subscriber
from neighbourhoods.models import Force, TeamMembership, Ward
from priorities.models import Priority, PriorityState


class Line:
    """One planned channel of a member: when it was confirmed and when (and how) it ended."""

    __slots__ = ("channel", "address", "start", "end", "ending", "last", "from_send", "accepts")

    def __init__(self, channel, address, start, end=None, ending=""):
        self.channel, self.address, self.start, self.end, self.ending = channel, address, start, end, ending
        self.accepts = "everything"  # what the member lets through this way (Accepts)
        self.last = None  # the last message it got before it ended
        self.from_send = None  # the alert whose message it was unsubscribed from

    def active_at(self, moment: datetime) -> bool:
        return self.start is not None and self.start <= moment and (self.end is None or moment < self.end)


@dataclass(eq=False)
class Person:
    subscriber: Subscriber
    ward_id: int
    interests: frozenset
    lines: list = field(default_factory=list)


@dataclass(eq=False)
class Send:
    """One planned alert: the Alert row, its wards, interests and channels, and its messages."""

    alert: Alert
    ward_ids: frozenset
    interest_ids: frozenset
    text: AlertText
    link: str
    area_m2m: tuple = ()  # ("neighbourhoods" | "divisions", [ids])
    messages: list = field(default_factory=list)


class Message:
    __slots__ = ("send", "person", "line", "status", "sent_at", "error", "row")

    def __init__(self, send, person, line, status, sent_at):
        self.send, self.person, self.line, self.status, self.sent_at = send, person, line, status, sent_at
        self.error, self.row = "", None


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, 28))


def aware(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class World:
    """The force's fixed facts, loaded in a handful of queries."""

    force: Force
    first_day: date
    as_of: datetime
    wards: list[Ward]
    interests: dict[str, int]
    teams: dict[int, list[tuple[int, date, date | None]]]
    chiefs: dict[int, int]
    hq: list[int]
    comms: int | None
    resident: str | None
    meetings: dict[int, list[dict]]
    priorities: dict[int, list[dict]]
    mobiles: list[str] = field(default_factory=lambda: list(MOBILES))
    landlines: list[str] = field(default_factory=lambda: list(LANDLINES))

    @classmethod
    def load(cls, force: Force, *, first_day: date, as_of: datetime) -> "World":
        wards = list(
            Ward.objects.filter(neighbourhood__division__force=force)
            .select_related("neighbourhood__division", "district")
            .defer("boundary", "neighbourhood__description", "neighbourhood__division__description")
            .order_by("code")
        )
        teams: dict[int, list] = {}
        rows = TeamMembership.objects.filter(
            neighbourhood__division__force=force, role__in=[Role.PCSO, Role.CONSTABLE, Role.SERGEANT]
        ).order_by("neighbourhood_id", "role", "start_date", "user_id")
        for m in rows.values("neighbourhood_id", "user_id", "start_date", "end_date"):
            teams.setdefault(m["neighbourhood_id"], []).append((m["user_id"], m["start_date"], m["end_date"]))
        staff = User.objects.filter(force=force, is_active=True).order_by("email")
        chiefs = dict(staff.filter(role=Role.CHIEF_INSPECTOR).values_list("division_id", "pk"))
        return cls(
            force=force, first_day=first_day, as_of=as_of, wards=wards,
            interests=dict(Interest.objects.values_list("slug", "pk")), teams=teams, chiefs=chiefs,
            hq=list(staff.filter(role=Role.HQ).values_list("pk", flat=True)),
            comms=staff.filter(role=Role.COMMUNICATIONS).values_list("pk", flat=True).first(),
            resident=User.objects.filter(email=DEMO_RESIDENT).values_list("email", flat=True).first(),
            meetings=_meetings(force, first_day=first_day, as_of=as_of),
            priorities=_priorities(force, first_day=first_day, as_of=as_of),
        )  # fmt: skip

    def team_member(self, neighbourhood_id: int, day: date, rng: random.Random) -> int | None:
        """An officer of the neighbourhood's team that day (or, failing that, any who served it)."""
        team = self.teams.get(neighbourhood_id, [])
        on_duty = [u for u, start, end in team if start <= day and (end is None or end >= day)]
        return rng.choice(on_duty or [u for u, _, _ in team]) if team else None


def _meetings(force: Force, *, first_day: date, as_of: datetime) -> dict[int, list[dict]]:
    """Public PACT meetings a reminder could have gone out for (four days ahead, before today)."""
    meetings: dict[int, list[dict]] = {}
    rows = Meeting.objects.filter(
        neighbourhood__division__force=force,
        meeting_type=MeetingType.PUBLIC_PACT,
        status=MeetingStatus.PUBLISHED,
        starts_at__gte=aware(first_day) + timedelta(days=5),
        starts_at__lt=as_of + timedelta(days=3),
    ).order_by("starts_at", "pk")
    for m in rows.values("pk", "uid", "neighbourhood_id", "title", "starts_at", "venue_name"):
        meetings.setdefault(m["neighbourhood_id"], []).append(m)
    return meetings


def _priorities(force: Force, *, first_day: date, as_of: datetime) -> dict[int, list[dict]]:
    priorities: dict[int, list[dict]] = {}
    rows = Priority.objects.filter(
        neighbourhood__division__force=force,
        state__in=[PriorityState.IN_ACTION, PriorityState.ESCALATED, PriorityState.RESOLVED, PriorityState.SIGNED_OFF],
        created_at__gte=aware(first_day),
        created_at__lt=as_of - timedelta(days=3),
    ).order_by("created_at", "pk")
    for p in rows.values("pk", "reference", "neighbourhood_id", "title", "created_at"):
        priorities.setdefault(p["neighbourhood_id"], []).append(p)
    return priorities
