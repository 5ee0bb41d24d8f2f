"""The demo force's meetings: eighteen months of PACT engagement, ending two months ahead.

The spreads follow the sources in `seeds/`: monthly public PACTs that often draw fewer than
five people (Durham), quarterly multi-agency panels, street meetings, door knocks, stalls,
surgeries, youth PACTs, environmental visual audits, specialist PACTs (Polish, faith and
Travellers' PACTs in Preston, which was HMIC's Central division), one team-wide online PACT on
Facebook for Chorley (~1,500 views, 20-30 questions: Lancashire 2015) and PACTs that went hybrid,
streamed on YouTube (Lancashire 2015: West Midlands' pilot grew from ~28 people at four physical
meetings to ~1,500 at hybrid ones).

Deterministic for a given `today`: each neighbourhood draws from its own random.Random seeded
from a fixed string and its code, and every date is anchored to `today`. Idempotent: a
neighbourhood that already has meetings keeps them and gets no more.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape

from accounts.models import AgencyKind, PartnerAgency, User
from accounts.roles import Role
from meetings.models import (
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
    OfficerAttendance,
    PartnerAttendance,
    SpecialistAudience,
)
from meetings.panels.demo import demo_panels_seed
from meetings.services import OfficerHours, occurrence_starts
from neighbourhoods.models import Force, Neighbourhood, TeamMembership, Ward
from priorities.models import Issue, IssueSource

SEED = "pact-demo-meetings-1"
UID_NAMESPACE = uuid.UUID("6f0d4c9e-3b1a-4e0f-9a57-2d8c1b7e5a10")
HISTORY_MONTHS, FUTURE_MONTHS = 16, 2
CANCEL_RATE = 0.04
# Lancashire's 2015 report (S27): "the Chorley NHPT is regularly getting around 1,500 views and 20-30
# questions" on its Facebook meeting post, run team-wide because one ward was too small a footprint.
# So each of these districts gets one online PACT, hosted by its first neighbourhood, not one each.
ONLINE_DISTRICTS = frozenset({"E07000118"})
# HMIC 2008 credits the Travellers' PACT (audio minutes) and the Polish-speaking PCSO to Central
# division (H284, H402), which was coterminous with Preston (H274); the demo has no Central division,
# so these specialist PACTs go to Preston's neighbourhoods.
SPECIALIST_DISTRICT = "E07000123"
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
WEEKDAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday"}
T = MeetingType
H = Decimal

# Who comes, by kind: the chance each rank is there (the first certain one leads); the chance
# each partner comes (council, housing, fire); issue-count weights for 0..3; officer hours
# (preparation, attending, follow-up; None = the meeting's length). Public PACTs use Durham's 1 + 1 + 1.
RANKS = {
    T.PUBLIC_PACT: {Role.PCSO: 1, Role.CONSTABLE: 0.55, Role.SERGEANT: 0.2},
    T.HYBRID: {Role.PCSO: 1, Role.CONSTABLE: 0.6, Role.SERGEANT: 0.3},
    T.PANEL: {Role.SERGEANT: 1, Role.PCSO: 0.9, Role.CONSTABLE: 0.7, Role.INSPECTOR: 0.35},
    T.ONLINE: {Role.PCSO: 1, Role.SERGEANT: 0.6, Role.INSPECTOR: 0.3},
    T.SURGERY: {Role.CONSTABLE: 1, Role.PCSO: 0.4},
    T.SPECIALIST: {Role.PCSO: 1, Role.SERGEANT: 0.5, Role.INSPECTOR: 0.25},
}
DEFAULT_RANKS = {Role.PCSO: 1, Role.CONSTABLE: 0.45, Role.SERGEANT: 0.1}
PARTNERS = {
    T.PUBLIC_PACT: (0.3, 0.2, 0.08), T.HYBRID: (0.35, 0.2, 0.08), T.PANEL: (0.95, 0.75, 0.45),
    T.EVA: (0.9, 0.5, 0.05), T.STALL: (0.1, 0.1, 0.3), T.DOOR_KNOCK: (0.1, 0.3, 0.25),
    T.SPECIALIST: (0.2, 0.1, 0.1), T.YOUTH: (0.1, 0, 0.1),
}  # fmt: skip
INVITE_ALL, INVITE_COUNCIL = {T.PANEL, T.EVA}, {T.PUBLIC_PACT, T.HYBRID}
ISSUE_WEIGHTS = {
    T.PUBLIC_PACT: (2, 4, 3, 1), T.HYBRID: (0, 3, 4, 3), T.ONLINE: (0, 2, 4, 4), T.PANEL: (0, 3, 4, 3),
    T.EVA: (0, 3, 4, 3), T.STALL: (6, 3, 1, 0),
}  # fmt: skip
HOURS = {
    T.PANEL: (H(1), H(2), H(1)), T.STREET: (H("0.5"), None, H("0.5")), T.DOOR_KNOCK: (H("0.5"), None, H(1)),
    T.STALL: (H("0.5"), None, H("0.5")), T.SURGERY: (H("0.5"), None, H("0.5")), T.YOUTH: (H(1), None, H("0.5")),
    T.EVA: (H("0.5"), None, H(1)),
}  # fmt: skip
DURHAM_HOURS = (H(1), H(1), H(1))
RESTRICTED_CHANCE = {T.PANEL: 0.3, T.SPECIALIST: 0.25}
# In-person reach of the other kinds (public PACTs use the neighbourhood's own "vocal few").
REACH = {
    T.PANEL: (2, 6), T.STREET: (2, 15), T.DOOR_KNOCK: (12, 45), T.STALL: (15, 70), T.SURGERY: (0, 6),
    T.YOUTH: (12, 30), T.EVA: (2, 8), T.SPECIALIST: (4, 25),
}  # fmt: skip
REACH_TEXT = {  # {s} makes the noun plural
    T.PUBLIC_PACT: "{n} resident{s} came to meet {officers}.", T.PANEL: "{n} panel member{s} met {officers}.",
    T.STREET: "{n} resident{s} stopped to talk to {officers}.", T.DOOR_KNOCK: "{officers} spoke to {n} household{s}.",
    T.STALL: "{n} visitor{s} came to the stall run by {officers}.", T.SURGERY: "{officers} saw {n} resident{s}.",
    T.YOUTH: "{n} pupil{s} took part, with {officers}.", T.EVA: "{n} resident{s} walked the area with {officers}.",
    T.SPECIALIST: "{n} resident{s} met {officers}.",
}  # fmt: skip
# How many of each occasional kind a neighbourhood holds over the 18 months, at what times, for how long,
# with titles and places ({nb}, {ward}, {street}, {other}, {district} are filled in).
OCCASIONAL = {
    T.STREET: ((2, 5), [(10, 30), (15, 0), (17, 30)], 45, [
        ("Street meeting: {street}, {ward}", "Corner of {street} and {other}"),
        ("Street meeting on {street}", "Outside the shops on {street}"),
    ]),
    T.DOOR_KNOCK: ((1, 4), [(10, 0), (14, 0), (16, 0)], 120, [
        ("Door knocks around {street}, {ward}", "Meet at the corner of {street} and {other}"),
    ]),
    T.STALL: ((1, 3), [(10, 0), (11, 0)], 180, [
        ("PACT stall at {ward} market", "{ward} market"),
        ("PACT stall at the {street} supermarket", "Supermarket foyer, {street}"),
    ]),
    T.SURGERY: ((0, 4), [(14, 0), (15, 0), (17, 0)], 90, [
        ("Police surgery at {ward} Library", "{ward} Library"),
        ("Police surgery at {ward} Health Centre", "{ward} Health Centre"),
    ]),
    T.YOUTH: ((0, 3), [(10, 0), (13, 30)], 60, [
        ("Youth PACT at {ward} Academy", "{ward} Academy"),
        ("School PACT at {ward} Primary School", "{ward} Primary School"),
    ]),
    T.EVA: ((1, 3), [(10, 0), (14, 0)], 90, [
        ("Environmental visual audit: {ward}", "Meet at {ward} Community Centre car park"),
        ("Walkabout audit of {street} and the back streets", "Meet at the top of {street}"),
    ]),
}  # fmt: skip
A = SpecialistAudience
SPECIALIST = {  # audience: (title, detail, venue)
    A.POLISH: ("Polish-speaking PACT (spotkanie PACT)", "In Polish, with an interpreter", "Polish Club, {district}"),
    A.DEAF: ("PACT for deaf and hard of hearing residents", "BSL interpreter booked", "{district} Deaf Centre"),
    A.WOMEN: ("Women's PACT", "Women only; creche available", "{district} Women's Centre"),
    A.FAITH: ("Faith communities PACT", "At the mosque, with its committee", "Mosque community room, {district}"),
    A.TRAVELLERS: ("Gypsy, Roma and Traveller PACT", "On site; audio minutes afterwards", "{district} Traveller site"),
    A.OLDER: ("PACT for older residents", "With Age UK", "{district} Age UK day centre"),
    A.BUSINESS: ("Business PACT", "Town centre traders", "{district} town centre business hub"),
}
SPECIALIST_CENTRAL = [A.POLISH, A.FAITH, A.WOMEN, A.DEAF, A.TRAVELLERS]
SPECIALIST_ELSEWHERE = [A.DEAF, A.OLDER, A.BUSINESS]
COMMUNITY_VENUES = [
    "{ward} Community Centre", "St Mary's Church Hall, {ward}", "{ward} Library", "{ward} Methodist Church Hall",
    "{ward} Children's Centre", "{ward} Cricket Club", "{ward} Sports and Social Club", "{ward} Village Hall",
]  # fmt: skip
STREETS = [
    "Church Street", "Victoria Road", "Station Road", "Queen Street", "Park Road", "Albert Road", "Mill Lane",
    "Market Street", "New Road", "Manchester Road", "Preston Road", "Canal Street", "School Lane", "King Street",
]  # fmt: skip
ACCESS = [
    "Step-free access and a hearing loop.",
    "Step-free access; accessible toilet.",
    "Upstairs room with a lift.",
    "",
]
# Synthetic registered social landlords, one a division: the demo names no real housing provider.
HOUSING_PROVIDERS = {"east": "Pennine Vale Homes (demo)", "south": "Ribble Estuary Housing (demo)",
                     "west": "Fylde Coast Homes (demo)"}  # fmt: skip
AGENDAS = {
    T.PUBLIC_PACT: "1. Welcome\n2. Progress on last month's priorities\n3. Crime and ASB figures\n"
    "4. Your concerns\n5. Agreeing priorities for next month",
    T.HYBRID: "1. Welcome (in the room and online)\n2. Progress on priorities\n3. Your concerns, and questions "
    "from those watching the stream\n4. Agreeing priorities",
    T.PANEL: "1. Review of the PACT tasking document\n2. New issues from PACT meetings\n3. Partner updates\n"
    "4. Actions and owners\n5. Items to escalate",
    T.ONLINE: "Live Q&A with your neighbourhood team: post questions in the comments.",
}
ISSUE_TEXTS = [
    ("Speeding on {street}", "speeding"), ("Parking on pavements outside the school on {street}", "parking"),
    ("Youths gathering at the shops on {street}", "asb"),
    ("Off-road motorbikes on the playing fields in {ward}", "asb"),
    ("Fly-tipping in the back streets off {street}", "litter"), ("Suspected drug dealing near {street}", "drugs"),
    ("Dog fouling on the path by {street}", "litter"), ("Noisy neighbours on {street}", "asb"),
    ("Begging outside the shops on {street}", "asb"), ("Broken street lights on {street}", "other"),
    ("Graffiti on the underpass in {ward}", "criminal_damage"), ("Nuisance fireworks in {ward}", "asb"),
    ("Shoplifting at the shops on {street}", "theft"), ("Cold callers and doorstep scams in {ward}", "fraud"),
    ("Anti-social behaviour in the park off {street}", "asb"), ("Thefts from cars on {street}", "vehicle_crime"),
]  # fmt: skip
RESTRICTED = [
    "A resident named an address on {street} linked to suspected drug supply; intelligence submitted.",
    "Concern for a vulnerable adult on {street} targeted by doorstep callers; safeguarding referral made.",
    "Community tension reported after an incident on {street}; passed to the community cohesion officer.",
    "Information shared about a suspected cannabis grow on {street}; not for publication.",
]
CANCEL = [
    "Venue unavailable: the hall is closed for repairs.", "Officers abstracted to a major incident.",
    "Officers abstracted to a major incident.", "Venue double-booked; we will see you next month.",
    "Severe weather warning: cancelled for everyone's safety.", "Officers needed for a public order operation.",
]  # fmt: skip
CANCEL_ONLINE = ["Technical problems with the live stream.", "Officers abstracted to a major incident."]


@dataclass(frozen=True)
class DemoMeetingsSummary:
    created: int
    total: int


@dataclass(frozen=True)
class _Venue:
    name: str
    address: str
    latitude: float
    longitude: float
    accessibility: str


@dataclass
class _Plan:
    """One meeting and its related rows, written together once every plan is made."""

    meeting: Meeting
    wards: list[Ward]
    officers: list[tuple[User, str]]
    partners_invited: list[PartnerAgency]
    attended: list[OfficerHours] = field(default_factory=list)
    partners: list[tuple[PartnerAgency, int]] = field(default_factory=list)
    issues: list[tuple[str, int, Ward, str]] = field(default_factory=list)


@dataclass
class _Area:
    """One neighbourhood's fixed facts, its random stream and the meetings planned for it."""

    neighbourhood: Neighbourhood
    wards: list[Ward]
    memberships: list[TeamMembership]  # newest first
    agencies: tuple[PartnerAgency | None, PartnerAgency, PartnerAgency]  # council, housing, fire
    rng: random.Random
    first_day: date
    last_day: date
    as_of: datetime
    hosts_district_online: bool = False
    regulars: int = 0
    plans: list[_Plan] = field(default_factory=list)
    series: list[MeetingSeries] = field(default_factory=list)

    @property
    def district(self):
        return self.wards[0].district

    def team_on(self, day: date) -> dict[str, User]:
        """Who held each role that day: a meeting is staffed by the team of its date."""
        team = {}
        for m in self.memberships:
            if m.start_date <= day and (m.end_date is None or m.end_date >= day):
                team.setdefault(m.role, m.user)
        return team

    def venue(self, name: str, street: str, ward: Ward | None = None) -> _Venue:
        ward = ward or self.rng.choice(self.wards)
        lat, lon = _point_in(ward, self.rng)
        address = f"{self.rng.randint(1, 180)} {street}, {ward.name}, {self.district.name}"
        return _Venue(name[:150], address[:255], lat, lon, self.rng.choice(ACCESS))

    def street(self) -> str:
        return self.rng.choice(STREETS)

    def day(self) -> date:
        return self.first_day + timedelta(days=self.rng.randrange((self.last_day - self.first_day).days))


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, 28))


def _aware(day: date, at: tuple[int, int]) -> datetime:
    return datetime.combine(day, time(*at), tzinfo=timezone.get_current_timezone())


_shapes: dict[str, object] = {}


def _point_in(ward: Ward, rng: random.Random) -> tuple[float, float]:
    """A point near the ward's centroid but inside it (a centroid can fall outside a concave ward)."""
    geometry = _shapes.setdefault(ward.code, shape(ward.boundary))
    for _ in range(6):
        lat = ward.centroid_latitude + rng.uniform(-0.004, 0.004)
        lon = ward.centroid_longitude + rng.uniform(-0.006, 0.006)
        if geometry.contains(Point(lon, lat)):
            return round(lat, 6), round(lon, 6)
    inside = geometry.representative_point()
    return round(inside.y, 6), round(inside.x, 6)


@transaction.atomic
def demo_meetings_seed(*, force: Force, today: date | None = None) -> DemoMeetingsSummary:
    """Give each neighbourhood of the demo force 18 months of meetings ending two months after
    `today`, with outcomes for those already held. Neighbourhoods with meetings are left alone."""
    today = today or timezone.localdate()
    # Held-or-not is decided at the start of `today`, so the output does not depend on the hour.
    as_of = min(_aware(today, (0, 0)), timezone.now())
    neighbourhoods = (
        Neighbourhood.objects.in_force(force)
        .exclude(meetings__isnull=False)
        .select_related("division")
        .order_by("code")
    )
    wards, teams = _wards_and_teams(neighbourhoods)
    councils = _councils(neighbourhoods)
    fire = PartnerAgency.objects.filter(kind=AgencyKind.FIRE).order_by("name").first()
    fire = fire or _agency("Lancashire Fire and Rescue Service", AgencyKind.FIRE)
    housing = {code: _agency(name, AgencyKind.HOUSING) for code, name in HOUSING_PROVIDERS.items()}
    areas = []
    online_hosts: set[str] = set()
    for nb in neighbourhoods:
        if not wards.get(nb.pk) or not teams.get(nb.pk):
            continue
        district = wards[nb.pk][0].district.code
        area = _Area(
            neighbourhood=nb,
            wards=wards[nb.pk],
            memberships=teams[nb.pk],
            agencies=(councils.get(nb.pk), housing.get(nb.division.code, housing["east"]), fire),
            rng=random.Random(f"{SEED}:{nb.code}"),  # noqa: S311 - demo data, not security
            first_day=_add_months(today, -HISTORY_MONTHS),
            last_day=_add_months(today, FUTURE_MONTHS),
            as_of=as_of,
            hosts_district_online=district in ONLINE_DISTRICTS and district not in online_hosts,
        )
        online_hosts.add(district)
        _plan_neighbourhood(area)
        areas.append(area)
    created = _write(areas)
    demo_panels_seed(neighbourhoods=[area.neighbourhood for area in areas], today=today)
    return DemoMeetingsSummary(
        created=created, total=Meeting.objects.filter(neighbourhood__division__force=force).count()
    )


def _agency(name: str, kind: str) -> PartnerAgency:
    return PartnerAgency.objects.get_or_create(name=name, defaults={"kind": kind})[0]


def _wards_and_teams(neighbourhoods) -> tuple[dict[int, list[Ward]], dict[int, list[TeamMembership]]]:
    wards: dict[int, list[Ward]] = {}
    for ward in Ward.objects.filter(neighbourhood__in=neighbourhoods).select_related("district").order_by("code"):
        wards.setdefault(ward.neighbourhood_id, []).append(ward)
    teams: dict[int, list[TeamMembership]] = {}
    roles = [Role.PCSO, Role.CONSTABLE, Role.SERGEANT, Role.INSPECTOR]
    rows = TeamMembership.objects.filter(neighbourhood__in=neighbourhoods, role__in=roles).select_related("user")
    for m in rows.order_by("-start_date", "user__email"):
        teams.setdefault(m.neighbourhood_id, []).append(m)
    return wards, teams


def _councils(neighbourhoods) -> dict[int, PartnerAgency]:
    """Each neighbourhood's council: the agency of the partner users on its team."""
    rows = TeamMembership.objects.filter(
        neighbourhood__in=neighbourhoods, role=Role.PARTNER, user__agency__kind=AgencyKind.COUNCIL
    ).select_related("user__agency")
    return {m.neighbourhood_id: m.user.agency for m in rows.order_by("user__email")}


def _plan_neighbourhood(area: _Area) -> None:
    rng, nb = area.rng, area.neighbourhood
    area.regulars = rng.choice([0, 1, 2, 2, 3, 3, 4, 5, 7])  # the "same vocal few"
    ward = rng.choice(area.wards)
    venue = area.venue(rng.choice(COMMUNITY_VENUES).format(ward=ward.name), area.street(), ward)
    day, ordinal = rng.choice(list(WEEKDAYS)), rng.choice([1, 1, 2, 2, 3, 4, -1])
    pact = dict(venue=venue, rrule=f"FREQ=MONTHLY;BYDAY={ordinal}{day}", minutes=rng.choice([90, 90, 60]),
                at=rng.choice([(18, 0), (18, 30), (19, 0), (19, 0), (19, 0)]))  # fmt: skip
    # Some teams took their PACT hybrid part-way through: Lancashire's 2015 plan (S31) streams the room
    # with Google Hangouts to YouTube, watchable without an account, as Facebook is a closed channel.
    switch = _add_months(area.first_day, rng.randint(5, 10)) if rng.random() < 0.1 else area.last_day
    words = f"{ORDINALS[ordinal]} {WEEKDAYS[day]} of the month"
    if switch < area.last_day:
        title = f"{nb.name} PACT meeting (in person and streamed on YouTube)"
        _series(area, T.HYBRID, title, f"{words}, also streamed", switch, area.last_day, **pact)
        # UNTIL ends the in-person series for good, so extending series later cannot revive it.
        pact["rrule"] += f";UNTIL={switch:%Y%m%d}T000000"
        words += f", until {switch:%B %Y}"
    _series(area, T.PUBLIC_PACT, f"{nb.name} PACT meeting", words, area.first_day, switch, **pact)
    panel_day = rng.choice(list(WEEKDAYS))
    _series(
        area, T.PANEL, f"{nb.name} PACT panel", f"every three months on the second {WEEKDAYS[panel_day]}",
        _add_months(area.first_day, rng.randint(0, 2)), area.last_day,
        venue=area.venue(f"{area.district.name} Police Station, PACT room", area.street()),
        rrule=f"FREQ=MONTHLY;INTERVAL=3;BYDAY=2{panel_day}", at=rng.choice([(10, 0), (14, 0)]), minutes=120,
    )  # fmt: skip
    if area.hosts_district_online:
        _series(
            area, T.ONLINE, f"{area.district.name} neighbourhood team's online PACT on Facebook",
            "last Wednesday of the month, for the whole district",
            area.first_day, area.last_day, venue=None, rrule="FREQ=MONTHLY;BYDAY=-1WE", at=(19, 30), minutes=60,
        )  # fmt: skip
    _plan_occasional(area)
    _plan_specialist_and_online(area)


def _series(area: _Area, kind: str, title: str, words: str, start: date, until: date, *, venue, rrule, at, minutes):
    end = _aware(until, (0, 0))
    starts = occurrence_starts(rrule=rrule, first_start=_aware(start, at), until=end)
    if not starts:
        return
    creator = _lead(area, starts[0].date(), kind)
    series = MeetingSeries(
        neighbourhood=area.neighbourhood, rrule=rrule, description=words, first_start=starts[0],
        generated_until=end, created_by=creator, created_at=starts[0] - timedelta(days=21),
    )  # fmt: skip
    series.full_clean(exclude=["neighbourhood", "created_by"])
    area.series.append(series)
    for start in starts:
        _plan(area, kind, title, start, minutes, venue, series=series, occurrence_start=start,
              created_by=creator, created_at=series.created_at)  # fmt: skip


def _plan_occasional(area: _Area) -> None:
    rng, used = area.rng, set()
    for kind, ((low, high), times, minutes, places) in OCCASIONAL.items():
        for _ in range(rng.randint(low, high)):
            day = area.day()
            if kind == T.STALL:
                day += timedelta(days=(5 - day.weekday()) % 7)  # Saturday, when the shops are busy
            if (kind, day) in used or (kind == T.YOUTH and (day.month == 8 or day.weekday() > 4)):
                continue  # one of a kind a day; no school PACTs when the schools are shut
            used.add((kind, day))
            ward, street, other = rng.choice(area.wards), area.street(), area.street()
            title, place = rng.choice(places)
            names = dict(ward=ward.name, street=street, other=other, district=area.district.name)
            venue = area.venue(place.format(**names), street, ward)
            wards = [ward] if kind == T.STREET else None  # a street meeting is held in one ward
            _plan(area, kind, title.format(**names), _aware(day, rng.choice(times)), minutes, venue, wards=wards)


def _plan_specialist_and_online(area: _Area) -> None:
    rng, nb = area.rng, area.neighbourhood
    central = area.district.code == SPECIALIST_DISTRICT
    if rng.random() < (0.45 if central else 0.08):
        audience = rng.choice(SPECIALIST_CENTRAL if central else SPECIALIST_ELSEWHERE)
        title, detail, place = SPECIALIST[audience]
        venue = area.venue(place.format(district=area.district.name), area.street())
        for day in sorted({area.day() for _ in range(rng.randint(3, 6))}):
            _plan(area, T.SPECIALIST, title, _aware(day, (18, 0)), 90, venue, audience=audience, audience_detail=detail)
    if area.district.code not in ONLINE_DISTRICTS and rng.random() < 0.12:
        for day in sorted({area.day() for _ in range(rng.randint(2, 5))}):
            _plan(area, T.ONLINE, f"{nb.name} team Q&A on Facebook Live", _aware(day, (19, 0)), 60, None)


def _lead(area: _Area, day: date, kind: str) -> User:
    team = area.team_on(day)
    for role in RANKS.get(kind, DEFAULT_RANKS):
        if role in team:
            return team[role]
    # A vacant team: the inspector covers, else whoever serves the neighbourhood at any time.
    return team.get(Role.INSPECTOR) or area.memberships[-1].user


def _staff(area: _Area, day: date, kind: str) -> list[tuple[User, str]]:
    team, ranks = area.team_on(day), RANKS.get(kind, DEFAULT_RANKS)
    staff = [(team[r], r) for r, chance in ranks.items() if r in team and (chance >= 1 or area.rng.random() < chance)]
    if not staff:
        lead = _lead(area, day, kind)
        staff = [(lead, next((m.role for m in area.memberships if m.user == lead), lead.role))]
    return staff


def _plan(area: _Area, kind: str, title: str, start: datetime, minutes: int, venue: _Venue | None, **extra) -> _Plan:
    rng, nb = area.rng, area.neighbourhood
    staff = _staff(area, start.date(), kind)
    council, housing, fire = area.agencies
    wards = extra.pop("wards", None) or area.wards
    meeting = Meeting(
        uid=uuid.uuid5(UID_NAMESPACE, f"{nb.code}/{kind}/{start.isoformat()}"),
        neighbourhood=nb, meeting_type=kind, title=title[:150], public_agenda=AGENDAS.get(kind, ""),
        starts_at=start, ends_at=start + timedelta(minutes=minutes), status=MeetingStatus.PUBLISHED, sequence=1,
        lead_officer=staff[0][0], created_by=extra.pop("created_by", staff[0][0]),
        created_at=extra.pop("created_at", min(start - timedelta(days=rng.randint(10, 40)), area.as_of)), **extra,
    )  # fmt: skip
    if venue:
        meeting.venue_name, meeting.venue_address = venue.name, venue.address
        meeting.venue_latitude, meeting.venue_longitude = venue.latitude, venue.longitude
        meeting.accessibility_notes = venue.accessibility
    if kind in (T.ONLINE, T.HYBRID):
        stream = "facebook.example" if kind == T.ONLINE else "youtube.example"
        meeting.online_url = f"https://{stream}/{nb.code[:60]}-police/live"
    invited = [council, housing, fire] if kind in INVITE_ALL else [council] if kind in INVITE_COUNCIL else []
    plan = _Plan(meeting, wards, staff, [a for a in invited if a])
    area.plans.append(plan)
    if rng.random() < CANCEL_RATE:
        meeting.status, meeting.sequence = MeetingStatus.CANCELLED, 2
        meeting.cancellation_reason = rng.choice(CANCEL_ONLINE if kind == T.ONLINE else CANCEL)
        meeting.detached_from_series = meeting.series is not None  # as meeting_cancel does
    elif start >= area.as_of:
        if meeting.series is None and rng.random() < 0.2:
            meeting.status, meeting.sequence = MeetingStatus.DRAFT, 0  # still being arranged
    else:
        _plan_outcome(area, plan)
    return plan


def _plan_outcome(area: _Area, plan: _Plan) -> None:
    """What meeting_record_outcome would store, if the team has written it up by `as_of`."""
    rng, meeting, kind = area.rng, plan.meeting, plan.meeting.meeting_type
    recorded = meeting.ends_at + timedelta(days=rng.choice([0, 1, 1, 2, 3, 5, 9]), hours=rng.randint(0, 3))
    if recorded > area.as_of:
        return  # held, but still awaiting its write-up
    meeting.outcome_recorded_at = recorded
    _reach(area, meeting)
    prep, attend, follow = HOURS.get(kind, DURHAM_HOURS)
    attend = attend or H(int((meeting.ends_at - meeting.starts_at).total_seconds()) // 900) / 4
    plan.attended = [OfficerHours(user, rank, prep, attend, follow) for user, rank in plan.officers]
    chances = PARTNERS.get(kind, (0, 0, 0))
    plan.partners = [(a, rng.choice([1, 1, 1, 2])) for a, c in zip(area.agencies, chances, strict=True)
                     if a and rng.random() < c]  # fmt: skip
    plan.partners_invited += [a for a, _ in plan.partners if a not in plan.partners_invited]
    count = rng.choices(range(4), weights=ISSUE_WEIGHTS.get(kind, (4, 4, 2, 0)))[0]
    if meeting.public_attendees == 0 and kind != T.HYBRID:
        count = 0  # nobody there to raise anything
    plan.issues = []
    for text, category in rng.sample(ISSUE_TEXTS, count):
        ward = rng.choice(plan.wards)
        plan.issues.append((text.format(street=area.street(), ward=ward.name), rng.randint(1, 5), ward, category))
    meeting.public_summary = _summary(meeting, plan)
    if rng.random() < RESTRICTED_CHANCE.get(kind, 0.1):
        meeting.restricted_notes = rng.choice(RESTRICTED).format(street=area.street())


def _reach(area: _Area, meeting: Meeting) -> None:
    rng, kind = area.rng, meeting.meeting_type
    if kind in (T.PUBLIC_PACT, T.HYBRID):
        surge = rng.randint(3, 6) if rng.random() < 0.1 else 0  # a hot issue brings more out
        meeting.public_attendees = max(0, min(12, area.regulars + rng.randint(-2, 3) + surge))
    elif kind in REACH:
        meeting.public_attendees = rng.randint(*REACH[kind])
    if kind in (T.ONLINE, T.HYBRID):
        chorley = area.district.code in ONLINE_DISTRICTS
        meeting.online_live_viewers = rng.randint(25, 150)
        views = (1100, 1800, 1500) if chorley and kind == T.ONLINE else (150, 1500, 600)
        meeting.online_later_views = int(rng.triangular(*views))
        meeting.questions_received = rng.randint(20, 30) if kind == T.ONLINE else rng.randint(6, 25)


def _summary(meeting: Meeting, plan: _Plan) -> str:
    names = [h.officer.public_title for h in plan.attended]
    officers = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if meeting.meeting_type == T.ONLINE:
        text = (
            f"Held on Facebook: {meeting.online_live_viewers} watched live and "
            f"{meeting.online_later_views:,} have watched since. {officers} answered "
            f"{meeting.questions_received} questions."
        )
    elif meeting.meeting_type == T.HYBRID:
        text = (
            f"{meeting.public_attendees} came in person and {meeting.online_live_viewers} watched live "
            f"({meeting.online_later_views:,} views since); {officers} answered {meeting.questions_received} questions."
        )
    elif not meeting.public_attendees:
        text = f"Nobody from the public came this time; {officers} went through the priorities."
    else:
        n = meeting.public_attendees
        text = REACH_TEXT[meeting.meeting_type].format(n=n, s="" if n == 1 else "s", officers=officers)
    if plan.partners:
        text += f" Also there: {', '.join(a.name for a, _ in plan.partners)}."
    issues = [t[0].lower() + t[1:] for t, *_ in plan.issues]
    return text + (f" Raised: {'; '.join(issues)}." if issues else " No new issues were raised.")


def _write(areas: list[_Area]) -> int:
    """Write every plan in bulk.

    The services take ~17 ms a meeting (full_clean's queries, three M2M sets, the outcome's
    deletes), which for ~6,500 meetings would blow seed_demo's one-minute budget. So each
    meeting gets the checks that need no query (clean_fields: choices, lengths, validators),
    the database enforces Meta.constraints on insert, and the planners keep the services'
    rules: wards from the meeting's own neighbourhood, outcomes only for meetings already
    started and never for cancelled ones, a cancelled occurrence detached from its series.
    Related rows are built from ids, which is several times faster than from objects.
    """
    plans = [plan for area in areas for plan in area.plans]
    MeetingSeries.objects.bulk_create([s for area in areas for s in area.series])
    for plan in plans:
        plan.meeting.clean_fields(exclude=["neighbourhood", "series", "lead_officer", "created_by"])
    Meeting.objects.bulk_create([plan.meeting for plan in plans], batch_size=500)
    _link("wards", [(p.meeting.pk, w.pk) for p in plans for w in p.wards])
    # "Other officers": the lead is named once, as the lead.
    _link("officers", [(p.meeting.pk, u.pk) for p in plans for u, _ in p.officers if u.pk != p.meeting.lead_officer_id])
    _link("partners_invited", [(p.meeting.pk, a.pk) for p in plans for a in p.partners_invited])
    attendance = [
        OfficerAttendance(meeting_id=p.meeting.pk, officer_id=h.officer.pk, rank=h.rank,
                          preparation_hours=h.preparation_hours, attending_hours=h.attending_hours,
                          follow_up_hours=h.follow_up_hours)
        for p in plans for h in p.attended
    ]  # fmt: skip
    # Hours come from the small tables above, so checking each distinct row once checks them all.
    distinct = {(a.rank, a.preparation_hours, a.attending_hours, a.follow_up_hours): a for a in attendance}
    for row in distinct.values():
        row.clean_fields(exclude=["meeting", "officer"])
    OfficerAttendance.objects.bulk_create(attendance, batch_size=1000)
    PartnerAttendance.objects.bulk_create(
        [PartnerAttendance(meeting_id=p.meeting.pk, agency_id=a.pk, people=n) for p in plans for a, n in p.partners],
        batch_size=1000,
    )
    Issue.objects.bulk_create(
        [
            Issue(neighbourhood_id=p.meeting.neighbourhood_id, ward=ward, category=category, description=d,
                  supporters=n, source=IssueSource.MEETING, meeting_id=p.meeting.pk,
                  reported_by_id=p.meeting.lead_officer_id, created_at=p.meeting.outcome_recorded_at)
            for p in plans for d, n, ward, category in p.issues
        ],
        batch_size=1000,
    )  # fmt: skip
    return len(plans)


def _link(name: str, pairs: list[tuple[int, int]]) -> None:
    """Bulk-insert (meeting id, other id) rows into one of Meeting's many-to-many tables."""
    relation = Meeting._meta.get_field(name)
    through = relation.remote_field.through
    source = through._meta.get_field(relation.m2m_field_name()).attname
    target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
    through.objects.bulk_create([through(**{source: m, target: other}) for m, other in pairs], batch_size=2000)
