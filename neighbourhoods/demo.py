"""The demo force: a Lancashire-like force built from the real ONS ward files.

Deterministic and idempotent: the same wards always make the same neighbourhoods, teams and
logins, and running it again updates rather than duplicates. Population figures, risk grades
and people are synthetic and labelled so; the ward boundaries are real.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from shapely.geometry import shape
from shapely.ops import unary_union

from accounts.models import AgencyKind, PartnerAgency, User
from accounts.roles import Role
from meetings.demo import demo_meetings_seed
from messaging.demo.seed import demo_messaging_seed
from messaging.demo.streets import demo_streets_seed
from neighbourhoods.models import (
    District,
    Division,
    EngagementMethod,
    Force,
    LocationType,
    Neighbourhood,
    NeighbourhoodLink,
    NeighbourhoodLocation,
    RiskCategory,
    SeniorOfficer,
    TeamMembership,
    Ward,
)
from neighbourhoods.selectors import district_names_beside
from neighbourhoods.services import wards_import_geojson
from priorities.demo import demo_priorities_seed
from priorities.partners.demo import demo_partner_offers_seed
from priorities.tasking.demo import demo_tasking_seed
from priorities.voting.demo import demo_votes_seed
from surveys.demo import demo_surveys_seed

DATA_DIR = Path(settings.BASE_DIR) / "neighbourhoods" / "data" / "lancashire-wards"
DEMO_PASSWORD = "pact-demo-2026"  # noqa: S105 - published demo login, documented in the README
DEMO_DOMAIN = "demo.pact.example"
# Daneshouse with Stoneyholme: HMIC 2008 (H383) names it the Pennine division's highest-priority ward.
FEATURED_WARD = "E05005155"

DIVISIONS = {
    "west": ("West Division", ["E06000009", "E07000119", "E07000128", "E07000121"]),
    "south": ("South Division", ["E07000123", "E07000118", "E07000126", "E07000127"]),
    "east": ("East Division", ["E07000117", "E07000122", "E07000120", "E07000125", "E06000008", "E07000124"]),
}
# The council each district's partner user works for.
COUNCIL_SUFFIX = {"E06000008": "Borough Council", "E06000009": "Council"}

FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Daniel", "Emma", "Faisal", "Grace", "Harry", "Imran", "Jade", "Kieran", "Laura",
    "Mohammed", "Nadia", "Oliver", "Priya", "Rebecca", "Sam", "Tom", "Usman", "Victoria", "Wes", "Yasmin", "Zoe",
    "Adam", "Bethany", "Callum", "Danielle", "Ewan", "Fatima", "Gareth", "Hannah", "Jack", "Katie", "Liam", "Megan",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hussain", "Iqbal", "Jones", "Khan",
    "Lewis", "Mitchell", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Shah", "Taylor", "Walsh", "Wilson",
    "Wood", "Young", "Ashworth", "Barker", "Crossley", "Dewhurst", "Entwistle", "Haworth", "Pilling", "Whittaker",
]  # fmt: skip


def _stable_int(text: str) -> int:
    """A number derived from text that never changes between runs (unlike hash())."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _person_name(seed: str) -> str:
    n = _stable_int(seed)
    return f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // 97) % len(LAST_NAMES)]}"


@dataclass
class DemoSummary:
    wards: int = 0
    divisions: int = 0
    neighbourhoods: int = 0
    users: int = 0
    meetings: int = 0
    priorities: int = 0
    subscribers: int = 0
    surveys: int = 0
    survey_responses: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def _import_wards(data_dir: Path) -> None:
    for path in sorted(data_dir.glob("*.json")):
        wards_import_geojson(
            text=path.read_text(encoding="utf-8"), source=path.name, district_names=district_names_beside(path=path)
        )


def _group_adjacent_wards(wards: list[Ward]) -> list[list[Ward]]:
    """Neighbourhoods of one to three adjacent wards, grouped greedily in ONS code order."""
    geometries = {w.pk: shape(w.boundary).buffer(0.0005) for w in wards}
    unassigned = sorted(wards, key=lambda w: w.code)
    groups = []
    while unassigned:
        seed = unassigned.pop(0)
        target = (1, 2, 2, 3, 2, 3)[_stable_int(seed.code) % 6]
        group = [seed]
        for candidate in list(unassigned):
            if len(group) >= target:
                break
            if any(geometries[candidate.pk].intersects(geometries[member.pk]) for member in group):
                group.append(candidate)
                unassigned.remove(candidate)
        groups.append(group)
    return groups


def _group_name(group: list[Ward]) -> str:
    names = [w.name for w in group]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _grade_ward(ward: Ward) -> None:
    n = _stable_int(ward.code)
    ward.population = 4500 + n % 4000
    if ward.code == FEATURED_WARD:
        ward.is_priority_neighbourhood, ward.risk_category = True, RiskCategory.HIGH
    else:
        ward.is_priority_neighbourhood = n % 9 == 0
        ward.risk_category = (RiskCategory.LOW, RiskCategory.MEDIUM, RiskCategory.MEDIUM, RiskCategory.HIGH)[
            (n // 7) % 4
        ]


def _build_neighbourhoods(force: Force) -> dict[str, list[Neighbourhood]]:
    by_district: dict[str, list[Neighbourhood]] = {}
    for division_code, (division_name, district_codes) in DIVISIONS.items():
        division, _ = Division.objects.update_or_create(
            force=force,
            code=division_code,
            defaults={"name": division_name, "description": f"{division_name} of the demo force."},
        )
        for district in District.objects.filter(code__in=district_codes):
            wards = list(district.wards.all())
            by_district[district.code] = []
            for group in _group_adjacent_wards(wards):
                for ward in group:
                    _grade_ward(ward)
                union = unary_union([shape(w.boundary) for w in group])
                centre = union.representative_point()
                name = _group_name(group)
                neighbourhood, _ = Neighbourhood.objects.update_or_create(
                    code=slugify(f"{district.name} {group[0].name}")[:80],
                    defaults={
                        "division": division,
                        "name": name,
                        "description": f"The {name} neighbourhood policing team serves {len(group)} ward"
                        f"{'s' if len(group) > 1 else ''} of {district.name}.",
                        "population": sum(w.population for w in group),
                        "public_email": f"{slugify(district.name)}.npt@{DEMO_DOMAIN}",
                        "public_telephone": "101",
                        "centre_latitude": round(centre.y, 6),
                        "centre_longitude": round(centre.x, 6),
                    },
                )
                for ward in group:
                    ward.neighbourhood = neighbourhood
                Ward.objects.bulk_update(
                    group, ["neighbourhood", "population", "is_priority_neighbourhood", "risk_category"]
                )
                by_district[district.code].append(neighbourhood)
    return by_district


class _People:
    def __init__(self, force: Force):
        self.force = force
        self.password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes
        self.count = 0

    def user(self, email: str, *, full_name: str, role: str, **extra) -> User:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={"full_name": full_name, "role": role, "force": self.force, "password": self.password, **extra},
        )
        self.count += 1
        return user

    @staticmethod
    def member(user: User, neighbourhood: Neighbourhood, role: str, start: date, end: date | None = None) -> None:
        TeamMembership.objects.update_or_create(
            user=user, neighbourhood=neighbourhood, start_date=start, defaults={"role": role, "end_date": end}
        )


def _agency(name: str, kind: str) -> PartnerAgency:
    return PartnerAgency.objects.update_or_create(name=name, defaults={"kind": kind})[0]


def _team_email(role: str, neighbourhood: Neighbourhood, featured: Neighbourhood) -> str:
    return f"{role}@{DEMO_DOMAIN}" if neighbourhood == featured else f"{role}.{neighbourhood.code}@{DEMO_DOMAIN}"


def _build_people(force: Force, by_district: dict[str, list[Neighbourhood]]) -> int:
    people = _People(force)
    featured = Ward.objects.select_related("neighbourhood").get(code=FEATURED_WARD).neighbourhood
    districts = {d.code: d for d in District.objects.all()}
    for district_code, neighbourhoods in by_district.items():
        district = districts[district_code]
        division = neighbourhoods[0].division
        for i, nb in enumerate(neighbourhoods):
            start = date(2023 + i % 3, 1 + i % 12, 1)
            for role in (Role.PCSO, Role.CONSTABLE, Role.SERGEANT):
                user = people.user(
                    _team_email(role, nb, featured), full_name=_person_name(f"{nb.code}:{role}"), role=role,
                    division=division, collar_number=str(1000 + _stable_int(f"{nb.code}{role}") % 9000),
                )  # fmt: skip
                people.member(user, nb, role, start)
            if i % 4 == 0:
                # A predecessor whose posting ended: continuity of staff is something forces report on.
                former = people.user(
                    f"former-pcso.{nb.code}@{DEMO_DOMAIN}", full_name=_person_name(f"{nb.code}:former"),
                    role=Role.PCSO, division=division,
                )  # fmt: skip
                people.member(former, nb, Role.PCSO, date(2021, 4, 1), end=date(start.year - 1, 12, 31))
        inspector_email = f"inspector@{DEMO_DOMAIN}" if featured in neighbourhoods else None
        inspector = people.user(
            inspector_email or f"inspector.{slugify(district.name)}@{DEMO_DOMAIN}",
            full_name=_person_name(f"{district.code}:inspector"), role=Role.INSPECTOR, division=division,
        )  # fmt: skip
        council = f"{district.name} {COUNCIL_SUFFIX.get(district.code, 'Borough Council')}"
        partner = people.user(
            f"partner@{DEMO_DOMAIN}" if featured in neighbourhoods else f"asb.{slugify(district.name)}@{DEMO_DOMAIN}",
            full_name=_person_name(f"{district.code}:partner"), role=Role.PARTNER, division=division,
            agency=_agency(council, AgencyKind.COUNCIL),
        )  # fmt: skip
        for nb in neighbourhoods:
            people.member(inspector, nb, Role.INSPECTOR, date(2024, 1, 1))
            people.member(partner, nb, Role.PARTNER, date(2024, 1, 1))
    for division in Division.objects.filter(force=force):
        email = (
            f"chief-inspector@{DEMO_DOMAIN}"
            if division == featured.division
            else f"chief-inspector.{division.code}@{DEMO_DOMAIN}"
        )
        people.user(email, full_name=_person_name(f"{division.code}:ci"), role=Role.CHIEF_INSPECTOR, division=division)
    east = Division.objects.filter(force=force, code="east").first()
    if east is not None:
        people.user(
            f"operations.east@{DEMO_DOMAIN}", full_name="Joanne Ashworth", role=Role.OPERATIONS_MANAGER, division=east
        )
    people.user(f"hq@{DEMO_DOMAIN}", full_name="Sarah Whitehead", role=Role.HQ)
    people.user(f"hq.analyst@{DEMO_DOMAIN}", full_name="Martin Greaves", role=Role.HQ)
    people.user(f"comms@{DEMO_DOMAIN}", full_name="Rachel Thornber", role=Role.COMMUNICATIONS)
    people.user(f"dpo@{DEMO_DOMAIN}", full_name="Helen Ashworth", role=Role.DATA_PROTECTION_OFFICER)
    people.user(
        f"admin@{DEMO_DOMAIN}", full_name="Neil Openshaw", role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True
    )
    fire = people.user(
        f"fire.east@{DEMO_DOMAIN}", full_name="Lee Duckworth", role=Role.PARTNER,
        agency=_agency("Lancashire Fire and Rescue Service", AgencyKind.FIRE), division=featured.division,
    )  # fmt: skip
    for nb in by_district.get("E07000117", []):
        people.member(fire, nb, Role.PARTNER, date(2024, 6, 1))
    people.user(f"resident@{DEMO_DOMAIN}", full_name="Amina Rahman", role=Role.RESIDENT)
    for i in range(1, 21):
        people.user(f"resident{i}@{DEMO_DOMAIN}", full_name=_person_name(f"resident:{i}"), role=Role.RESIDENT)
    return people.count


# What the force publishes about itself for police.uk clients. The officers are synthetic, like
# every other person in the demo; the engagement channels are the kinds Lancashire used.
ENGAGEMENT_METHODS = [
    ("In the Know", "https://www.lancashire.police.uk/in-the-know",
     "Messages about crime and policing where you live, by email, text or voice."),
    ("Report online", "https://www.lancashire.police.uk/ro/report",
     "Tell us about crime and anti-social behaviour that is not an emergency."),
    ("Facebook", "https://www.facebook.com/lancashirepolice", "News and appeals from across the county."),
]  # fmt: skip
SENIOR_OFFICERS = [
    ("Chief Constable", "leads the force and answers to the Police and Crime Commissioner"),
    ("Deputy Chief Constable", "leads the force's standards, performance and change programme"),
    ("Assistant Chief Constable", "leads local policing, including every neighbourhood policing team"),
]


def _build_publications(force: Force, by_district: dict[str, list[Neighbourhood]]) -> None:
    """The force's engagement channels and chief officers, and for every neighbourhood its
    district's front counter and a link to its council: what police.uk clients read."""
    for position, (title, url, description) in enumerate(ENGAGEMENT_METHODS):
        EngagementMethod.objects.update_or_create(
            force=force, title=title, defaults={"url": url, "description": description, "position": position}
        )
    for position, (rank, remit) in enumerate(SENIOR_OFFICERS):
        name = _person_name(f"senior:{rank}")
        SeniorOfficer.objects.update_or_create(
            force=force,
            rank=rank,
            defaults={"name": name, "bio": f"{name} {remit}. (Demo person.)", "position": position},
        )
    districts = {d.code: d for d in District.objects.all()}
    for district_code, neighbourhoods in by_district.items():
        district = districts[district_code].name
        for nb in neighbourhoods:
            NeighbourhoodLocation.objects.update_or_create(
                neighbourhood=nb, name=f"{district} Police Station", defaults={
                    "location_type": LocationType.STATION, "address": f"Town centre, {district} (demo address)",
                    "description": "Front counter open 8am to 8pm. In an emergency always call 999.",
                },
            )  # fmt: skip
            council = f"{district} {COUNCIL_SUFFIX.get(district_code, 'Borough Council')}"
            NeighbourhoodLink.objects.update_or_create(
                neighbourhood=nb, title=council,
                defaults={"url": "https://www.gov.uk/find-local-council", "description": "Bins, roads and parks."},
            )  # fmt: skip


def demo_logins() -> list[tuple[str, str, str]]:
    """One demo login per role, as (role, email, area), for the README and `make run`."""
    featured = Ward.objects.select_related("neighbourhood__division").get(code=FEATURED_WARD).neighbourhood
    rows = [
        (Role.RESIDENT, "resident", "Burnley resident"),
        (Role.PCSO, "pcso", f"{featured.name} neighbourhood"),
        (Role.CONSTABLE, "constable", f"{featured.name} neighbourhood"),
        (Role.SERGEANT, "sergeant", f"{featured.name} neighbourhood"),
        (Role.INSPECTOR, "inspector", "every Burnley neighbourhood"),
        (Role.CHIEF_INSPECTOR, "chief-inspector", featured.division.name),
        (Role.HQ, "hq", "whole force"),
        (Role.COMMUNICATIONS, "comms", "whole force"),
        (Role.PARTNER, "partner", "Burnley Borough Council, every Burnley neighbourhood"),
        (Role.OPERATIONS_MANAGER, "operations.east", "East Division tasking"),
        (Role.SYSTEM_ADMIN, "admin", "whole force, Django admin"),
        (Role.DATA_PROTECTION_OFFICER, "dpo", "whole force, subject requests"),
    ]
    return [(role.label, f"{prefix}@{DEMO_DOMAIN}", where) for role, prefix, where in rows]


@transaction.atomic
def demo_force_seed(*, data_dir: Path = DATA_DIR) -> DemoSummary:
    """Build (or bring up to date) the demo force from the ward files in data_dir."""
    _import_wards(data_dir)
    force, _ = Force.objects.update_or_create(
        slug="lancashire",
        defaults={
            "name": "Lancashire Constabulary (demo)",
            "description": "A demonstration force built on Lancashire's real ward boundaries. "
            "People, populations and risk grades are synthetic.",
            "telephone": "101",
            "website": "https://www.lancashire.police.uk",
        },
    )
    by_district = _build_neighbourhoods(force)
    users = _build_people(force, by_district)
    _build_publications(force, by_district)
    meetings = demo_meetings_seed(force=force)
    priorities = demo_priorities_seed(force=force)
    demo_partner_offers_seed(featured_ward_code=FEATURED_WARD)
    demo_tasking_seed(force=force, email=f"operations.east@{DEMO_DOMAIN}")
    messaging = demo_messaging_seed(force=force)
    demo_streets_seed(force=force)
    surveys = demo_surveys_seed(force=force)
    # After the members and the census it counts and weights with.
    demo_votes_seed(force=force)
    return DemoSummary(
        wards=Ward.objects.count(),
        divisions=Division.objects.filter(force=force).count(),
        neighbourhoods=Neighbourhood.objects.filter(division__force=force).count(),
        users=users,
        meetings=meetings.total,
        priorities=priorities.total,
        subscribers=messaging.subscribers,
        surveys=surveys.surveys,
        survey_responses=surveys.responses,
        logins=demo_logins(),
    )
