"""The demo force's PACT panels: a register for every neighbourhood, and attendance at its
held panel meetings.

Synthetic people: first names and surnames are drawn from common lists, organisations from the
kinds of body that sit on Lancashire's panels. Each neighbourhood draws from its own seeded
random.Random, so the output is the same for a given `today`. About a third of panels have a
resident in the chair (the rest a councillor or a community group's representative); some
members' terms have ended and a few begin later, so the register shows its history. Every held
panel meeting records the current members who came, always with the chair or vice-chair and at
least the quorum, so the priorities the demo agrees there stand.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from meetings.models import Meeting, MeetingStatus, MeetingType
from meetings.panels.models import (
    DEFAULT_QUORUM,
    Panel,
    PanelArea,
    PanelAttendance,
    PanelMember,
    PanelOffice,
    PanelRole,
    PublicDisplay,
)
from neighbourhoods.models import TeamMembership

SEED = "pact-demo-panels-1"
FIRST_NAMES = [
    "Aisha", "Bernard", "Carol", "Darren", "Elaine", "Farah", "Gareth", "Hannah", "Imran", "Joan", "Kieran",
    "Linda", "Mohammed", "Nadia", "Owen", "Pauline", "Qasim", "Rachel", "Saima", "Trevor", "Usman", "Valerie",
    "Wayne", "Yasmin", "Zofia", "Graham", "Shabana", "Declan", "Margaret", "Tariq",
]  # fmt: skip
SURNAMES = [
    "Ashworth", "Bibi", "Clegg", "Duckworth", "Entwistle", "Fielding", "Greenhalgh", "Hussain", "Iqbal", "Jackson",
    "Kowalski", "Lord", "Mahmood", "Nuttall", "Ormerod", "Patel", "Riley", "Shah", "Taylor", "Whittaker",
]  # fmt: skip
ORGANISATIONS = {
    PanelRole.COUNCILLOR: ["{council}"],
    PanelRole.PARTNER: ["{council} community safety team", "Calico Homes", "Lancashire Fire and Rescue Service"],
    PanelRole.BUSINESS: ["{area} Traders' Association", "Co-op, {area}", "{area} Pharmacy"],
    PanelRole.YOUTH: ["{area} Youth Council", "{area} High School student council"],
    PanelRole.COMMUNITY: [
        "{area} Residents' Association",
        "Jamia Mosque committee",
        "St Peter's Church",
        "{area} Neighbourhood Watch",
    ],  # fmt: skip
    PanelRole.RESIDENT: [""],
}
# The register's shape: five residents, a councillor, two partners, a business, a youth and a
# community group's representative.
ROLES = [PanelRole.RESIDENT] * 5 + [
    PanelRole.COUNCILLOR,
    PanelRole.PARTNER,
    PanelRole.PARTNER,
    PanelRole.BUSINESS,
    PanelRole.YOUTH,
    PanelRole.COMMUNITY,
]


def demo_panels_seed(*, neighbourhoods, today: date | None = None) -> int:
    """A panel for each of these neighbourhoods that has none (made by a member of its team);
    returns how many were made."""
    today = today or timezone.localdate()
    start = today - timedelta(days=365 * 3)
    made = 0
    members: list[PanelMember] = []
    for nb in neighbourhoods:
        if PanelArea.objects.filter(neighbourhood=nb).exists():
            continue
        rng = random.Random(f"{SEED}:{nb.code}")  # noqa: S311 - demo data, not security
        keeper = TeamMembership.objects.filter(neighbourhood=nb).order_by("pk").first()
        if keeper is None:
            continue
        panel = Panel.objects.create(name=f"{nb.name} PACT panel", quorum=DEFAULT_QUORUM, created_by=keeper.user)
        PanelArea.objects.create(panel=panel, neighbourhood=nb)
        members += _register(panel, nb, rng, start=start, today=today)
        made += 1
    for member in members:
        member.clean_fields(exclude=["panel"])
    PanelMember.objects.bulk_create(members)
    _attendance(neighbourhoods, today=today)
    return made


def _register(panel, nb, rng, *, start: date, today: date) -> list[PanelMember]:
    council = f"{nb.division.name.replace(' Division', '')} Council"
    people = []
    chair_index = 0 if rng.random() < 0.35 else rng.choice([5, 10])  # a resident, a councillor or a community group
    vice_index = 1 if chair_index else rng.choice([5, 10])
    offices = {chair_index: PanelOffice.CHAIR, vice_index: PanelOffice.VICE_CHAIR}
    for index, role in enumerate(ROLES):
        organisation = rng.choice(ORGANISATIONS[role]).format(council=council, area=nb.name)
        display = PublicDisplay.FIRST_NAME
        if organisation and rng.random() < 0.6:
            display = PublicDisplay.ORGANISATION
        elif rng.random() < 0.1:
            display = PublicDisplay.HIDDEN
        # The officers and the first six members serve throughout; the rest came and went.
        steady = index in (chair_index, vice_index) or index < 4
        term_starts = start + timedelta(days=0 if steady else rng.randint(0, 700))
        term_ends = None if steady or rng.random() < 0.6 else term_starts + timedelta(days=rng.randint(200, 500))
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        people.append(
            PanelMember(
                panel=panel, first_name=first, last_name=last, organisation=organisation, role=role,
                office=offices.get(index, ""),
                term_starts=term_starts, term_ends=term_ends,
                email=f"{first}.{last}.{panel.pk}{index}@example.org".lower(),
                telephone=f"01632 {rng.randint(960000, 960999)}", public_display=display,
            )
        )  # fmt: skip
    return people


def _attendance(neighbourhoods, *, today: date) -> None:
    held = (
        Meeting.objects.filter(neighbourhood__in=neighbourhoods, meeting_type=MeetingType.PANEL)
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(outcome_recorded_at__isnull=False, panel_attendance__isnull=True)
        .order_by("pk")
    )
    registers = {}
    for member in PanelMember.objects.filter(panel__areas__neighbourhood__in=neighbourhoods).distinct():
        registers.setdefault(member.panel_id, []).append(member)
    panel_of = dict(
        PanelArea.objects.filter(neighbourhood__in=neighbourhoods).values_list("neighbourhood_id", "panel_id")
    )
    rows = []
    for meeting in held:
        rng = random.Random(f"{SEED}:{meeting.uid}")  # noqa: S311 - demo data, not security
        day = timezone.localdate(meeting.starts_at)
        current = [m for m in registers.get(panel_of.get(meeting.neighbourhood_id), []) if m.is_current(day)]
        officers = [m for m in current if m.office]
        others = [m for m in current if not m.office]
        came = [rng.choice(officers), *rng.sample(others, k=min(len(others), rng.randint(DEFAULT_QUORUM, 7)))]
        rows += [PanelAttendance(meeting=meeting, member=m) for m in came]
    PanelAttendance.objects.bulk_create(rows, batch_size=1000)
