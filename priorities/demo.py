"""The demo force's priorities: EPIC records grown from the concerns raised at its meetings.

Each neighbourhood takes some of the issues raised at its meetings (the meetings demo leaves
them awaiting triage) and makes priorities of them, agreed at its own PACT meetings, in every
state: proposed, agreed, in action, escalated (some since de-escalated), resolved, signed off by
the community at a later meeting, not adopted with a public reason, and reopened. Every agreement
and sign-off keeps the rule `manage.py check_priority_dates` checks. Actions are owned by officers
and by partner agencies (sometimes a named partner user), with dated updates, some restricted;
some are overdue and some priorities are past their review date, so the daily digest has
something to say. Every step leaves the audit
row the services would have written.

Deterministic for a given `today`: each neighbourhood draws from its own random.Random, and every
date is anchored to `today` and to the meetings. Idempotent: a neighbourhood that already has
priorities is left alone.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import AgencyKind, PartnerAgency, User
from accounts.roles import Role
from meetings.demo import HOUSING_PROVIDERS
from meetings.models import Meeting, MeetingType
from neighbourhoods.models import Force, Neighbourhood, TeamMembership, Ward
from priorities.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Escalation,
    EscalationForum,
    Follower,
    Issue,
    IssueSource,
    IssueStatus,
    Priority,
    PriorityEvent,
    PriorityState,
    SignOff,
    SignOffMethod,
)

SEED = "pact-demo-priorities-1"
REF_NAMESPACE = uuid.UUID("0b7f3f55-6c1e-4d55-8f0e-6a7d2c9b4e21")
FEATURED_WARD = "E05005155"  # Daneshouse with Stoneyholme, as in neighbourhoods.demo
DEMO_FOLLOWER = "resident@demo.pact.example"
S, T, F = PriorityState, MeetingType, EscalationForum
OFFICER, COUNCIL, HOUSING, FIRE = "officer", AgencyKind.COUNCIL, AgencyKind.HOUSING, AgencyKind.FIRE
# Where priorities are agreed and signed off: the meetings with a public or a panel to decide.
DECIDING = frozenset({T.PUBLIC_PACT, T.HYBRID, T.PANEL, T.ONLINE})
# How long ago each kind was agreed, in days: old enough to have got where it is.
AGE = {
    S.SIGNED_OFF: (170, 470), S.REOPENED: (240, 470), S.RESOLVED: (70, 200), S.NOT_ADOPTED: (30, 420),
    S.IN_ACTION: (30, 150), S.ESCALATED: (50, 180), S.AGREED: (0, 30), S.PROPOSED: (0, 0),
}  # fmt: skip
CURRENT_MIXES = [
    (S.IN_ACTION, S.AGREED), (S.IN_ACTION, S.ESCALATED), (S.IN_ACTION, S.IN_ACTION, S.ESCALATED),
    (S.AGREED, S.IN_ACTION), (S.ESCALATED,), (S.IN_ACTION,), (S.IN_ACTION, S.AGREED, S.ESCALATED),
]  # fmt: skip
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@dataclass(frozen=True)
class Play:
    """What a team does about one kind of problem: public words, actions by owner, restricted text."""

    problem: str
    update: str
    outcome: str
    actions: tuple[tuple[str, str], ...]
    hidden: str
    evidence: str
    forums: tuple[str, ...]


PLAYS = {
    "speeding": Play(
        "Drivers go too fast here, at school times and late at night, and residents fear someone will be hurt.",
        "Officers are running speed checks at the times you told us about, and the council is reviewing the "
        "road's signs and markings.",
        "Follow-up checks found average speeds down from {high} mph to {low} mph; {n} drivers were dealt with.",
        (("Speed checks at school times and late evenings", OFFICER),
         ("Community Speedwatch sessions with resident volunteers", OFFICER),
         ("Speed survey and a review of signs and road markings", COUNCIL)),
        "Identify the owners of the cars seen racing at night",
        "{n} calls about speeding in three months; residents named two cars seen racing after 11pm "
        "(registrations on the intelligence log).",
        (F.TTCG, F.CDRP),
    ),
    "parking": Play(
        "Cars park on the pavements and zig-zags at school times, so children and wheelchair users step into the road.",
        "Officers and council enforcement officers are visiting at school times, and the school is reminding parents.",
        "Parking on the zig-zags has stopped at most visits: {n} tickets were issued and the school now runs a "
        "park-and-stride scheme.",
        (("Joint visits with council civil enforcement officers at school times", COUNCIL),
         ("Letters to parents through the school and a pupils' poster campaign", OFFICER),
         ("Tickets for obstruction where the pavement is blocked", OFFICER)),
        "Follow up the driver who threatened the school crossing patrol",
        "The crossing patrol reports abuse from one driver ({n} incidents); dashcam footage held.",
        (F.NEIGHBOURHOOD_MANAGEMENT, F.CDRP),
    ),
    "asb": Play(
        "It goes on most evenings, and people feel unsafe and avoid the area.",
        "Officers are patrolling at the times you told us about, youth workers are offering activities, and "
        "landlords are dealing with their tenants.",
        "Reports fell by {pct}% over three months, and residents at the PACT meeting said it is much better.",
        (("High-visibility patrols on Friday and Saturday evenings", OFFICER),
         ("Youth outreach sessions at the park", COUNCIL),
         ("Warning letters and tenancy visits for the households involved", HOUSING),
         ("Fire safety talks and removal of bonfire material", FIRE)),
        "Acceptable behaviour contracts for the three young people identified",
        "{n} incidents logged in three months; three young people identified from CCTV (names on the record).",
        (F.CDRP, F.MAPS, F.MATAC, F.NEIGHBOURHOOD_MANAGEMENT),
    ),
    "litter": Play(
        "It keeps coming back, and it makes the area dirty and unpleasant to walk through.",
        "The council is cleaning up and looking for evidence of who is responsible, and officers are watching the "
        "worst spots.",
        "The area has been cleaned up ({n} bags of waste removed), two people were fined and reports have fallen away.",
        (("Clear the dumped waste and search it for evidence", COUNCIL),
         ("Alley gates for the worst back streets", COUNCIL),
         ("Patrols and camera checks at the dumping spots", OFFICER),
         ("Remove waste that is a fire risk and talk to residents about arson", FIRE)),
        "Trace the van seen dumping waste (registration from a resident)",
        "A resident gave the registration of a van seen dumping at night; {n} loads linked to it.",
        (F.NEIGHBOURHOOD_MANAGEMENT, F.CDRP),
    ),
    "drugs": Play(
        "Residents see what looks like drug dealing: cars stopping briefly and people coming and going at all hours.",
        "Officers are acting on the information you gave us, some of it in ways we cannot describe here. Patrols "
        "have increased and the housing provider is involved.",
        "The dealing you told us about has stopped: officers acted on your information and the address involved "
        "has been dealt with.",
        (("More patrols at the times residents told us about", OFFICER),
         ("Drugs awareness session at the school and the youth club", OFFICER),
         ("Tenancy enforcement with the housing provider", HOUSING)),
        "Warrant application and disruption visits at the address residents named",
        "{n} intelligence reports name the same address; cuckooing of a vulnerable tenant is suspected.",
        (F.MAPS, F.TTCG, F.MATAC),
    ),
    "criminal_damage": Play(
        "Graffiti and damage keep appearing and make the area look neglected.",
        "The council is removing graffiti quickly and officers are working with the youth service and schools.",
        "The graffiti has gone and new damage has fallen away; {n} young people helped paint a mural.",
        (("Remove graffiti within 48 hours of a report", COUNCIL),
         ("Patrols and camera checks at the places hit most", OFFICER),
         ("Mural project with the youth service", COUNCIL)),
        "Compare the tags with the force graffiti database",
        "Tags match a series in two other wards ({n} sites); suspects identified.",
        (F.CDRP, F.NEIGHBOURHOOD_MANAGEMENT),
    ),
    "theft": Play(
        "Shoplifting at the local shops is frequent and staff feel threatened.",
        "Officers are working with the shops on prevention and following up every report.",
        "Reported shop thefts fell by {pct}%; the shops have joined a radio link scheme.",
        (("Crime prevention visits to the shops and a radio link scheme", OFFICER),
         ("Follow up every reported theft within 48 hours", OFFICER),
         ("Business crime advice session with the council's town centre team", COUNCIL)),
        "Criminal behaviour order applications for the prolific offenders",
        "Two prolific offenders account for most of the {n} thefts; both known to drug services.",
        (F.TTCG, F.CDRP, F.MATAC),
    ),
    "fraud": Play(
        "Cold callers and doorstep scammers are targeting older residents.",
        "Officers and trading standards are visiting older residents with advice and setting up a no-cold-calling "
        "zone.",
        "A no-cold-calling zone now covers {n} streets and no new doorstep scams have been reported for three months.",
        (("Visit older residents with scam advice and door stickers", OFFICER),
         ("No-cold-calling zone with trading standards", COUNCIL)),
        "Safeguarding referrals for the residents targeted repeatedly",
        "Two repeat victims identified ({n} contacts); safeguarding referrals made.",
        (F.CDRP, F.MAPS),
    ),
    "vehicle_crime": Play(
        "Cars are broken into overnight and things taken from them.",
        "Officers are patrolling overnight and leaving advice on cars with valuables on show.",
        "Thefts from cars fell from {high} to {low} a quarter; {n} people were charged.",
        (("Overnight patrols on the streets worst hit", OFFICER),
         ("'Leave nothing on show' checks and advice cards", OFFICER),
         ("Review of street lighting and overgrown hedges", COUNCIL)),
        "Forensic follow-up on the recovered property",
        "Fingerprints recovered from {n} vehicles; a suspect is on bail elsewhere.",
        (F.TTCG, F.CDRP, F.MATAC),
    ),
    "other": Play(
        "Broken street lights leave the area dark, and people feel unsafe at night.",
        "The council's lighting team is repairing the lights and officers are patrolling after dark meanwhile.",
        "All {n} faulty lights have been repaired and residents say the area feels safer at night.",
        (("Repair the faulty street lights", COUNCIL), ("Evening patrols until the lights are fixed", OFFICER)),
        "Check whether the lights were damaged deliberately",
        "The lights look deliberately damaged; {n} burglaries nearby in the same weeks.",
        (F.NEIGHBOURHOOD_MANAGEMENT, F.CDRP),
    ),
}  # fmt: skip
PUBLIC_UPDATES = {
    OFFICER: ["{n} patrols carried out at the times residents told us about.",
              "Spoke to {n} residents around {place}; most say it has been quieter.",
              "{n} people stopped and spoken to; advice given.", "Update given at the PACT meeting and on Facebook."],
    COUNCIL: ["Site visit done; the work is booked in.", "Work done: {n} bags of waste cleared around {place}.",
              "Letters sent to {n} households.", "Signs ordered; fitting is booked for next month."],
    HOUSING: ["Tenancy visits made to {n} households.", "Warning letters issued; the tenants know what happens next."],
    FIRE: ["{n} home fire safety visits done around {place}.", "Bonfire material and fire-risk waste removed."],
}  # fmt: skip
HIDDEN_UPDATES = [
    "Intelligence report submitted about a vehicle seen regularly around {place}.",
    "Two young people referred to youth services; names on the record only.",
    "Address visited with the housing officer; tenancy warning considered.",
    "Information passed to the drugs team; not for publication.",
]
RESTRICTED_NOTES = [
    "Discussed at tasking: a named person involved is subject to a safeguarding plan.",
    "Partner information shared under the information sharing agreement; not for publication.",
    "A complainant has asked not to be identified; do not mention the address in public updates.",
]
NOT_ADOPTED_REASONS = [
    "This is for the council's highways team: we have passed it to them and they will reply to residents.",
    "Reports stopped after the first month. We will keep an eye on it, and it can come back to the PACT if it "
    "starts again.",
    "The meeting chose three other priorities this time; this one stays on the list for the next meeting.",
    "This is a dispute between neighbours: the council's mediation service can help, and we have given residents "
    "the details.",
]
ESCALATION_REASONS = {
    F.TTCG: "Needs more officers than the neighbourhood team has: asking the division for support.",
    F.CDRP: "Needs partners' powers and money beyond this neighbourhood.",
    F.MATAC: "The people involved are known to several agencies; tasking them together.",
    F.MAPS: "Needs a multi-agency problem-solving plan.",
    F.NEIGHBOURHOOD_MANAGEMENT: "Needs the council's area team to co-ordinate its services.",
}
DE_ESCALATION_REASONS = [
    "Extra support in place; the neighbourhood team can carry on from here.",
    "Partner plan agreed and under way; back to local tasking.",
]
REOPEN_NOTE = "Residents told us at the PACT meeting that it has started again."
REOPEN_UPDATE = "You told us it has started again, so we have reopened it and will agree new actions with you."


@dataclass(frozen=True)
class DemoPrioritiesSummary:
    created: int
    total: int


@dataclass(frozen=True)
class _Fate:
    state: str
    past_review: bool = False
    named_partner: bool = False
    overdue: bool = False


@dataclass
class _Area:
    """One neighbourhood's fixed facts and its random stream."""

    neighbourhood: Neighbourhood
    rng: random.Random
    meetings: list[Meeting]  # held deciding meetings, oldest first
    pool: list[Issue]  # issues raised at its meetings and awaiting triage, oldest first
    memberships: list[TeamMembership]  # officers, newest first
    agencies: dict[str, tuple[PartnerAgency | None, User | None]]
    as_of: datetime
    today: date
    featured: bool = False

    def team_on(self, day: date, role: str) -> User:
        """Who held the role that day; the inspector covers a gap, else whoever served longest ago."""
        for wanted in (role, Role.INSPECTOR):
            for m in self.memberships:
                if m.role == wanted and m.start_date <= day and (m.end_date is None or m.end_date >= day):
                    return m.user
        return self.memberships[-1].user


@dataclass
class _Rows:
    priorities: list[Priority] = field(default_factory=list)
    wards: list[tuple[Priority, int]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    updates: list[ActionUpdate] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    sign_offs: list[SignOff] = field(default_factory=list)
    events: list[PriorityEvent] = field(default_factory=list)
    followed: list[Priority] = field(default_factory=list)


@transaction.atomic
def demo_priorities_seed(*, force: Force, today: date | None = None) -> DemoPrioritiesSummary:
    """Give each neighbourhood of the demo force its priorities, made from the issues raised at
    its meetings up to `today`. Neighbourhoods that already have priorities are left alone."""
    today = today or timezone.localdate()
    # As the meetings demo does: the start of `today`, so the output does not depend on the hour.
    as_of = min(datetime.combine(today, time(0, 0), tzinfo=timezone.get_current_timezone()), timezone.now())
    neighbourhoods = Neighbourhood.objects.in_force(force).exclude(priorities__isnull=False).select_related("division")
    rows = _Rows()
    for area in _areas(list(neighbourhoods.order_by("code")), as_of=as_of, today=today):
        for n, fate in enumerate(_fates(area)):
            _Planner(area, rows, n).plan(fate)
    _write(rows)
    total = Priority.objects.filter(neighbourhood__division__force=force).count()
    return DemoPrioritiesSummary(created=len(rows.priorities), total=total)


def _areas(neighbourhoods: list[Neighbourhood], *, as_of: datetime, today: date) -> list[_Area]:
    ids = [n.pk for n in neighbourhoods]
    meetings, pools, teams = {}, {}, {}
    held = Meeting.objects.held().filter(neighbourhood__in=ids, meeting_type__in=DECIDING)
    held = held.filter(outcome_recorded_at__lte=as_of)
    fields = ("pk", "uid", "neighbourhood_id", "title", "starts_at", "ends_at", "status", "outcome_recorded_at")
    for m in held.only(*fields).order_by("starts_at", "pk"):
        meetings.setdefault(m.neighbourhood_id, []).append(m)
    issues = Issue.objects.filter(neighbourhood__in=ids, status=IssueStatus.NEW, source=IssueSource.MEETING)
    for issue in issues.filter(created_at__lte=as_of).order_by("created_at", "pk"):
        pools.setdefault(issue.neighbourhood_id, []).append(issue)
    for m in (
        TeamMembership.objects.filter(neighbourhood__in=ids)
        .select_related("user__agency")
        .order_by("-start_date", "user__email")
    ):
        teams.setdefault(m.neighbourhood_id, []).append(m)
    housing = {a.name: a for a in PartnerAgency.objects.filter(name__in=HOUSING_PROVIDERS.values())}
    featured = Ward.objects.filter(code=FEATURED_WARD).values_list("neighbourhood_id", flat=True).first()
    areas = []
    for nb in neighbourhoods:
        officers = [m for m in teams.get(nb.pk, []) if m.role != Role.PARTNER]
        if not meetings.get(nb.pk) or not pools.get(nb.pk) or not officers:
            continue
        partners = [m.user for m in teams[nb.pk] if m.role == Role.PARTNER and m.user.agency_id]
        agencies = {kind: _agency_of(partners, kind) for kind in (COUNCIL, FIRE)}
        agencies[HOUSING] = (housing.get(HOUSING_PROVIDERS.get(nb.division.code, "")), None)
        area = _Area(
            neighbourhood=nb, rng=random.Random(f"{SEED}:{nb.code}"),  # noqa: S311 - demo data, not security
            meetings=meetings[nb.pk], pool=pools[nb.pk], memberships=officers, agencies=agencies,
            as_of=as_of, today=today, featured=nb.pk == featured,
        )  # fmt: skip
        areas.append(area)
    return areas


def _agency_of(partners: list[User], kind: str) -> tuple[PartnerAgency | None, User | None]:
    user = next((u for u in partners if u.agency.kind == kind), None)
    return (user.agency, user) if user else (None, None)


def _fates(area: _Area) -> list[_Fate]:
    """What becomes of the neighbourhood's priorities, oldest first. The featured neighbourhood's
    are fixed, so the demo logins always find the same story there."""
    if area.featured:
        return [
            _Fate(S.SIGNED_OFF), _Fate(S.SIGNED_OFF), _Fate(S.SIGNED_OFF), _Fate(S.NOT_ADOPTED), _Fate(S.RESOLVED),
            _Fate(S.ESCALATED, past_review=True, overdue=True), _Fate(S.IN_ACTION, named_partner=True),
            _Fate(S.AGREED), _Fate(S.PROPOSED),
        ]  # fmt: skip
    rng = area.rng
    fates = [_Fate(S.SIGNED_OFF) for _ in range(rng.randint(1, 3))]
    fates += [_Fate(S.NOT_ADOPTED)] if rng.random() < 0.3 else []
    fates += [_Fate(S.REOPENED)] if rng.random() < 0.15 else []
    fates += [_Fate(S.RESOLVED)] if rng.random() < 0.35 else []
    fates += [_Fate(state, past_review=rng.random() < 0.2) for state in rng.choice(CURRENT_MIXES)]
    return fates + ([_Fate(S.PROPOSED)] if rng.random() < 0.4 else [])


class _Planner:
    """Plans one priority, step by step on a clock that never passes the start of `today`:
    its issues and meeting, its actions and their logs, and the audit row of every step."""

    def __init__(self, area: _Area, rows: _Rows, n: int):
        self.area, self.rows, self.rng = area, rows, area.rng
        self.reference = uuid.uuid5(REF_NAMESPACE, f"{area.neighbourhood.code}/{n}")

    def plan(self, fate: _Fate) -> None:
        area, rng = self.area, self.rng
        since = area.as_of - rng.randint(*AGE[fate.state]) * DAY
        first = next((n for n, m in enumerate(area.meetings) if m.starts_at >= since), len(area.meetings) - 1)
        # The first meeting from then on with an issue raised by its time (early ones may have none).
        for meeting in area.meetings[first:]:
            if issues := self._take_issues(meeting):
                break
        else:
            return
        self.fate, self.meeting, self.play = fate, meeting, PLAYS.get(issues[0].category, PLAYS["other"])
        self.pcso = area.team_on(meeting.starts_at.date(), Role.PCSO)
        self.sergeant = area.team_on(meeting.starts_at.date(), Role.SERGEANT)
        # Proposed at the meeting, or when its write-up logged the issues raised there.
        raised = max(meeting.ends_at - timedelta(minutes=40), max(i.created_at for i in issues) + HOUR)
        self.clock = min(raised, area.as_of - 2 * HOUR)
        self.priority = self._priority(issues)
        self._event("propose", self.pcso, changes={"state": [None, S.PROPOSED]})
        if fate.state == S.NOT_ADOPTED:
            reason = self.priority.not_adopted_reason = rng.choice(NOT_ADOPTED_REASONS)
            self._move("not_adopt", self.sergeant, S.NOT_ADOPTED, minutes=25, not_adopted_reason=["", reason])
        elif fate.state != S.PROPOSED:
            # Agreed by the meeting that heard it, as the agreement rule asks (priorities.agreement).
            self.priority.agreed_at_meeting = self.meeting
            self._move("agree", self.sergeant, S.AGREED, minutes=25)
            self._work()
        if area.featured and self.priority.state in (S.IN_ACTION, S.ESCALATED):
            self.rows.followed.append(self.priority)  # the demo resident follows what is being worked on

    def _take_issues(self, meeting: Meeting) -> list[Issue]:
        """The meeting's own issue if it has one, else the latest raised before it, with up to two
        more of the same category from the three months before."""
        pool, until = self.area.pool, meeting.outcome_recorded_at
        candidates = [i for i in pool if until - 90 * DAY <= i.created_at <= until]
        candidates = candidates or [i for i in pool if i.created_at <= until]
        if not candidates:
            return []
        seed = next((i for i in candidates if i.meeting_id == meeting.pk), candidates[-1])
        same = [i for i in candidates if i.category == seed.category and i is not seed]
        taken = [seed, *self.rng.sample(same, min(len(same), self.rng.randint(0, 2)))]
        for issue in taken:
            pool.remove(issue)
        return taken

    def _priority(self, issues: list[Issue]) -> Priority:
        area, rng, play, state = self.area, self.rng, self.play, self.fate.state
        if self.fate.past_review:
            review = area.today - rng.randint(3, 20) * DAY
        elif state in (S.IN_ACTION, S.ESCALATED, S.AGREED, S.REOPENED, S.PROPOSED):
            review = area.today + rng.randint(7, 40) * DAY
        else:
            review = self.meeting.starts_at.date() + 35 * DAY
        residents = sum(i.supporters for i in issues)
        priority = Priority(
            reference=self.reference, neighbourhood=area.neighbourhood, title=issues[0].description[:150],
            category=issues[0].category, state=S.PROPOSED, proposed_at_meeting=self.meeting,
            public_problem=f"{issues[0].description}. {play.problem}",
            evidence=f"{play.evidence.format(n=rng.randint(6, 40))} {residents} residents raised it at meetings.",
            restricted_notes=rng.choice(RESTRICTED_NOTES) if rng.random() < 0.3 else "",
            review_date=review, proposed_by=self.pcso, created_at=self.clock, state_changed_at=self.clock,
        )  # fmt: skip
        priority.clean_fields(exclude=["neighbourhood", "proposed_at_meeting", "proposed_by"])
        self.rows.priorities.append(priority)
        self.rows.wards += [(priority, ward_id) for ward_id in sorted({i.ward_id for i in issues})]
        for issue in issues:
            issue.status, issue.priority = IssueStatus.LINKED, priority
        self.rows.issues += issues
        return priority

    def _tick(self, *, at: datetime | None = None, minutes: float = 0) -> datetime:
        self.clock = min(max(at or self.clock, self.clock) + timedelta(minutes=minutes), self.area.as_of - HOUR)
        return self.clock

    def _event(self, verb: str, actor: User, *, at: datetime | None = None, changes=None, note: str = "") -> None:
        event = PriorityEvent(priority=self.priority, actor=actor, verb=verb, changes=changes or {}, note=note)
        event.at = at or self.clock
        self.rows.events.append(event)

    def _move(self, verb: str, actor: User, state: str, *, at=None, minutes=1, note: str = "", **changes) -> None:
        """A transition as services._move records it, at `at` or a little after the last step."""
        when = self._tick(at=at, minutes=minutes)
        self._event(verb, actor, at=when, changes={"state": [self.priority.state, state], **changes}, note=note)
        self.priority.state, self.priority.state_changed_at = state, when

    def _work(self) -> None:
        """From agreement on: the actions agreed at the meeting, their logs, the later steps."""
        fate, rng, as_of = self.fate, self.rng, self.area.as_of
        agreed_at = self._tick(minutes=20)
        actions = self._actions()
        if fate.state == S.AGREED:
            return
        finish = as_of - HOUR  # open priorities are still being worked
        if fate.state == S.RESOLVED:
            finish = as_of - rng.randint(5, 40) * DAY
        elif fate.state in (S.SIGNED_OFF, S.REOPENED):
            # Resolved with time left for a sign-off meeting (and, for a reopened one, for it to come back).
            finish = min(agreed_at + rng.randint(45, 150) * DAY, as_of - 40 * DAY)
        finish = max(finish, agreed_at + 3 * DAY)
        started = agreed_at + min(rng.randint(2, 10) * DAY, (finish - agreed_at) / 4)
        self._updates(actions, started=started, finish=finish)
        self._move("start", actions[0].owner_officer or self.pcso, S.IN_ACTION, at=started)
        self._escalation(started, finish)
        self.priority.public_update = self.play.update
        if fate.state not in (S.IN_ACTION, S.ESCALATED):
            self._close(finish)

    def _escalation(self, started: datetime, finish: datetime) -> None:
        fate, rng = self.fate, self.rng
        if fate.state != S.ESCALATED and rng.random() > 0.25:
            return
        forum = rng.choice(self.play.forums)
        up = started + (finish - started) * rng.uniform(0.15, 0.4)
        escalation = Escalation(priority=self.priority, forum=forum, reason=ESCALATION_REASONS[forum],
                                escalated_by=self.sergeant)  # fmt: skip
        self.rows.escalations.append(escalation)
        note = f"{escalation.get_forum_display()}: {escalation.reason}"
        self._move("escalate", self.sergeant, S.ESCALATED, at=up, note=note)
        escalation.escalated_at = self.clock
        if fate.state == S.ESCALATED:
            return
        down = up + (finish - up) * rng.uniform(0.3, 0.7)
        escalation.de_escalation_reason = rng.choice(DE_ESCALATION_REASONS)
        self._move("de_escalate", self.sergeant, S.IN_ACTION, at=down, note=escalation.de_escalation_reason)
        escalation.de_escalated_at, escalation.de_escalated_by = self.clock, self.sergeant

    def _close(self, resolved_at: datetime) -> None:
        rng, priority = self.rng, self.priority
        numbers = {"n": rng.randint(3, 30), "pct": rng.randint(25, 60), "high": rng.randint(34, 42)}
        outcome = priority.public_outcome = self.play.outcome.format(low=rng.randint(22, 29), **numbers)
        self._move("resolve", self.sergeant, S.RESOLVED, at=resolved_at, public_outcome=["", outcome])
        if self.fate.state == S.RESOLVED:
            return
        sign_off = self._sign_off(self.clock)
        if sign_off is not None:
            self._move("sign_off", sign_off.recorded_by, S.SIGNED_OFF, at=sign_off.recorded_at,
                       note=str(sign_off.get_method_display()))  # fmt: skip
            sign_off.recorded_at = self.clock
        if self.fate.state == S.REOPENED:
            back = max(self.clock + 7 * DAY, self.area.as_of - rng.randint(10, 45) * DAY)
            self._move("reopen", self.sergeant, S.REOPENED, at=back, note=REOPEN_NOTE)
            priority.public_update = REOPEN_UPDATE
            self._action(self.play.actions[0], due=self.area.today + rng.randint(14, 30) * DAY, public=True)

    def _sign_off(self, resolved_at: datetime) -> SignOff | None:
        """Signed off at the first deciding meeting a day or more after the resolution; with none
        held since, it waits, resolved (the community signs off only at a meeting, or by a vote)."""
        area = self.area
        later = next((m for m in area.meetings if m.starts_at > resolved_at + DAY), None)
        if later is None:
            return None
        at = max(later.ends_at - timedelta(minutes=10), later.outcome_recorded_at - timedelta(minutes=10))
        sign_off = SignOff(priority=self.priority, method=SignOffMethod.MEETING, meeting=later, recorded_at=at,
                           recorded_by=area.team_on(at.date(), Role.PCSO))  # fmt: skip
        self.rows.sign_offs.append(sign_off)
        return sign_off

    def _actions(self) -> list[Action]:
        rng, fate, today = self.rng, self.fate, self.area.today
        plays = self.play.actions
        chosen = [plays[0], *rng.sample(plays[1:], min(len(plays) - 1, rng.randint(1, 2)))]
        if fate.named_partner and all(kind != COUNCIL for _, kind in chosen):
            chosen.append(("Council community safety team to visit the households affected", COUNCIL))
        actions = []
        for n, spec in enumerate(chosen):
            due = self.clock.date() + rng.randint(14, 56) * DAY
            if fate.state == S.AGREED:
                due = max(due, today + rng.randint(7, 35) * DAY)
            if fate.overdue and n == 0:
                due = today - 6 * DAY
            if fate.named_partner and spec[1] == COUNCIL:
                due = today + rng.randint(10, 30) * DAY  # still open, so the partner login has work to update
            actions.append(self._action(spec, due=due, public=True, named=fate.named_partner or rng.random() < 0.5))
        if rng.random() < 0.35:
            actions.append(self._action((self.play.hidden, OFFICER), due=self.clock.date() + 28 * DAY, public=False))
        return actions

    def _action(self, spec: tuple[str, str], *, due: date, public: bool, named: bool = False) -> Action:
        description, kind = spec
        agency, user = self.area.agencies.get(kind, (None, None))
        action = Action(priority=self.priority, description=description, due_date=due, is_public=public,
                        status=ActionStatus.OPEN, created_at=self._tick(minutes=2))  # fmt: skip
        if agency is None:  # no such partner here: the team takes it on
            action.owner_officer = self.area.team_on(self.clock.date(), self.rng.choice([Role.PCSO, Role.CONSTABLE]))
        else:
            action.owner_agency, action.owner_partner_user = agency, user if named else None
        action.clean_fields(exclude=["priority", "owner_officer", "owner_agency", "owner_partner_user"])
        self.rows.actions.append(action)
        self._event("action_add", self.sergeant, note=f"{description} (owner: {_owner_label(action)})")
        return action

    def _updates(self, actions: list[Action], *, started: datetime, finish: datetime) -> None:
        """Each action's dated log. Under a closed priority every action ends done (a few dropped);
        under an open one, those due before today are done unless left overdue."""
        rng, today, closed = self.rng, self.area.today, self.fate.state in (S.RESOLVED, S.SIGNED_OFF, S.REOPENED)
        for n, action in enumerate(actions):
            overdue = action.due_date < today and (rng.random() < 0.3 or (self.fate.overdue and n == 0))
            final = ActionStatus.IN_PROGRESS
            if closed:
                final = ActionStatus.DROPPED if rng.random() < 0.08 else ActionStatus.DONE
            elif action.due_date < today and not overdue:
                final = ActionStatus.DONE
            first = started if n == 0 else started + (finish - started) * rng.uniform(0, 0.3)
            end = finish if final == ActionStatus.IN_PROGRESS else first + (finish - first) * rng.uniform(0.5, 1)
            count = rng.randint(1, 3)
            times = [first, *sorted(first + (end - first) * rng.uniform(0.1, 1) for _ in range(count - 1))]
            for i, at in enumerate(times):
                last = i == count - 1 and final != ActionStatus.IN_PROGRESS
                self._update(action, at, final if last else ActionStatus.IN_PROGRESS if i == 0 else None)

    def _update(self, action: Action, at: datetime, status: str | None) -> None:
        rng = self.rng
        public = action.is_public and rng.random() < 0.65
        owner = action.owner_agency.kind if action.owner_agency is not None else OFFICER
        pool = PUBLIC_UPDATES.get(owner, PUBLIC_UPDATES[COUNCIL]) if public else HIDDEN_UPDATES
        text = rng.choice(pool).format(n=rng.randint(2, 24), place=_place(self.priority.title))
        if status == ActionStatus.DROPPED:
            text = "Dropped: the problem had stopped before this was needed."
        author = action.owner_officer or action.owner_partner_user or self.area.team_on(at.date(), Role.PCSO)
        if action.owner_agency is not None and action.owner_partner_user is None:
            text = f"Update from {action.owner_agency.name}: {text}"  # logged by the team for the agency
        self.rows.updates.append(ActionUpdate(action=action, text=text, is_public=public, author=author, created_at=at))
        changes = {"action_status": [action.status, status]} if status and status != action.status else {}
        action.status = status or action.status
        self._event("action_update", author, at=at, changes=changes, note=f"{action.description[:60]}: {text}")


def _place(title: str) -> str:
    """Where a title says the problem is: "Speeding on Church Street" -> "Church Street"."""
    for word in (" on ", " near ", " off ", " by ", " in ", " at "):
        if word in title:
            return title.rsplit(word, 1)[1]
    return "the area"


def _owner_label(action: Action) -> str:
    if action.owner_agency is not None:
        user = action.owner_partner_user
        return f"{action.owner_agency.name} ({user.full_name})" if user else action.owner_agency.name
    return action.owner_officer.public_title


def _write(rows: _Rows) -> None:
    """Write every planned row in bulk. The services take several queries a step, which for a
    force's worth of priorities would blow seed_demo's one-minute budget, so the planner keeps
    their rules (legal transitions in order, an owner and due date for every action, one open
    escalation, a sign-off of the right kind) and the database enforces the constraints."""
    Priority.objects.bulk_create(rows.priorities, batch_size=500)
    through = Priority.wards.through
    through.objects.bulk_create([through(priority_id=p.pk, ward_id=w) for p, w in rows.wards], batch_size=2000)
    Issue.objects.bulk_update(rows.issues, ["status", "priority"], batch_size=500)
    Action.objects.bulk_create(rows.actions, batch_size=1000)
    for model, objects in ((ActionUpdate, rows.updates), (Escalation, rows.escalations), (SignOff, rows.sign_offs)):
        model.objects.bulk_create(objects, batch_size=1000)
    PriorityEvent.objects.bulk_create(sorted(rows.events, key=lambda e: e.at), batch_size=2000)
    Follower.objects.bulk_create(
        [Follower(priority=p, email=DEMO_FOLLOWER, token=uuid.uuid5(REF_NAMESPACE, f"follow/{p.reference}"),
                  created_at=p.state_changed_at, confirmed_at=p.state_changed_at) for p in rows.followed]
    )  # fmt: skip
