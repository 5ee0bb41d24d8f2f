"""The demo force's In the Know: about 20,000 members and eighteen months of alerts.

Everything here is SYNTHETIC. Membership is deliberately skewed the way an opt-in scheme skews
until officers go out and sign up the households it misses (why Lancashire's officers targeted
under-represented households, per its engagement strategy): older, more affluent, suburban and
rural wards (Ribble Valley, Fylde, Wyre …) are over-represented and the inner-town wards
(Daneshouse with Stoneyholme, Bank Hall, Bastwell …) under-represented. A ward's take-up is its district's
factor times a lower one for the inner-town wards named below; the factors are invented, only
the ward and district names are real. About 8% of members were signed up in the field by their
neighbourhood's officers, more of them in the inner-town wards, as Lancashire did to redress it.

Alerts come from neighbourhood teams (some reminding people of a demo PACT meeting or reporting
on a demo priority), chief inspectors for their division, and HQ force-wide with the
communications office's approval. Deliveries are worked out alert by alert in time order, so a
member only gets what was sent while they were subscribed, and unsubscribes are attributed to
the last alert the member received.

Deterministic for a given `today` (every random stream is seeded from a fixed string), except
the secrets and references (delivery tokens, confirmation nonces, UUIDs): those stay random. Idempotent: a force that
already has subscribers or alerts is left alone. Written in bulk (COPY on PostgreSQL, executemany
on SQLite), so the ~100,000 rows add about five seconds to seed_demo.
"""

import math
import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from meetings.models import Meeting, MeetingStatus, MeetingType
from messaging.models import (
    Alert,
    AlertKind,
    AlertStatus,
    AudienceLevel,
    Channel,
    ChannelStatus,
    ConsentMethod,
    Delivery,
    DeliveryStatus,
    Feedback,
    Interest,
    LinkClick,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
)
from neighbourhoods.models import Force, TeamMembership, Ward
from pact_portal.site import absolute_url
from priorities.models import Priority, PriorityState

SEED = "pact-demo-messaging-1"
HISTORY_MONTHS = 18
# Members per resident before the skew; with the factors below the demo force gets ~20,000.
TAKE_UP = 0.0101
DISTRICT_TAKE_UP = {
    "E07000124": 1.9, "E07000119": 1.7, "E07000128": 1.45, "E07000126": 1.25, "E07000127": 1.2,
    "E07000118": 1.2, "E07000121": 1.0, "E07000125": 1.0, "E07000123": 0.8, "E07000122": 0.8,
    "E07000120": 0.75, "E06000009": 0.7, "E07000117": 0.7, "E06000008": 0.65,
}  # fmt: skip
INNER_TOWN_TAKE_UP = 0.45
INNER_TOWN_WARDS = {
    "E07000117": {"Daneshouse with Stoneyholme", "Bank Hall", "Trinity", "Gannow", "Queensgate",
                  "Rosegrove with Lowerhouse", "Rosehill with Burnley Wood"},
    "E06000008": {"Bastwell", "Audley", "Shear Brow", "Wensley Fold", "Little Harwood", "Queen's Park",
                  "Shadsworth with Whitebirk", "Mill Hill"},
    "E06000009": {"Bloomfield", "Claremont", "Talbot", "Brunswick", "Park", "Victoria", "Clifton"},
    "E07000123": {"St Matthew's", "Deepdale", "Town Centre", "Fishwick", "Ribbleton", "Tulketh", "Brookfield"},
    "E07000122": {"Whitefield", "Bradley", "Southfield", "Walverden", "Brierfield"},
    "E07000120": {"Spring Hill", "Central", "Barnfield", "Church", "Peel", "Milnshaw"},
    "E07000121": {"Poulton", "Harbour", "Heysham North", "Skerton West"},
    "E07000128": {"Pharos", "Mount"},
    "E07000127": {"Digmoor", "Tanhouse", "Birch Green", "Skelmersdale North", "Skelmersdale South"},
    "E07000125": {"Stacksteads"},
    "E07000118": {"Chorley East"},
}  # fmt: skip
FIELD_SHARE, INNER_TOWN_FIELD_SHARE = 0.06, 0.24
DEMO_RESIDENT = "resident@demo.pact.example"
FEATURED_WARD = "E05005155"
# Ofcom's numbers reserved for drama: never a real line, so a misconfigured SMS provider reaches nobody.
MOBILES = [f"+447700900{n:03d}" for n in range(1000)]
LANDLINES = [f"+441632960{n:03d}" for n in range(1000)] + [f"+441614960{n:03d}" for n in range(1000)]
AGE_BANDS = (("16-24", 3), ("25-34", 8), ("35-49", 18), ("50-64", 30), ("65-74", 25), ("75+", 12), ("not_said", 4))
ETHNIC_GROUPS = {
    False: (("white_british", 89), ("white_other", 3), ("white_irish", 2), ("asian_indian", 1.5),
            ("asian_pakistani", 1.5), ("mixed_white_asian", 1), ("other_any", 0.5), ("not_said", 1.5)),
    True: (("white_british", 44), ("asian_pakistani", 28), ("asian_bangladeshi", 8), ("asian_indian", 5),
           ("white_other", 5), ("black_african", 2), ("mixed_white_asian", 2), ("other_arab", 1),
           ("white_roma", 1), ("not_said", 4)),
}  # fmt: skip
INTEREST_CHANCE = {
    "emergency-alerts": 0.75, "burglary": 0.55, "scams": 0.4, "road-safety": 0.3, "pact-meetings": 0.25,
    "rural-crime": 0.1, "business-crime": 0.08, "allotment-watch": 0.06, "youth": 0.08, "recruitment": 0.04,
}  # fmt: skip
# Per message, by channel: (delivered, sent without a receipt); the rest failed.
OUTCOMES = {Channel.EMAIL: (0.88, 0.11), Channel.SMS: (0.96, 0.02), Channel.VOICE: (0.8, 0.0)}
FAILURES = {
    Channel.EMAIL: "Temporary failure: the receiving mail server did not answer after 5 attempts.",
    Channel.SMS: "Temporary failure: the phone was off or out of range until the message expired.",
    Channel.VOICE: "No answer after 3 attempts.",
}
UNDELIVERABLE = {
    Channel.EMAIL: "The mailbox does not exist (hard bounce).",
    Channel.SMS: "The number is not in service.",
    Channel.VOICE: "The number is not in service.",
}
SEND_RATE = {Channel.EMAIL: 100, Channel.SMS: 50, Channel.VOICE: 5}  # per second, as MESSAGING_RATE_LIMITS
ALERT_COUNTS = {"neighbourhood": 112, "division": 26, "force": 12}
MAIL_DOMAIN = "mail.demo.pact.example"  # reserved (.example): no demo address can reach anyone
MAIL_NAMES = ["amina", "ben", "carol", "dave", "ewa", "frank", "gill", "hassan", "irene", "jim", "kath", "les",
              "mary", "nasreen", "pat", "rob", "sue", "tariq", "val", "wendy"]  # fmt: skip
RURAL_DISTRICTS = frozenset({"E07000124", "E07000119", "E07000128", "E07000127", "E07000121"})
FORCE_SITE = "https://www.lancashire.police.uk/"
ACTION_FRAUD = "https://www.actionfraud.police.uk/"
STREETS = ["Church Street", "Victoria Road", "Station Road", "Park Road", "Mill Lane", "Manchester Road", "School Lane"]
K = AlertKind


@dataclass(frozen=True)
class AlertText:
    kind: str
    title: str
    body: str
    interests: tuple[str, ...] = ()
    sms: bool = False
    voice: bool = False
    link: str = FORCE_SITE
    rural: bool = False


ADVICE = "\n\nReport anything suspicious on 101, or 999 if a crime is happening now.\n\n[More advice]({link})"
NEIGHBOURHOOD_ALERTS = [
    AlertText(K.GENERAL, "Sheds and garages broken into around {street}",
              "Over the last week sheds and garages around {street} in {ward} have been broken into and bikes and "
              "tools taken.\n\n- Lock sheds and garages, and fit a shed alarm if you can.\n- Mark your tools with "
              "your postcode." + ADVICE, ("burglary",)),
    AlertText(K.GENERAL, "Cold callers offering roof repairs in {ward}",
              "Men calling at homes in {ward} are offering roof and gutter repairs, then asking for cash up front. "
              "Do not agree to work on the doorstep, and never go to the bank with a cold caller." + ADVICE,
              ("scams",), sms=True, link=ACTION_FRAUD),
    AlertText(K.APPEAL, "Appeal: catalytic converters stolen overnight in {ward}",
              "Catalytic converters were cut from *three* cars parked on {street} overnight. If you saw anyone "
              "under a car, or have doorbell or dashcam footage, please call 101." + ADVICE, sms=True),
    AlertText(K.GENERAL, "Speed checks on {street} this week",
              "You told us at the PACT meeting that drivers speed on {street}. Officers and Community Speedwatch "
              "volunteers will be checking speeds there this week." + ADVICE, ("road-safety",)),
    AlertText(K.GENERAL, "Quad bikes and farm machinery targeted",
              "Quad bikes and trailers have been stolen from farms around {ward}. Keep machinery out of sight, "
              "locked and marked, and tell us about vehicles watching farm yards." + ADVICE, ("rural-crime",),
              rural=True),
    AlertText(K.GENERAL, "Allotment sheds damaged off {street}",
              "Several allotment sheds off {street} were forced open at the weekend. Please check your plot and "
              "report any damage or missing tools." + ADVICE, ("allotment-watch",)),
    AlertText(K.APPEAL, "Appeal: did you see a car driven dangerously on {street}?",
              "A car was driven at speed along {street} on Saturday evening, narrowly missing a child. If you saw "
              "it, or have footage, please call 101." + ADVICE, sms=True),
    AlertText(K.GENERAL, "Tools stolen from vans in {ward}",
              "Vans have been broken into overnight in {ward} and power tools taken. Take tools out of vans "
              "overnight and park against a wall or fence." + ADVICE, ("business-crime",)),
    AlertText(K.GENERAL, "Friday youth club at the {ward} community centre",
              "The youth service and your neighbourhood team run a youth club every Friday evening at the {ward} "
              "community centre, for young people aged 11 to 17. Free, with sport and music." + ADVICE, ("youth",)),
    AlertText(K.GENERAL, "Doorstep scam: fake water board callers in {ward}",
              "People claiming to be from the water company are asking to come in and check the water. Always ask "
              "for identification and ring the company on a number you find yourself." + ADVICE, ("scams",),
              link=ACTION_FRAUD),
]  # fmt: skip
MEETING_REMINDER = AlertText(
    K.MEETING_REMINDER, "Your PACT meeting: {when}",
    "Come and tell us what matters in {neighbourhood}: {meeting} at {venue}, {when}. We will report back on the "
    "priorities agreed last time and agree what to work on next.\n\n[Meeting details]({link})", ("pact-meetings",),
)  # fmt: skip
PRIORITY_UPDATE = AlertText(
    K.PRIORITY_UPDATE, "Update on your priority: {priority}",
    "You asked us to work on this at a PACT meeting in {neighbourhood}. See what has been done so far and what "
    "happens next.\n\n[Read the update]({link})",
)  # fmt: skip
DIVISION_ALERTS = [
    AlertText(K.EMERGENCY, "Flood warning: take care near rivers tonight",
              "The Environment Agency has issued flood warnings for rivers across {division}. Do not walk or drive "
              "through flood water, and check on neighbours who may need help.\n\n[Flood advice]({link})",
              ("emergency-alerts",), sms=True, voice=True),
    AlertText(K.APPEAL, "Missing person: have you seen Jack, 14?",
              "Jack, 14, has not been seen since yesterday afternoon. He is slim, about 5ft 6in, and was wearing a "
              "grey hoodie. If you have seen him, call 101 quoting log 0412.\n\n[Appeal]({link})", sms=True),
    AlertText(K.GENERAL, "Burglaries are up across {division}: lock up before you go out",
              "Burglaries have risen across {division} in the last month, mostly through unlocked back doors. Lock "
              "doors and windows even when you are at home." + ADVICE, ("burglary",)),
    AlertText(K.GENERAL, "Courier fraud calls reported across {division}",
              "Fraudsters are ringing older residents pretending to be police officers and asking them to hand over "
              "bank cards. The police will never do this. Hang up and call 101 from another phone." + ADVICE,
              ("scams",), sms=True, voice=True, link=ACTION_FRAUD),
    AlertText(K.GENERAL, "Summer holiday activities for young people in {division}",
              "Free sport, music and days out for young people over the summer holidays, run with the youth "
              "service and partners across {division}." + ADVICE, ("youth",)),
    AlertText(K.GENERAL, "Farm thefts: quad bikes and trailers targeted across {division}",
              "Rural crime officers are seeing more thefts of quad bikes, trailers and fuel from farms. Mark and "
              "lock machinery and join Farm Watch." + ADVICE, ("rural-crime",)),
]  # fmt: skip
FORCE_ALERTS = [
    AlertText(K.GENERAL, "Courier fraud: the police will never ask for your bank card",
              "We will never ring you and ask you to hand over your bank card, PIN or cash. If someone does, hang "
              "up and call 101 from a different phone." + ADVICE, ("scams",), sms=True, voice=True, link=ACTION_FRAUD),
    AlertText(K.GENERAL, "We are recruiting police community support officers",
              "Want to make a difference where you live? Applications are open for PCSOs across the county."
              "\n\n[Find out more and apply]({link})", ("recruitment",)),
    AlertText(K.GENERAL, "Christmas drink and drug driving campaign",
              "Officers will be out day and night over Christmas and New Year. If you know someone is driving under "
              "the influence, call 999." + ADVICE, ("road-safety",)),
    AlertText(K.EMERGENCY, "Severe weather warning: stay safe and check on neighbours",
              "The Met Office has issued an amber warning for wind and heavy rain across the county tonight. Only "
              "travel if you must, and check on older neighbours.\n\n[Severe weather advice]({link})",
              ("emergency-alerts",), sms=True, voice=True),
    AlertText(K.GENERAL, "Bonfire night: keep it safe and legal",
              "Enjoy organised displays, keep fireworks away from children and report anti-social use of fireworks "
              "on 101." + ADVICE),
    AlertText(K.GENERAL, "Have your say on policing in your neighbourhood",
              "Tell your neighbourhood team what matters most where you live, at your next PACT meeting or online."
              "\n\n[Find your neighbourhood team]({link})", ("pact-meetings",)),
    AlertText(K.GENERAL, "Shop theft: help for local businesses",
              "Free crime prevention visits and a radio link scheme are available to shops across the county."
              + ADVICE, ("business-crime",)),
]  # fmt: skip
COMMENTS = {
    True: ["Thanks, I've put a new lock on the shed.", "Really useful, I've shared it with my neighbours.",
           "Good to know what is happening on our street.", "I came to the meeting because of this message.",
           "Please keep these coming.", "Checked on my elderly neighbour after reading this.",
           "Clear and to the point, thank you."],
    False: ["Too late: it happened two weeks ago.", "Not relevant to my street.", "Too many messages this week.",
            "The link did not open on my phone.", "I would rather have this by text."],
}  # fmt: skip


@dataclass(frozen=True)
class DemoMessagingSummary:
    created: int
    subscribers: int
    alerts: int
    deliveries: int


def ward_take_up(*, district_code: str, ward_name: str) -> float:
    """How keen a ward is on In the Know relative to the force (1.0), before any field sign-ups."""
    factor = DISTRICT_TAKE_UP.get(district_code, 1.0)
    return factor * (INNER_TOWN_TAKE_UP if is_inner_town(district_code=district_code, ward_name=ward_name) else 1)


def is_inner_town(*, district_code: str, ward_name: str) -> bool:
    return ward_name in INNER_TOWN_WARDS.get(district_code, ())


class _Line:
    """One planned channel of a member: when it was confirmed and when (and how) it ended."""

    __slots__ = ("channel", "address", "start", "end", "ending", "last", "from_send")

    def __init__(self, channel, address, start, end=None, ending=""):
        self.channel, self.address, self.start, self.end, self.ending = channel, address, start, end, ending
        self.last = None  # the last message it got before it ended
        self.from_send = None  # the alert whose message it was unsubscribed from

    def active_at(self, moment: datetime) -> bool:
        return self.start is not None and self.start <= moment and (self.end is None or moment < self.end)


@dataclass(eq=False)
class _Person:
    subscriber: Subscriber
    ward_id: int
    interests: frozenset
    lines: list = field(default_factory=list)


@dataclass(eq=False)
class _Send:
    """One planned alert: the Alert row, its wards, interests and channels, and its messages."""

    alert: Alert
    ward_ids: frozenset
    interest_ids: frozenset
    text: AlertText
    link: str
    area_m2m: tuple = ()  # ("neighbourhoods" | "divisions", [ids])
    messages: list = field(default_factory=list)


class _Message:
    __slots__ = ("send", "person", "line", "status", "sent_at", "error", "row")

    def __init__(self, send, person, line, status, sent_at):
        self.send, self.person, self.line, self.status, self.sent_at = send, person, line, status, sent_at
        self.error, self.row = "", None


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, 28))


def _aware(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


@transaction.atomic
def demo_messaging_seed(*, force: Force, today: date | None = None) -> DemoMessagingSummary:
    """Give the demo force its In the Know members and alert history, unless it has some already."""
    today = today or timezone.localdate()
    # As the meetings demo does: the start of `today`, so the output does not depend on the hour.
    as_of = min(_aware(today), timezone.now())
    in_force = Subscriber.objects.filter(ward__neighbourhood__division__force=force)
    if in_force.exists() or Alert.objects.filter(force=force).exists():
        return _summary(force, created=0)
    world = _World.load(force, first_day=_add_months(today, -HISTORY_MONTHS), as_of=as_of)
    people = [person for ward in world.wards for person in _plan_ward(world, ward)]
    sends = _plan_alerts(world)
    _simulate(world, people, sends)
    _write(world, people, sends)
    return _summary(force, created=len(people))


def _summary(force: Force, *, created: int) -> DemoMessagingSummary:
    return DemoMessagingSummary(
        created=created,
        subscribers=Subscriber.objects.filter(ward__neighbourhood__division__force=force).count(),
        alerts=Alert.objects.filter(force=force).count(),
        deliveries=Delivery.objects.filter(alert__force=force).count(),
    )


@dataclass
class _World:
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
    def load(cls, force: Force, *, first_day: date, as_of: datetime) -> "_World":
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
        starts_at__gte=_aware(first_day) + timedelta(days=5),
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
        created_at__gte=_aware(first_day),
        created_at__lt=as_of - timedelta(days=3),
    ).order_by("created_at", "pk")
    for p in rows.values("pk", "reference", "neighbourhood_id", "title", "created_at"):
        priorities.setdefault(p["neighbourhood_id"], []).append(p)
    return priorities


# --- members ----------------------------------------------------------------------------------------


def _plan_ward(world: _World, ward: Ward) -> list[_Person]:
    rng = random.Random(f"{SEED}:members:{ward.code}")  # noqa: S311 - demo data, not security
    district = ward.district.code if ward.district else ""
    inner = is_inner_town(district_code=district, ward_name=ward.name)
    expected = (ward.population or 0) * TAKE_UP * ward_take_up(district_code=district, ward_name=ward.name)
    count = math.floor(expected) + (rng.random() < expected % 1)
    rural = district in RURAL_DISTRICTS
    people = [_plan_person(world, ward, rng, n, inner=inner, rural=rural) for n in range(count)]
    if ward.code == FEATURED_WARD and world.resident:
        people.append(_plan_demo_resident(world, ward))
    return people


def _sign_up_time(world: _World, rng: random.Random, *, field_sign_up: bool) -> datetime:
    """Sign-ups grow over the 18 months: a third spread evenly, the rest rising steadily."""
    span = (world.as_of.date() - world.first_day).days
    fraction = rng.random() if rng.random() < 0.33 else math.sqrt(rng.random())
    day = world.first_day + timedelta(days=min(int(fraction * span), span - 1))
    if field_sign_up:  # on shift, on a weekday
        day -= timedelta(days=max(0, day.weekday() - 4))
        return _aware(day, rng.randint(10, 18), rng.randrange(0, 60, 5))
    return _aware(day, rng.randint(7, 22), rng.randint(0, 59))


def _plan_person(world: _World, ward: Ward, rng: random.Random, n: int, *, inner: bool, rural: bool) -> _Person:
    is_field = rng.random() < (INNER_TOWN_FIELD_SHARE if inner else FIELD_SHARE)
    consent_at = _sign_up_time(world, rng, field_sign_up=is_field)
    subscriber = Subscriber(
        ward_id=ward.pk,
        language=_language(rng, inner=inner),
        source=SignUpSource.FIELD if is_field else SignUpSource.ONLINE,
        consent_method=_consent_method(rng) if is_field else ConsentMethod.ONLINE_FORM,
        consent_at=consent_at,
        consent_taken_by_id=world.team_member(ward.neighbourhood_id, consent_at.date(), rng) if is_field else None,
    )
    if subscriber.source == SignUpSource.FIELD and subscriber.consent_taken_by_id is None:
        subscriber.source, subscriber.consent_method = SignUpSource.ONLINE, ConsentMethod.ONLINE_FORM
    # Field sign-ups are asked in person, so more of them describe themselves.
    if rng.random() < (0.45 if is_field else 0.2):
        subscriber.demographics_consent_at = consent_at
        subscriber.age_band = _pick(rng, AGE_BANDS)
        subscriber.ethnic_group = _pick(rng, ETHNIC_GROUPS[inner or is_field])
    older = subscriber.age_band in ("65-74", "75+")
    person = _Person(subscriber=subscriber, ward_id=ward.pk, interests=_interests(world, rng, rural=rural, older=older))
    email = f"{rng.choice(MAIL_NAMES)}.{ward.code[3:]}.{n}@{MAIL_DOMAIN}"
    person.lines = _plan_lines(world, rng, consent_at, email=email, field_sign_up=is_field, older=older)
    return person


def _language(rng: random.Random, *, inner: bool) -> str:
    roll = rng.random()
    if inner and roll < 0.12:
        return rng.choice(["ur", "ur", "pa", "bn", "gu"])
    return "pl" if roll > 0.985 else "en"


def _consent_method(rng: random.Random) -> str:
    return _pick(
        rng, ((ConsentMethod.DOORSTEP_VERBAL, 55), (ConsentMethod.DOORSTEP_SIGNED, 15), (ConsentMethod.EVENT, 30))
    )


def _interests(world: _World, rng: random.Random, *, rural: bool, older: bool) -> frozenset:
    chances = dict(INTEREST_CHANCE)
    if rural:
        chances["rural-crime"] = 0.45
    if older:
        chances["scams"] = 0.6
    # Draw for every interest, even one the database lacks (a test's flush empties the table the
    # data migration filled), so each member's later draws, and the surveys demo, come out the same.
    drawn = [slug for slug, chance in chances.items() if rng.random() < chance]
    chosen = {world.interests[slug] for slug in drawn if slug in world.interests}
    if not chosen and "emergency-alerts" in world.interests:
        chosen.add(world.interests["emergency-alerts"])
    return frozenset(chosen)


def _plan_lines(
    world: _World, rng: random.Random, consent_at: datetime, *, email: str, field_sign_up: bool, older: bool
):
    mobile = world.mobiles.pop() if world.mobiles and rng.random() < 0.06 else None
    landline = world.landlines.pop() if world.landlines and older and rng.random() < 0.12 else None
    wanted = []
    if rng.random() < 0.9 or not (mobile or landline):
        wanted.append((Channel.EMAIL, email))
    if mobile:
        wanted.append((Channel.SMS, mobile))
    if landline or (mobile and rng.random() < 0.2):
        wanted.append((Channel.VOICE, landline or mobile))
    lines = []
    for channel, address in wanted:
        if rng.random() < (0.1 if field_sign_up else 0.05):  # never confirmed
            lines.append(_Line(channel, address, None))
            continue
        start = consent_at + timedelta(minutes=rng.randint(2, 60 * 48 if channel == Channel.EMAIL else 30))
        lines.append(_plan_ending(world, rng, _Line(channel, address, start)))
    return lines


def _plan_ending(world: _World, rng: random.Random, line: _Line) -> _Line:
    roll = rng.random()
    if line.start < world.as_of and roll < 0.075:
        span = (world.as_of - line.start).total_seconds()
        line.end = line.start + timedelta(seconds=rng.uniform(0.05, 1) * span)
        line.ending = ChannelStatus.UNSUBSCRIBED if roll < 0.069 else ChannelStatus.UNDELIVERABLE
    return line


def _plan_demo_resident(world: _World, ward: Ward) -> _Person:
    """The demo's resident login is a member too, so their alerts are in the history."""
    consent_at = _aware(_add_months(world.as_of.date(), -10), 19, 30)
    subscriber = Subscriber(ward_id=ward.pk, consent_at=consent_at)
    slugs = ("burglary", "scams", "pact-meetings", "emergency-alerts")
    interests = frozenset(world.interests[s] for s in slugs if s in world.interests)
    line = _Line(Channel.EMAIL, DEMO_RESIDENT, consent_at + timedelta(minutes=12))
    return _Person(subscriber=subscriber, ward_id=ward.pk, interests=interests, lines=[line])


# --- alerts -----------------------------------------------------------------------------------------


def _plan_alerts(world: _World) -> list[_Send]:
    """~150 sent alerts from teams, chief inspectors and HQ, plus one draft and one awaiting approval."""
    rng = random.Random(f"{SEED}:alerts")  # noqa: S311 - demo data, not security
    areas: dict[int, list[Ward]] = {}
    for ward in world.wards:
        areas.setdefault(ward.neighbourhood_id, []).append(ward)
    featured = next((w.neighbourhood_id for w in world.wards if w.code == FEATURED_WARD), None)
    used: set = set()
    sends = []
    for n in range(ALERT_COUNTS["neighbourhood"]):
        # The featured neighbourhood, whose logins the README lists, gets a share worth looking at.
        key = featured if featured in areas and n % 16 == 0 else rng.choice(sorted(areas))
        sends.append(_neighbourhood_send(world, rng, areas[key], used))
    divisions = sorted({w.neighbourhood.division_id: w.neighbourhood.division for w in world.wards}.items())
    for _ in range(ALERT_COUNTS["division"] if divisions else 0):
        sends.append(_division_send(world, rng, rng.choice(divisions)[1]))
    for _ in range(ALERT_COUNTS["force"]):
        sends.append(_force_send(world, rng, rng.choice(FORCE_ALERTS)))
    sends = sorted((s for s in sends if s is not None), key=lambda s: (s.alert.released_at, s.alert.title))
    return sends + _unsent(world, rng, areas.get(featured) or [])


def _sent_time(world: _World, rng: random.Random) -> datetime:
    span = (world.as_of.date() - world.first_day).days - 15
    day = world.first_day + timedelta(days=14 + rng.randrange(max(span, 1)))
    day -= timedelta(days=max(0, day.weekday() - 4))  # office hours, on a weekday
    return _aware(day, rng.randint(9, 18), rng.randrange(0, 60, 5))


def _alert(world: _World, text: AlertText, *, author: int, at: datetime, level: str, **words) -> Alert:
    title = text.title.format(**words)[:150]
    words["link"] = words.get("link") or text.link
    body = text.body.format(**words)
    return Alert(
        force=world.force, kind=text.kind, title=title, body=body, audience_level=level,
        sms_text=f"Lancashire Police In the Know: {title}. Call 101 with information." if text.sms else "",
        voice_script=f"This is Lancashire Police with an In the Know message. {body.split(chr(10))[0]}"
        if text.voice else "",
        send_email=True, send_sms=text.sms, send_voice=text.voice, status=AlertStatus.SENT, created_by_id=author,
        released_at=at, fanout_completed_at=at + timedelta(seconds=_fan_out_seconds(title)),
    )  # fmt: skip


def _fan_out_seconds(title: str) -> int:
    """A fan-out time of one to three minutes that is the same for the same alert on every run."""
    return 60 + sum(map(ord, title)) % 120


def _spoken(moment: datetime) -> str:
    """ "Tuesday 15 September at 7pm", as a reminder would put it."""
    minutes = f".{moment.minute:02d}" if moment.minute else ""
    hour = f"{moment.hour % 12 or 12}{minutes}{'am' if moment.hour < 12 else 'pm'}"
    return f"{moment:%A} {moment.day} {moment:%B} at {hour}"


def _page(name: str, **kwargs) -> str:
    return absolute_url(reverse(name, kwargs=kwargs))


def _neighbourhood_send(world: _World, rng: random.Random, wards: list[Ward], used: set) -> _Send | None:
    nb = wards[0].neighbourhood
    ward, street = rng.choice(wards), rng.choice(STREETS)
    words = {"ward": ward.name, "street": street, "neighbourhood": nb.name}
    meetings = [m for m in world.meetings.get(nb.pk, []) if m["pk"] not in used]
    priorities = [p for p in world.priorities.get(nb.pk, []) if p["reference"] not in used]
    roll = rng.random()
    if meetings and roll < 0.3:
        meeting = rng.choice(meetings)
        used.add(meeting["pk"])
        starts = timezone.localtime(meeting["starts_at"])
        at = starts.replace(hour=10, minute=0) - timedelta(days=4)
        words |= {"when": _spoken(starts), "meeting": meeting["title"], "venue": meeting["venue_name"]}
        text, link, links = (
            MEETING_REMINDER,
            _page("meetings:public-detail", uid=meeting["uid"]),
            {"meeting_id": meeting["pk"]},
        )
    elif priorities and roll < 0.5:
        priority = rng.choice(priorities)
        used.add(priority["reference"])
        at = min(priority["created_at"] + timedelta(days=rng.randint(7, 60)), world.as_of - timedelta(hours=14))
        words["priority"] = priority["title"]
        text, link = PRIORITY_UPDATE, _page("priorities:public-detail", reference=priority["reference"])
        links = {"priority_id": priority["pk"]}
    else:
        rural = ward.district_id is not None and ward.district.code in RURAL_DISTRICTS
        choices = [t for t in NEIGHBOURHOOD_ALERTS if rural or not t.rural]
        text, at, links = rng.choice(choices), _sent_time(world, rng), {}
        link = text.link
    author = world.team_member(nb.pk, at.date(), rng)
    if author is None or at < _aware(world.first_day) or at >= world.as_of:
        return None
    alert = _alert(world, text, author=author, at=at, level=AudienceLevel.NEIGHBOURHOODS, link=link, **words)
    for name, value in links.items():
        setattr(alert, name, value)
    return _send(world, alert, text, link, frozenset(w.pk for w in wards), ("neighbourhoods", [nb.pk]))


def _send(world: _World, alert: Alert, text: AlertText, link: str, ward_ids, area_m2m=()) -> _Send:
    interests = frozenset(world.interests[s] for s in text.interests if s in world.interests)
    return _Send(alert=alert, ward_ids=ward_ids, interest_ids=interests, text=text, link=link, area_m2m=area_m2m)


def _division_send(world: _World, rng: random.Random, division) -> _Send | None:
    author = world.chiefs.get(division.pk)
    if author is None:
        return None
    text = rng.choice(DIVISION_ALERTS)
    alert = _alert(world, text, author=author, at=_sent_time(world, rng), level=AudienceLevel.DIVISIONS,
                   division=division.name)  # fmt: skip
    wards = frozenset(w.pk for w in world.wards if w.neighbourhood.division_id == division.pk)
    return _send(world, alert, text, text.link, wards, ("divisions", [division.pk]))


def _force_send(world: _World, rng: random.Random, text: AlertText) -> _Send | None:
    if not world.hq or world.comms is None:
        return None
    at = _sent_time(world, rng)
    alert = _alert(world, text, author=rng.choice(world.hq), at=at, level=AudienceLevel.FORCE)
    # Force-wide alerts go out under the force's name: the communications office approved each one.
    alert.approved_by_id, alert.approved_at = world.comms, at - timedelta(minutes=rng.randint(10, 90))
    return _send(world, alert, text, text.link, frozenset(w.pk for w in world.wards))


def _unsent(world: _World, rng: random.Random, featured_wards: list[Ward]) -> list[_Send]:
    """A draft in the featured neighbourhood and a force-wide alert waiting for approval."""
    unsent = []
    if featured_wards:
        nb = featured_wards[0].neighbourhood
        author = world.team_member(nb.pk, world.as_of.date(), rng)
        if author is not None:
            words = {"ward": featured_wards[0].name, "street": STREETS[0]}
            level = AudienceLevel.NEIGHBOURHOODS
            draft = _alert(world, NEIGHBOURHOOD_ALERTS[0], author=author, at=world.as_of, level=level, **words)
            unsent.append(
                _send(world, draft, NEIGHBOURHOOD_ALERTS[0], FORCE_SITE, frozenset(), ("neighbourhoods", [nb.pk]))
            )
            unsent[-1].alert.status = AlertStatus.DRAFT
    if world.hq and world.comms is not None:
        waiting = _alert(world, FORCE_ALERTS[4], author=world.hq[0], at=world.as_of, level=AudienceLevel.FORCE)
        waiting.status = AlertStatus.AWAITING_APPROVAL
        unsent.append(_send(world, waiting, FORCE_ALERTS[4], FORCE_SITE, frozenset()))
    for send in unsent:
        send.alert.released_at = send.alert.fanout_completed_at = None
    return unsent


# --- deliveries -------------------------------------------------------------------------------------


def _simulate(world: _World, people: list[_Person], sends: list[_Send]) -> None:
    """Send each alert, oldest first, to the channels active at that moment; then settle how each
    ended channel ended (an unsubscribe from the last alert it got, or a bounce on it)."""
    by_ward: dict[int, list[_Person]] = {}
    for person in people:
        by_ward.setdefault(person.ward_id, []).append(person)
    for n, send in enumerate(s for s in sends if s.alert.status == AlertStatus.SENT):
        _fan_out(send, by_ward, random.Random(f"{SEED}:send:{n}"))  # noqa: S311 - demo data, not security
    rng = random.Random(f"{SEED}:endings")  # noqa: S311 - demo data, not security
    for person in people:
        for line in person.lines:
            if line.ending == ChannelStatus.UNDELIVERABLE and line.last is not None:
                line.last.status, line.last.error = DeliveryStatus.FAILED, UNDELIVERABLE[line.channel]
            elif line.ending == ChannelStatus.UNSUBSCRIBED and _received(line.last) and rng.random() < 0.65:
                gap = (line.end - line.last.sent_at) / 2
                line.end = line.last.sent_at + min(gap, timedelta(minutes=rng.randint(5, 600)))
                line.from_send = line.last.send


def _received(message: _Message | None) -> bool:
    return message is not None and message.status != DeliveryStatus.FAILED


def _fan_out(send: _Send, by_ward: dict[int, list[_Person]], rng: random.Random) -> None:
    at, channels = send.alert.released_at, send.alert.channels
    counts = dict.fromkeys(channels, 0)
    for ward_id in sorted(send.ward_ids):
        for person in by_ward.get(ward_id, ()):
            if send.interest_ids and not person.interests & send.interest_ids:
                continue
            for line in person.lines:
                if line.channel in counts and line.active_at(at):
                    # Sent at the provider's rate, so a big alert takes minutes to go out, as it would.
                    sent_at = at + timedelta(seconds=90 + counts[line.channel] / SEND_RATE[line.channel])
                    counts[line.channel] += 1
                    delivered, sent = OUTCOMES[line.channel]
                    roll = rng.random()
                    status = DeliveryStatus.DELIVERED if roll < delivered else DeliveryStatus.SENT
                    message = _Message(send, person, line, status, sent_at)
                    if roll >= delivered + sent:
                        message.status, message.error = DeliveryStatus.FAILED, FAILURES[line.channel]
                    send.messages.append(message)
                    if line.end is not None:
                        line.last = message
    send.alert.audience_counts = counts
    last = max((m.sent_at for m in send.messages), default=send.alert.fanout_completed_at)
    send.alert.completed_at = last + timedelta(seconds=30)


# --- writing ----------------------------------------------------------------------------------------


def _write(world: _World, people: list[_Person], sends: list[_Send]) -> None:
    """Every row in bulk, parents first. The big tables bypass bulk_create (see _insert): its
    per-value preparation took fifteen seconds on these ~100,000 rows, three times the rest."""
    subscribers = [p.subscriber for p in people]
    for subscriber in subscribers:
        subscriber.created_at = subscriber.updated_at = subscriber.consent_at
    _insert(Subscriber, SUBSCRIBER_FIELDS, ([getattr(s, f) for f in SUBSCRIBER_FIELDS] for s in subscribers))
    ids = dict(
        Subscriber.objects.filter(ward__neighbourhood__division__force=world.force).values_list("reference", "pk")
    )
    for subscriber in subscribers:
        subscriber.pk = ids[subscriber.reference]
    Alert.objects.bulk_create([s.alert for s in sends])
    # Django stamps created_at on insert; a sent alert was written a while before it went.
    sent = Alert.objects.filter(force=world.force, released_at__isnull=False)
    sent.update(created_at=F("released_at") - timedelta(hours=2), updated_at=F("completed_at"))
    _write_alert_links(sends)
    _write_channels(people)
    rows = ((p.subscriber.pk, i) for p in people for i in sorted(p.interests))
    _insert(SubscriberInterest, ["subscriber_id", "interest_id"], rows)
    _write_deliveries(world, sends)


SUBSCRIBER_FIELDS = [
    "reference", "ward_id", "language", "source", "consent_method", "consent_at", "consent_taken_by_id",
    "demographics_consent_at", "age_band", "ethnic_group", "erased_at", "created_at", "updated_at",
    "manage_secret",
]  # fmt: skip


def _insert(model, names: list[str], rows) -> None:
    """INSERT rows (sequences of values in `names` order): by COPY on PostgreSQL, the fastest
    bulk path it has, and by executemany in chunks elsewhere (SQLite's driver loops in C)."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg adapts aware datetimes, UUIDs and booleans itself.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        prepare = [_preparer(f) for f in fields]
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 - model names
        for chunk in _chunks(rows, 5000):
            cursor.executemany(sql, [tuple(p(v) for p, v in zip(prepare, row, strict=True)) for row in chunk])


def _chunks(rows, size: int):
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _preparer(model_field):
    if isinstance(model_field, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ and not connection.settings_dict.get("TIME_ZONE"):
            # What Django's SQLite backend stores (naive UTC as text), without its per-value checks:
            # a third of the demo's writing time went on those.
            return lambda value: None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(model_field, models.UUIDField):
        return lambda value: model_field.get_db_prep_value(value, connection)
    return lambda value: value


def _write_alert_links(sends: list[_Send]) -> None:
    for name in ("neighbourhoods", "divisions", "interests"):
        relation = Alert._meta.get_field(name)
        through = relation.remote_field.through
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        rows = []
        for send in sends:
            level, area_ids = send.area_m2m or ("", [])
            ids = sorted(send.interest_ids) if name == "interests" else area_ids if level == name else []
            rows += [through(alert_id=send.alert.pk, **{target: pk}) for pk in ids]
        through.objects.bulk_create(rows)


CHANNEL_FIELDS = [
    "subscriber_id", "channel", "address", "status", "confirmation_secret", "confirmation_sent_at",
    "confirmation_attempts", "confirmed_at", "unsubscribed_at", "unsubscribed_from_alert_id", "status_reason",
]  # fmt: skip


def _write_channels(people: list[_Person]) -> None:
    rows = []
    for person in people:
        for line in person.lines:
            status = ChannelStatus.PENDING if line.start is None else line.ending or ChannelStatus.ACTIVE
            unsubscribed, pending = status == ChannelStatus.UNSUBSCRIBED, status == ChannelStatus.PENDING
            rows.append((
                person.subscriber.pk, line.channel, line.address, status,
                secrets.token_urlsafe(16) if pending and line.channel == Channel.EMAIL else "",
                person.subscriber.consent_at, 0, line.start, line.end if unsubscribed else None,
                line.from_send.alert.pk if unsubscribed and line.from_send else None,
                UNDELIVERABLE[line.channel] if status == ChannelStatus.UNDELIVERABLE else "",
            ))  # fmt: skip
    _insert(SubscriberChannel, CHANNEL_FIELDS, rows)


DELIVERY_FIELDS = [
    "alert_id", "subscriber_id", "channel", "status", "attempts", "token", "provider_id", "error", "queued_at",
    "claimed_at", "next_attempt_at", "sent_at", "delivered_at", "opened_at", "clicked_at",
]  # fmt: skip


def _write_deliveries(world: _World, sends: list[_Send]) -> None:
    rng = random.Random(f"{SEED}:engagement")  # noqa: S311 - demo data, not security
    deliveries, feedback, clicks = [], [], []
    for send in sends:
        for message in send.messages:
            row = _delivery(message)
            if message.status != DeliveryStatus.FAILED:
                _engage(world, rng, message, row, feedback, clicks)
            deliveries.append([row[name] for name in DELIVERY_FIELDS])
    _insert(Delivery, DELIVERY_FIELDS, deliveries)
    ids = dict(Delivery.objects.filter(alert__force=world.force).values_list("token", "pk"))
    feedback = [(ids[token], *row) for *row, token in feedback]
    _insert(Feedback, ["delivery_id", "useful", "acted_on", "comment", "created_at", "updated_at"], feedback)
    _insert(LinkClick, ["delivery_id", "url", "clicked_at"], [(ids[token], *row) for *row, token in clicks])


def _delivery(message: _Message) -> dict:
    at, failed = message.send.alert.released_at, message.status == DeliveryStatus.FAILED
    delivered = message.status == DeliveryStatus.DELIVERED
    return {
        "alert_id": message.send.alert.pk, "subscriber_id": message.person.subscriber.pk,
        "channel": message.line.channel, "status": message.status,
        "attempts": (5 if message.line.channel == Channel.EMAIL else 3) if failed else 1,
        "token": uuid.uuid4(), "provider_id": "", "error": message.error, "queued_at": at,
        "claimed_at": message.sent_at - timedelta(seconds=1), "next_attempt_at": None,
        "sent_at": None if failed else message.sent_at,
        "delivered_at": message.sent_at + timedelta(seconds=4) if delivered else None,
        "opened_at": None, "clicked_at": None,
    }  # fmt: skip


def _engage(world: _World, rng: random.Random, message: _Message, row: dict, feedback: list, clicks: list) -> None:
    """Opens and clicks on emails, and "was this useful?" answers, at believable rates."""
    email, sent_at = message.line.channel == Channel.EMAIL, message.sent_at
    if email and rng.random() < 0.45:
        opened = sent_at + timedelta(minutes=rng.expovariate(1 / 240))
        row["opened_at"] = opened if opened < world.as_of else None
    if email and rng.random() < 0.09:
        clicked = (row["opened_at"] or sent_at) + timedelta(minutes=rng.randint(1, 30))
        if clicked < world.as_of:
            row["clicked_at"] = clicked
            clicks += [(message.send.link, clicked, row["token"])] * (2 if rng.random() < 0.2 else 1)
    if rng.random() < (0.045 if email else 0.015):
        # Someone who unsubscribed because of this alert did not find it useful.
        useful = message.line.from_send is not message.send and rng.random() < 0.82
        acted_on = rng.random() < (0.35 if useful else 0.05)
        comment = rng.choice(COMMENTS[useful]) if rng.random() < 0.3 else ""
        answered = min(row["clicked_at"] or row["opened_at"] or sent_at + timedelta(hours=2), world.as_of)
        feedback.append((useful, acted_on, comment, answered, answered, row["token"]))
