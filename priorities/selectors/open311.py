"""Reads for Open311 GeoReport v2: the service catalogue, the public view of an issue as a
service request, and API keys.

The request list is public, but a resident's issue is not: the portal publishes priorities, not
the concerns behind them. So a service request carries what the public pages already show, or
could be read off them: the category, the ward (its centroid, never the pin), the dates, and
the public text of the priority the issue joined. Description, contact details, the pin and the
photo are never loaded here, so no serialiser can leak them.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.policy import can, scope_for
from neighbourhoods.models import Force
from priorities.models import (
    Action,
    Category,
    Issue,
    IssueStatus,
    Open311ApiKey,
    PriorityState,
)

S = PriorityState
# When the service catalogue below last changed, for Service Discovery: move it on with any change
# to a service or attribute, so clients know to fetch the definitions again.
CATALOGUE_CHANGESET = "2026-12-01T00:00:00Z"
# The spec's default window and its ceiling on what one GET returns.
DEFAULT_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000

# --- the service catalogue --------------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    code: str
    order: int
    description: str
    datatype: str
    required: bool
    values: tuple[tuple[str, str], ...] = ()
    datatype_description: str = ""
    variable: bool = True

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.values]


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: tuple[str, ...]
    attributes: tuple[Attribute, ...] = field(default=())

    @property
    def metadata(self) -> bool:
        return bool(self.attributes)


HAPPENING_NOW = Attribute(
    code="happening_now",
    order=1,
    description="Is it happening now?",
    datatype="singlevaluelist",
    required=True,
    values=(("yes", "Yes, it is happening now"), ("no", "No")),
    # A report waits for the team to read it; someone in danger cannot wait.
    datatype_description="If a crime is happening now or anyone is in danger, call 999 instead.",
)
WHEN = Attribute(
    code="when",
    order=2,
    description="When does it usually happen?",
    datatype="singlevaluelist",
    required=False,
    values=(
        ("morning", "In the morning"),
        ("daytime", "During the day"),
        ("evening", "In the evening"),
        ("night", "At night"),
        ("varies", "At different times"),
    ),
    datatype_description="Choose the time it happens most; it helps the team plan patrols.",
)
STREET_ATTRIBUTES = (HAPPENING_NOW, WHEN)

# (group, description, keywords, attributes) per category. Scams and "something else" have no
# street-level timing to ask about, so they need no service definition.
_CATALOGUE = {
    Category.ASB: ("anti-social behaviour", "Rowdy or intimidating behaviour, nuisance neighbours, "
                   "groups causing trouble.", ("nuisance", "noise", "youths", "rowdy"), STREET_ATTRIBUTES),
    Category.SPEEDING: ("roads", "Vehicles driven too fast or dangerously, racing, unsafe driving.",
                        ("speed", "racing", "dangerous driving", "road safety"), STREET_ATTRIBUTES),
    Category.DRUGS: ("crime", "Drug dealing or drug use in public places.",
                     ("dealing", "drug use", "cannabis", "needles"), STREET_ATTRIBUTES),
    Category.BURGLARY: ("crime", "Break-ins, or people trying doors and windows, at homes, sheds and businesses.",
                        ("break-in", "shed", "garage"), STREET_ATTRIBUTES),
    Category.CRIMINAL_DAMAGE: ("crime", "Graffiti, broken windows, damage to property or vehicles.",
                               ("graffiti", "vandalism", "damage"), STREET_ATTRIBUTES),
    Category.PARKING: ("roads", "Obstructive or dangerous parking, blocked pavements and driveways.",
                       ("obstruction", "pavement parking", "driveway"), STREET_ATTRIBUTES),
    Category.LITTER: ("anti-social behaviour", "Fly-tipping, litter and neglected spaces that draw trouble.",
                      ("fly-tipping", "rubbish", "dumping", "environment"), STREET_ATTRIBUTES),
    Category.VEHICLE_CRIME: ("crime", "Thefts of or from vehicles, and people trying car doors.",
                             ("car crime", "theft from vehicle", "catalytic converter"), STREET_ATTRIBUTES),
    Category.THEFT: ("crime", "Shoplifting, bike theft and other thefts.",
                     ("shoplifting", "bike theft", "stealing"), STREET_ATTRIBUTES),
    Category.VIOLENCE: ("crime", "Fights, threats and intimidation.",
                        ("assault", "fighting", "threats", "intimidation"), STREET_ATTRIBUTES),
    Category.HATE: ("crime", "Abuse or crime targeting someone because of who they are.",
                    ("hate incident", "racism", "harassment"), STREET_ATTRIBUTES),
    Category.FRAUD: ("scams", "Scam calls, letters, emails and doorstep fraud.",
                     ("scam", "fraud", "phishing"), ()),
    Category.ROGUE_TRADERS: ("scams", "Cold callers and traders pressuring residents into work or payments.",
                             ("cold calling", "doorstep", "builders"), STREET_ATTRIBUTES),
    Category.OTHER: ("other", "Any other concern for the neighbourhood team.", ("general",), ()),
}  # fmt: skip

SERVICES: dict[str, Service] = {
    str(category): Service(
        code=str(category),
        name=category.label,
        description=description,
        group=group,
        keywords=keywords,
        attributes=attributes,
    )
    for category, (group, description, keywords, attributes) in _CATALOGUE.items()
}


def service_list() -> list[Service]:
    return [SERVICES[code] for code in Category.values]


def service_get(*, code: str) -> Service | None:
    return SERVICES.get(code)


def service_record(service: Service) -> dict:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": service.metadata,
        "type": "realtime",
        "keywords": ", ".join(service.keywords),
        "group": service.group,
    }


def service_definition_record(service: Service) -> dict:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.datatype_description or None,
                "order": attribute.order,
                "description": attribute.description,
                "values": [{"key": key, "name": name} for key, name in attribute.values],
            }
            for attribute in sorted(service.attributes, key=lambda a: a.order)
        ],
    }


# --- status: an issue's Open311 status follows the issue and the priority it joined ------------

PRIORITY_CLOSED_STATES = (S.RESOLVED, S.SIGNED_OFF, S.NOT_ADOPTED)
PRIORITY_OPEN_STATES = (S.PROPOSED, S.AGREED, S.IN_ACTION, S.ESCALATED, S.REOPENED)
STATUSES = ("open", "closed")


def status_filter(status: str) -> Q:
    """The database's version of request_status(), so `status=` filters before the limit applies."""
    linked = Q(status=IssueStatus.LINKED)
    if status == "closed":
        return Q(status__in=[IssueStatus.MERGED, IssueStatus.CLOSED]) | (
            linked & Q(priority__state__in=PRIORITY_CLOSED_STATES)
        )
    return (
        Q(status=IssueStatus.NEW)
        | (linked & Q(priority__isnull=True))
        | (linked & Q(priority__state__in=PRIORITY_OPEN_STATES))
    )


def _public_priority(issue: Issue):
    """The priority the issue joined, if the public may read it (a proposal is not yet public)."""
    priority = issue.priority if issue.status == IssueStatus.LINKED else None
    return priority if priority is not None and priority.state != S.PROPOSED else None


def request_status(issue: Issue) -> tuple[str, str]:
    """(open or closed, status_notes). Notes are fixed wording or the priority's public text:
    an officer's reason for closing or merging may name people, so it is never published."""
    if issue.status == IssueStatus.NEW:
        return "open", f"Waiting for the {issue.neighbourhood.name} neighbourhood team to review it."
    if issue.status == IssueStatus.MERGED:
        target = issue.merged_into.reference if issue.merged_into_id else None
        return "closed", f"Duplicate request: joined with request {target}, which follows the same problem."
    if issue.status == IssueStatus.CLOSED:
        return "closed", "Closed by the neighbourhood team without becoming a neighbourhood priority."
    priority = _public_priority(issue)
    if priority is None:
        return "open", "Being considered as a neighbourhood priority at the next PACT meeting."
    if priority.state == S.NOT_ADOPTED:
        return "closed", f"Not taken on as a neighbourhood priority: {priority.not_adopted_reason}"
    if priority.state in (S.RESOLVED, S.SIGNED_OFF):
        signed = " and signed off by the community" if priority.state == S.SIGNED_OFF else ""
        return "closed", f"Part of the priority “{priority.title}”, resolved{signed}: {priority.public_outcome}"
    latest = priority.public_update or priority.public_problem
    state = priority.get_state_display().lower()
    return "open", f"Part of the neighbourhood priority “{priority.title}” ({state}): {latest}"


def agency_responsible(issue: Issue) -> str:
    """The neighbourhood team, then the partner agencies owning the priority's public actions."""
    team = f"{issue.neighbourhood.name} neighbourhood policing team"
    priority = _public_priority(issue)
    agencies = sorted({a.owner_agency.name for a in priority.agency_actions}) if priority else []
    return "; ".join([team, *agencies])


def w3c(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def service_request_record(issue: Issue) -> dict:
    """One issue as a GeoReport v2 service request, public fields only, in the spec's order."""
    status, notes = request_status(issue)
    priority = _public_priority(issue)
    updated = max(issue.created_at, priority.state_changed_at) if priority else issue.created_at
    expected = priority.review_date if priority and status == "open" and priority.review_date else None
    return {
        "service_request_id": str(issue.reference),
        "status": status,
        "status_notes": notes,
        "service_name": issue.get_category_display(),
        "service_code": issue.category,
        "description": None,
        "agency_responsible": agency_responsible(issue),
        "service_notice": None,
        "requested_datetime": w3c(issue.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(_start_of(expected)) if expected else None,
        "address": f"{issue.ward.name} ward, {issue.neighbourhood.name}",
        "address_id": issue.ward.code,
        "zipcode": None,
        "lat": issue.ward.centroid_latitude,
        "long": issue.ward.centroid_longitude,
        "media_url": None,
    }


# --- service requests -------------------------------------------------------------------------

PUBLIC_FIELDS = (
    "pk",
    "reference",
    "category",
    "status",
    "created_at",
    "ward__code",
    "ward__name",
    "ward__centroid_latitude",
    "ward__centroid_longitude",
    "neighbourhood__name",
    "priority__title",
    "priority__state",
    "priority__state_changed_at",
    "priority__review_date",
    "priority__public_problem",
    "priority__public_update",
    "priority__public_outcome",
    "priority__not_adopted_reason",
    "merged_into__reference",
)


def _service_requests() -> QuerySet[Issue]:
    """Two queries whatever the number of requests: the issues with their ward, neighbourhood,
    priority and merge target, then the partner agencies owning public actions."""
    agency_actions = (
        Action.objects.filter(is_public=True, owner_agency__isnull=False)
        .select_related("owner_agency")
        .only("pk", "priority_id", "owner_agency__name")
    )
    return (
        Issue.objects.select_related("ward", "neighbourhood", "priority", "merged_into")
        .only(*PUBLIC_FIELDS)
        .prefetch_related(Prefetch("priority__actions", queryset=agency_actions, to_attr="agency_actions"))
    )


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' filters, already checked. `references`, when given, overrides the rest."""

    references: tuple = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    force: Force | None = None


def service_requests_find(*, query: RequestQuery, limit: int = MAX_REQUESTS) -> list[Issue]:
    issues = _service_requests()
    if query.force is not None:
        issues = issues.filter(neighbourhood__division__force=query.force)
    if query.references:
        issues = issues.filter(reference__in=query.references)
    else:
        if query.service_codes:
            issues = issues.filter(category__in=query.service_codes)
        if query.start is not None:
            issues = issues.filter(created_at__gte=query.start)
        if query.end is not None:
            issues = issues.filter(created_at__lte=query.end)
        if query.statuses and set(query.statuses) != set(STATUSES):
            issues = issues.filter(status_filter(query.statuses[0]))
    return list(issues.order_by("-created_at", "-pk")[:limit])


def service_request_get(*, reference, force: Force | None = None) -> Issue | None:
    issues = _service_requests().filter(reference=reference)
    if force is not None:
        issues = issues.filter(neighbourhood__division__force=force)
    return issues.first()


def force_by_jurisdiction(*, jurisdiction_id: str) -> Force | None:
    return Force.objects.filter(slug=jurisdiction_id).first() if jurisdiction_id else None


# --- API keys ---------------------------------------------------------------------------------


def api_key_digest(presented: str) -> str:
    return hashlib.sha256(presented.encode()).hexdigest()


def api_key_presented_get(*, presented: str) -> Open311ApiKey | None:
    """The key a client presented, revoked or not, or None when it matches no key. The digest
    comparison takes the same time however much of it matches."""
    prefix, dot, _ = presented.partition(".")
    if not dot or not prefix:
        return None
    key = Open311ApiKey.objects.select_related("force").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, api_key_digest(presented)):
        return None
    return key


def forces_for_key_issue(*, user) -> QuerySet[Force]:
    """The forces a user may issue keys for: their own, or every force for an administrator
    not tied to one."""
    force_ids = scope_for(user).force_ids
    forces = Force.objects.all() if force_ids is None else Force.objects.filter(pk__in=force_ids)
    return forces.order_by("name")


def api_keys_for_user(*, user) -> QuerySet[Open311ApiKey]:
    """The keys of the user's forces, working ones first, newest first, each with how many
    requests it has filed."""
    force_ids = scope_for(user).force_ids
    keys = Open311ApiKey.objects.all() if force_ids is None else Open311ApiKey.objects.filter(force_id__in=force_ids)
    return (
        keys.select_related("force", "created_by", "revoked_by")
        .only(
            "pk",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
            "force__name",
            "created_by__full_name",
            "revoked_by__full_name",
        )
        .annotate(requests_filed=Count("requests"))
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-pk")
    )


def api_key_get_for_user(*, user, pk: int) -> Open311ApiKey:
    """A key of the user's forces; 404 for any other, so key ids in URLs tell nothing."""
    force_ids = scope_for(user).force_ids
    keys = Open311ApiKey.objects.select_related("force")
    if force_ids is not None:
        keys = keys.filter(force_id__in=force_ids)
    key = keys.filter(pk=pk).first()
    if key is None or not can(user, "open311.manage_keys"):
        raise Http404("No such key.")
    return key
