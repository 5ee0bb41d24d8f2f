"""Test data for returns, built straight on the models with explicit dates, so a test can say by
hand what each figure must be.

The building blocks (held_meeting, priority, member, sent_alert, responses …) make one row each.
`division_month(world)` uses them to fill East Division's October 2026, its September and its
October 2025 (the two comparison periods) with a known mix, and West Division with data that
must never reach East's figures; DIVISION_MONTH below lists what it makes.
"""

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.roles import Role
from meetings.models import MeetingStatus, MeetingType, OfficerAttendance, PartnerAttendance, RankHourlyCost
from messaging.models import (
    Alert,
    AlertStatus,
    ChannelStatus,
    Delivery,
    DeliveryStatus,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
)
from priorities.models import Action, ActionStatus, Category, Issue, Priority, PriorityEvent, PriorityState
from surveys.models import Answer, Response, ResponseSource, WardPopulation
from tests.factories import PartnerAgencyFactory
from tests.meetings.factories import MeetingFactory
from tests.surveys.factories import survey as make_survey

LONDON = ZoneInfo("Europe/London")
OCTOBER = date(2026, 10, 1)
# While the October 2026 return is being written: after the period, before it is due.
NOVEMBER_3RD = datetime(2026, 11, 3, 12, 0, tzinfo=LONDON)
# Hourly costs the hand calculations use (the migration's defaults are the force's to change).
COSTS = {Role.PCSO: "30", Role.SERGEANT: "50", Role.INSPECTOR: "100"}

_numbers = itertools.count(1)


def at(day: date, hour: int = 19, minute: int = 0) -> datetime:
    """A UK local time on `day`."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def set_rank_costs(costs: dict | None = None) -> None:
    for role, cost in (costs or COSTS).items():
        RankHourlyCost.objects.update_or_create(role=role, defaults={"hourly_cost": Decimal(cost)})


def held_meeting(
    world,
    *,
    starts_at: datetime,
    neighbourhood=None,
    meeting_type: str = MeetingType.PUBLIC_PACT,
    public: int | None = None,
    live: int | None = None,
    later: int | None = None,
    officers=(),
    partners=(),
    status: str = MeetingStatus.PUBLISHED,
    recorded: bool = True,
):
    """A meeting with its outcome recorded (unless `recorded=False`). `officers` are
    (user, rank, preparation, attending, follow-up hours); `partners` are agency names."""
    linked = meeting_type in (MeetingType.ONLINE, MeetingType.HYBRID)
    extra = {"cancellation_reason": "The venue flooded."} if status == MeetingStatus.CANCELLED else {}
    meeting = MeetingFactory(
        neighbourhood=neighbourhood or world.daneshouse,
        meeting_type=meeting_type,
        online_url="https://meet.example.org/pact" if linked else "",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        status=status,
        created_by=world.pcso,
        outcome_recorded_at=starts_at + timedelta(hours=2) if recorded else None,
        public_attendees=public,
        online_live_viewers=live,
        online_later_views=later,
        **extra,
    )
    for officer, rank, *hours in officers:
        prep, attend, follow = (Decimal(h) for h in hours)
        OfficerAttendance.objects.create(
            meeting=meeting, officer=officer, rank=rank, preparation_hours=prep, attending_hours=attend,
            follow_up_hours=follow,
        )  # fmt: skip
    for name in partners:
        PartnerAttendance.objects.create(meeting=meeting, agency=PartnerAgencyFactory(name=name), people=2)
    return meeting


def priority(
    world,
    *,
    created_at: datetime,
    state: str = PriorityState.PROPOSED,
    neighbourhood=None,
    title: str = "",
    supporters=(),
    moves=(),
):
    """A priority as its history left it: `moves` are (verb, when) PriorityEvents after the
    proposal; `supporters` makes one linked issue per number, each raised by that many residents."""
    neighbourhood = neighbourhood or world.daneshouse
    made = Priority.objects.create(
        neighbourhood=neighbourhood,
        title=title or f"Priority {next(_numbers)}",
        category=Category.ASB,
        state=state,
        public_problem="Residents told us about it.",
        not_adopted_reason="Not for PACT." if state == PriorityState.NOT_ADOPTED else "",
        proposed_by=world.pcso,
        created_at=created_at,
        state_changed_at=moves[-1][1] if moves else created_at,
    )
    made.wards.set(neighbourhood.wards.all())
    events = [("propose", created_at), *moves]
    PriorityEvent.objects.bulk_create(
        PriorityEvent(priority=made, actor=world.sergeant, verb=v, at=w) for v, w in events
    )
    ward = neighbourhood.wards.first()
    for n in supporters:
        Issue.objects.create(
            neighbourhood=neighbourhood, ward=ward, category=Category.ASB, description="Noise.", supporters=n,
            priority=made, status="linked", created_at=created_at,
        )  # fmt: skip
    return made


def action(world, made, *, due_date: date, status: str = ActionStatus.OPEN):
    return Action.objects.create(
        priority=made, description="Patrol the rec.", owner_officer=world.pcso, due_date=due_date, status=status
    )


def member(
    world,
    *,
    consent_at: datetime,
    ward=None,
    confirmed_at: datetime | None = None,
    status: str = ChannelStatus.ACTIVE,
    unsubscribed_at: datetime | None = None,
    source: str = SignUpSource.ONLINE,
    **fields,
) -> Subscriber:
    """An In the Know subscriber with one email channel (confirmed when `confirmed_at` is given)."""
    if source == SignUpSource.FIELD:
        fields.setdefault("consent_taken_by", world.pcso)
    if fields.get("age_band") or fields.get("ethnic_group"):
        fields.setdefault("demographics_consent_at", consent_at)
    person = Subscriber.objects.create(
        ward=ward or world.daneshouse.wards.first(), consent_at=consent_at, source=source, **fields
    )
    SubscriberChannel.objects.create(
        subscriber=person,
        channel="email",
        address=f"member{next(_numbers)}@example.org",
        status=status if confirmed_at else ChannelStatus.PENDING,
        confirmed_at=confirmed_at,
        unsubscribed_at=unsubscribed_at,
    )
    return person


def sent_alert(world, *, released_at: datetime, level: str = "neighbourhoods", status=AlertStatus.SENT, **area):
    """A released alert; `area` names its wards, neighbourhoods or divisions (lists)."""
    made = Alert.objects.create(
        force=world.force, created_by=world.pcso, audience_level=level, title="Sheds broken into",
        body="Lock your shed.", status=status, released_at=released_at,
    )  # fmt: skip
    for name, objects in area.items():
        getattr(made, name).set(objects)
    return made


def deliver(made, person, *, status=DeliveryStatus.DELIVERED, opened=False, clicked=False) -> Delivery:
    when = made.released_at
    return Delivery.objects.create(
        alert=made, subscriber=person, channel="email", status=status, queued_at=when,
        opened_at=when if opened else None, clicked_at=when if clicked else None,
    )  # fmt: skip


def responses(made, *, ward, submitted_at: datetime, answers: list[dict]) -> list[Response]:
    """One response per dict, mapping a bank key to an option value (missing key: not answered)."""
    made_responses = []
    for given in answers:
        response = Response.objects.create(
            survey=made, source=ResponseSource.OPEN, submitted_at=submitted_at, ward=ward
        )
        for key, value in given.items():
            question = made.questions.get(bank_key=key)
            Answer.objects.create(response=response, question=question, option=question.options.get(value=value))
        made_responses.append(response)
    return made_responses


def population(ward, *, category: str = "age_band", **groups: int) -> None:
    """Census counts for a ward: population(ward, **{"16-24": 300, "50-64": 700})."""
    WardPopulation.objects.bulk_create(
        WardPopulation(ward=ward, category=category, group=group, count=n, source="Test census")
        for group, n in groups.items()
    )


DIVISION_MONTH = """
Meetings, East (costs PCSO £30, sergeant £50, inspector £100 an hour):
  A  5 Oct Daneshouse  PACT public   12 in person        PCSO 1+1+1 h, sergeant 0.5+2+0.5 h
  B 12 Oct Daneshouse  online        30 live, 200 later  PCSO 1+1+1 h
  C 20 Oct Daneshouse  street        3 in person, the council there
  D 22 Oct Queensgate  panel         no public figure    inspector 0.5+1+0.5 h
  K  1 Oct 00:30 BST (30 Sep in UTC) Daneshouse PACT public 8 in person
  not held: E cancelled 25 Oct, F draft with an outcome 26 Oct, G published without one 27 Oct
  outside: N 1 Nov 00:30; H Fleetwood (West) 10 Oct, 50 in person
  September: I 15 Sep hybrid 7 in person, 5 live, 10 later; L 30 Sep 23:30 PACT public 4 in person
  October 2025: M 14 Oct 2025 PACT public 20 in person
Priorities, East:
  P1 Daneshouse 3 Oct 2026, agreed 5 Oct, escalated 20 Oct; issues of 5 and 9 residents
  P2 Daneshouse 2 Jun 2026, agreed 10 Jun, resolved 10 Oct, signed off 28 Oct
  P3 Daneshouse 20 Sep 2026, agreed 25 Sep; actions: open due 15 Oct, in progress due 31 Oct,
     done due 1 Oct
  P4 Queensgate 15 Oct 2026, proposed; an issue of 3 residents
  P6 Daneshouse 2 Nov 2026 (after the month), proposed
  P7 Daneshouse 8 Oct 2025, agreed 9 Oct 2025, in action; action open due 1 Jan 2026
  P8 Daneshouse 1 Aug 2026, resolved 5 Aug; action open due 1 Sep (the priority is closed)
  West: P5 Fleetwood 4 Oct 2026, agreed 6 Oct
In the Know, East (one email channel each):
  S1 Daneshouse signed up and confirmed 1 Jun 2025, active
  S2 Daneshouse field sign-up 5 Oct 2026, confirmed, active
  S3 Daneshouse signed up 10 Oct 2026, never confirmed
  S4 Queensgate 1 Mar 2026 confirmed, unsubscribed 20 Oct 2026
  S5 Queensgate signed up 10 Sep 2026, confirmed 12 Sep, active
  S7 Daneshouse confirmed 1 Jan 2024, undeliverable (no date recorded)
  S8 Daneshouse signed up 28 Sep 2026, confirmed 2 Oct, active
  West: S6 Pharos 6 Oct 2026, active
Alerts (sent unless said): AL1 6 Oct to Daneshouse (S1 delivered and opened, S2 delivered,
  opened and clicked, S8 failed); AL2 15 Oct force-wide (S5 delivered); AL3 16 Oct to East and to
  Daneshouse; AL4 17 Oct to Pharos (West); AL5 18 Oct to Daneshouse, cancelled; AL6 20 Sep to
  Queensgate's ward.
Survey responses, East: 12 in Daneshouse on 14 Oct (good job: 3 excellent, 6 good, 3 poor; after
  dark: 5 very safe, 1 fairly safe, 6 a bit unsafe; in the day, 11 answered: 8 very safe,
  3 a bit unsafe); 4 in September (suppressed); 1 in Queensgate on 2 Nov. West: 2 in Pharos in October.
"""


@dataclass
class DivisionMonth:
    """What division_month made, by the names in DIVISION_MONTH."""

    meetings: dict = field(default_factory=dict)
    priorities: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    alerts: dict = field(default_factory=dict)
    survey: object = None


def division_month(world) -> DivisionMonth:
    """East Division's October 2026, with its comparison periods and West's distractions (see DIVISION_MONTH)."""
    set_rank_costs()
    made = DivisionMonth()
    _meetings(world, made)
    _priorities(world, made)
    _members(world, made)
    _alerts(world, made)
    _survey(world, made)
    return made


def _meetings(world, made: DivisionMonth) -> None:
    oct_ = lambda day, *hm: at(date(2026, 10, day), *hm)  # noqa: E731
    pcso, sergeant, inspector = world.pcso, world.sergeant, world.inspector
    made.meetings = {
        "A": held_meeting(world, starts_at=oct_(5), public=12,
                          officers=[(pcso, Role.PCSO, 1, 1, 1), (sergeant, Role.SERGEANT, "0.5", 2, "0.5")]),
        "B": held_meeting(world, starts_at=oct_(12), meeting_type=MeetingType.ONLINE, live=30, later=200,
                          officers=[(pcso, Role.PCSO, 1, 1, 1)]),
        "C": held_meeting(world, starts_at=oct_(20), meeting_type=MeetingType.STREET, public=3,
                          partners=["Burnley Borough Council"]),
        "D": held_meeting(world, starts_at=oct_(22), neighbourhood=world.queensgate, meeting_type=MeetingType.PANEL,
                          officers=[(inspector, Role.INSPECTOR, "0.5", 1, "0.5")]),
        "K": held_meeting(world, starts_at=oct_(1, 0, 30), public=8),
        "E": held_meeting(world, starts_at=oct_(25), status=MeetingStatus.CANCELLED, recorded=False),
        "F": held_meeting(world, starts_at=oct_(26), public=40, status=MeetingStatus.DRAFT),
        "G": held_meeting(world, starts_at=oct_(27), recorded=False),
        "N": held_meeting(world, starts_at=at(date(2026, 11, 1), 0, 30), public=9),
        "H": held_meeting(world, starts_at=oct_(10), neighbourhood=world.fleetwood, public=50),
        "I": held_meeting(world, starts_at=at(date(2026, 9, 15)), meeting_type=MeetingType.HYBRID, public=7,
                          live=5, later=10),
        "L": held_meeting(world, starts_at=at(date(2026, 9, 30), 23, 30), public=4),
        "M": held_meeting(world, starts_at=at(date(2025, 10, 14)), public=20),
    }  # fmt: skip


def _priorities(world, made: DivisionMonth) -> None:
    S = PriorityState
    day = lambda y, m, d: at(date(y, m, d), 10)  # noqa: E731
    p = {
        "P1": priority(world, created_at=day(2026, 10, 3), state=S.ESCALATED, supporters=(5, 9), title="Off-road bikes",
                       moves=[("agree", day(2026, 10, 5)), ("escalate", day(2026, 10, 20))]),
        "P2": priority(world, created_at=day(2026, 6, 2), state=S.SIGNED_OFF, title="Fly-tipping",
                       moves=[("agree", day(2026, 6, 10)), ("start", day(2026, 6, 11)),
                              ("resolve", day(2026, 10, 10)), ("sign_off", day(2026, 10, 28))]),
        "P3": priority(world, created_at=day(2026, 9, 20), state=S.AGREED, title="Speeding on Burnley Road",
                       moves=[("agree", day(2026, 9, 25))]),
        "P4": priority(world, created_at=day(2026, 10, 15), neighbourhood=world.queensgate, supporters=(3,),
                       title="Parking at the school"),
        "P6": priority(world, created_at=day(2026, 11, 2), title="Graffiti"),
        "P7": priority(world, created_at=day(2025, 10, 8), state=S.IN_ACTION, title="Drug dealing in the park",
                       moves=[("agree", day(2025, 10, 9)), ("start", day(2025, 10, 10))]),
        "P8": priority(world, created_at=day(2026, 8, 1), state=S.RESOLVED, title="Litter",
                       moves=[("resolve", day(2026, 8, 5))]),
        "P5": priority(world, created_at=day(2026, 10, 4), neighbourhood=world.fleetwood, state=S.AGREED,
                       moves=[("agree", day(2026, 10, 6))]),
    }  # fmt: skip
    action(world, p["P3"], due_date=date(2026, 10, 15))
    action(world, p["P3"], due_date=date(2026, 10, 31), status=ActionStatus.IN_PROGRESS)
    action(world, p["P3"], due_date=date(2026, 10, 1), status=ActionStatus.DONE)
    action(world, p["P7"], due_date=date(2026, 1, 1))
    action(world, p["P8"], due_date=date(2026, 9, 1))
    made.priorities = p


def _members(world, made: DivisionMonth) -> None:
    daneshouse, queensgate = world.daneshouse.wards.get(), world.queensgate.wards.get()
    day = lambda y, m, d: at(date(y, m, d), 12)  # noqa: E731
    made.members = {
        "S1": member(world, consent_at=day(2025, 6, 1), confirmed_at=day(2025, 6, 1)),
        "S2": member(world, consent_at=day(2026, 10, 5), confirmed_at=day(2026, 10, 5), source=SignUpSource.FIELD),
        "S3": member(world, consent_at=day(2026, 10, 10)),
        "S4": member(world, ward=queensgate, consent_at=day(2026, 3, 1), confirmed_at=day(2026, 3, 1),
                     status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=day(2026, 10, 20)),
        "S5": member(world, ward=queensgate, consent_at=day(2026, 9, 10), confirmed_at=day(2026, 9, 12)),
        "S7": member(world, consent_at=day(2024, 1, 1), confirmed_at=day(2024, 1, 1),
                     status=ChannelStatus.UNDELIVERABLE),
        "S8": member(world, ward=daneshouse, consent_at=day(2026, 9, 28), confirmed_at=day(2026, 10, 2)),
        "S6": member(world, ward=world.fleetwood.wards.get(), consent_at=day(2026, 10, 6),
                     confirmed_at=day(2026, 10, 6)),
    }  # fmt: skip


def _alerts(world, made: DivisionMonth) -> None:
    day = lambda m, d: at(date(2026, m, d), 9)  # noqa: E731
    m = made.members
    made.alerts = {
        "AL1": sent_alert(world, released_at=day(10, 6), neighbourhoods=[world.daneshouse]),
        "AL2": sent_alert(world, released_at=day(10, 15), level="force"),
        "AL3": sent_alert(world, released_at=day(10, 16), level="divisions", divisions=[world.east],
                          neighbourhoods=[world.daneshouse]),
        "AL4": sent_alert(world, released_at=day(10, 17), level="wards", wards=[world.fleetwood.wards.get()]),
        "AL5": sent_alert(world, released_at=day(10, 18), neighbourhoods=[world.daneshouse],
                          status=AlertStatus.CANCELLED),
        "AL6": sent_alert(world, released_at=day(9, 20), level="wards", wards=[world.queensgate.wards.get()]),
    }  # fmt: skip
    deliver(made.alerts["AL1"], m["S1"], opened=True)
    deliver(made.alerts["AL1"], m["S2"], opened=True, clicked=True)
    deliver(made.alerts["AL1"], m["S8"], status=DeliveryStatus.FAILED)
    deliver(made.alerts["AL2"], m["S5"])


def _survey(world, made: DivisionMonth) -> None:
    made.survey = make_survey(world, bank=("police_good_job", "safe_after_dark", "safe_during_day"))
    good_job = ["excellent"] * 3 + ["good"] * 6 + ["poor"] * 3
    after_dark = ["very_safe"] * 5 + ["fairly_safe"] + ["bit_unsafe"] * 6
    by_day = ["very_safe"] * 8 + ["bit_unsafe"] * 3 + [None]
    october = [
        {"police_good_job": g, "safe_after_dark": a, **({"safe_during_day": d} if d else {})}
        for g, a, d in zip(good_job, after_dark, by_day, strict=True)
    ]
    daneshouse = world.daneshouse.wards.get()
    responses(made.survey, ward=daneshouse, submitted_at=at(date(2026, 10, 14)), answers=october)
    responses(
        made.survey, ward=daneshouse, submitted_at=at(date(2026, 9, 14)), answers=[{"police_good_job": "good"}] * 4
    )
    responses(made.survey, ward=world.queensgate.wards.get(), submitted_at=at(date(2026, 11, 2)), answers=[{}])
    responses(made.survey, ward=world.fleetwood.wards.get(), submitted_at=at(date(2026, 10, 14)), answers=[{}] * 2)
