"""Reads for the staff side of priorities: the EPIC record, the neighbourhood's board, a partner
agency's actions and the briefing page.

Every list here costs a fixed number of queries however many priorities it shows: counts and
weights are correlated subqueries, related rows come in one prefetch each. Lists that never show
restricted text do not load it (`defer`), so a template cannot leak what it was never given.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import PartnerAgency, User
from accounts.policy import can, scope_for
from accounts.roles import NEIGHBOURHOOD_TEAM_ROLES, Role, ScopeLevel
from meetings.models import Meeting, MeetingStatus
from neighbourhoods.models import Division, Neighbourhood, TeamMembership, Ward
from neighbourhoods.selectors import neighbourhoods_where
from priorities import agreement
from priorities.models import (
    OPEN_STATES,
    Action,
    ActionStatus,
    ActionUpdate,
    Category,
    Escalation,
    Issue,
    Priority,
    PriorityEvent,
    PriorityState,
    SignOff,
)

S = PriorityState
RESTRICTED_FIELDS = ("evidence", "restricted_notes")
UNFINISHED = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
CLOSED_STATES = (S.SIGNED_OFF, S.NOT_ADOPTED)
# "Current" on the briefing: still being worked, or resolved and waiting for the community's word.
BRIEFING_STATES = (*OPEN_STATES, S.RESOLVED)
# Closed priorities stay on the board for about three monthly PACT cycles, so the team can
# still point to what the community signed off (or was told no to) at recent meetings.
RECENT_DAYS = 90
# The briefing is read every morning: "since yesterday" is the last 24 hours.
BRIEFING_WINDOW = timedelta(hours=24)

VERB_LABELS = {
    "propose": _("Proposed"),
    "agree": _("Agreed"),
    "start": _("Put in action"),
    "escalate": _("Escalated"),
    "de_escalate": _("De-escalated"),
    "resolve": _("Resolved"),
    "sign_off": _("Signed off"),
    "not_adopt": _("Not adopted"),
    "reopen": _("Reopened"),
    "edit": _("Edited"),
    "action_add": _("Action added"),
    "action_update": _("Action updated"),
    "issue_merged": _("More residents raised it"),
    "action_proposed": _("Action offered by a partner"),
    "action_declined": _("Partner's offer declined"),
    "tasking_decision": _("Forum decision"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    states: tuple
    priorities: list = field(default_factory=list)


BOARD_COLUMNS = (
    # Reopened priorities wait for the same decision as proposals: agree or not adopt.
    ("proposed", _("Proposed or reopened"), (S.PROPOSED, S.REOPENED)),
    ("agreed", _("Agreed"), (S.AGREED,)),
    ("in_action", _("In action"), (S.IN_ACTION,)),
    ("escalated", _("Escalated"), (S.ESCALATED,)),
    ("resolved", _("Resolved, awaiting sign-off"), (S.RESOLVED,)),
    ("signed_off", _("Signed off recently"), (S.SIGNED_OFF,)),
    ("not_adopted", _("Not adopted recently"), (S.NOT_ADOPTED,)),
)


def _evidence_weight() -> Coalesce:
    """How many residents stand behind the issues the priority came from (merges already added theirs)."""
    weight = (
        Issue.objects.filter(priority=OuterRef("pk"))
        .order_by()
        .values("priority")
        .annotate(n=Sum("supporters"))
        .values("n")
    )
    return Coalesce(Subquery(weight, output_field=IntegerField()), 0)


def _overdue_actions(*, today) -> Coalesce:
    overdue = (
        Action.objects.filter(priority=OuterRef("pk"), status__in=UNFINISHED, due_date__lt=today)
        .order_by()
        .values("priority")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(overdue, output_field=IntegerField()), 0)


def _recent_or_current(*, current_states, since) -> Q:
    return Q(state__in=current_states) | Q(state__in=CLOSED_STATES, state_changed_at__gte=since)


# --- the EPIC record --------------------------------------------------------------------------


def priority_record(*, pk: int) -> Priority:
    """One priority with everything its record page shows, in eight queries whatever its size.
    Call it after the access helper has said the user may see the priority."""
    priority = (
        Priority.objects.select_related(
            "neighbourhood__division", "agreed_at_meeting", "proposed_at_meeting", "proposed_by"
        )
        .annotate(evidence_weight=_evidence_weight())
        .prefetch_related(
            Prefetch("wards", queryset=Ward.objects.defer("boundary").order_by("name")),
            Prefetch(
                "issues",
                queryset=Issue.objects.select_related("ward", "meeting")
                .defer("ward__boundary")
                .order_by("-supporters", "created_at"),
            ),
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner_officer", "owner_agency", "owner_partner_user")
                .prefetch_related(Prefetch("updates", queryset=ActionUpdate.objects.select_related("author")))
                .order_by("due_date", "pk"),
            ),
            Prefetch("escalations", queryset=Escalation.objects.select_related("escalated_by", "de_escalated_by")),
            Prefetch("sign_offs", queryset=SignOff.objects.select_related("meeting", "recorded_by")),
            Prefetch("events", queryset=PriorityEvent.objects.select_related("actor").order_by("-at", "-pk")),
        )
        .get(pk=pk)
    )
    return priority


def _field_label(name: str) -> str:
    if name == "action_status":
        return _("Action status")
    try:
        return str(Priority._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:  # an old event may name a field since removed
        return name.replace("_", " ").capitalize()


def _value_label(name: str, value) -> str:
    if value is None or value == "":
        return "–"
    labels = {"state": PriorityState, "action_status": ActionStatus, "category": Category}.get(name)
    if labels is not None and value in labels.values:
        return str(labels(value).label)
    return str(value)


def priority_history(*, priority: Priority, show_restricted: bool) -> list[dict]:
    """The audit history, newest first, as rows of (field, before, after). An edit of the
    restricted text is listed for everyone who reads the history, its words only for those who
    may read restricted text."""
    rows = []
    for event in priority.events.all():
        changes = []
        for name, (before, after) in event.changes.items():
            restricted = name in RESTRICTED_FIELDS
            hidden = restricted and not show_restricted
            changes.append(
                {
                    "field": _field_label(name),
                    "restricted": restricted,
                    "hidden": hidden,
                    "before": "" if hidden else _value_label(name, before),
                    "after": "" if hidden else _value_label(name, after),
                }
            )
        rows.append({"event": event, "verb": VERB_LABELS.get(event.verb, event.verb), "changes": changes})
    return rows


# --- choices for the record's forms ------------------------------------------------------------


def meetings_for_priority(*, priority: Priority) -> QuerySet[Meeting]:
    """This neighbourhood's meetings of the last year and the next two months, newest first."""
    now = timezone.now()
    return (
        Meeting.objects.for_neighbourhood(priority.neighbourhood_id)
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(starts_at__gte=now - timedelta(days=365), starts_at__lte=now + timedelta(days=60))
        .order_by("-starts_at")
    )


def held_meetings_for_priority(*, priority: Priority) -> QuerySet[Meeting]:
    """Deciding meetings that took place, where the community can have agreed or signed it off."""
    return meetings_for_priority(priority=priority).held().filter(meeting_type__in=agreement.DECIDING_TYPES)


def all_meetings_for_priority(*, priority: Priority) -> QuerySet[Meeting]:
    """Every meeting of the priority's neighbourhood: what the API accepts by id, so a meeting
    that cannot be the one (too early, still to come) gets the service's reason, not "no such id"."""
    return Meeting.objects.for_neighbourhood(priority.neighbourhood_id)


def unfinished_actions(*, priority: Priority) -> list[Action]:
    """The actions still to be carried out: a priority is resolved only once there are none."""
    return list(priority.actions.filter(status__in=UNFINISHED).order_by("due_date", "pk"))


def agreement_meetings_for_priority(*, priority: Priority) -> QuerySet[Meeting]:
    """The meetings the priority can have been agreed at (priorities.agreement's rule): held PACT
    and panel meetings of its neighbourhood, from the day it was proposed, that have started."""
    return held_meetings_for_priority(priority=priority).filter(
        _not_before(priority.proposed_from), starts_at__lte=timezone.now()
    )


def sign_off_meetings_for_priority(*, priority: Priority) -> QuerySet[Meeting]:
    """Held PACT and panel meetings from the day the priority was resolved: where the community can
    have signed off the result (the same rule)."""
    return held_meetings_for_priority(priority=priority).filter(
        _not_before(priority.state_changed_at), starts_at__lte=timezone.now()
    )


def _not_before(moment) -> Q:
    """Meetings on the moment's day or later, or still going on at it (services._before)."""
    day_start = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    return Q(starts_at__gte=day_start) | Q(ends_at__gte=moment)


def team_officers(*, neighbourhood: Neighbourhood) -> QuerySet[User]:
    """The officers currently on the neighbourhood's team: who may own an action as an officer."""
    user_ids = (
        TeamMembership.objects.current()
        .filter(neighbourhood=neighbourhood, role__in=NEIGHBOURHOOD_TEAM_ROLES)
        .values("user_id")
    )
    return User.objects.filter(pk__in=user_ids, is_active=True, role__in=NEIGHBOURHOOD_TEAM_ROLES).order_by("full_name")


def partner_agencies() -> QuerySet[PartnerAgency]:
    return PartnerAgency.objects.order_by("name")


def partner_users() -> QuerySet[User]:
    return User.objects.filter(role=Role.PARTNER, is_active=True, agency__isnull=False).select_related("agency")


# --- the neighbourhood's board ----------------------------------------------------------------


def priority_board(*, neighbourhood: Neighbourhood) -> list[Column]:
    """The neighbourhood's priorities by state, in one query: open and resolved ones, and those
    signed off or not adopted in the last RECENT_DAYS. Soonest review first."""
    now = timezone.now()
    priorities = (
        Priority.objects.filter(neighbourhood=neighbourhood)
        .filter(_recent_or_current(current_states=BRIEFING_STATES, since=now - timedelta(days=RECENT_DAYS)))
        .defer(*RESTRICTED_FIELDS)
        .annotate(
            evidence_weight=_evidence_weight(), overdue_action_count=_overdue_actions(today=timezone.localdate(now))
        )
        .order_by(F("review_date").asc(nulls_last=True), "-state_changed_at", "pk")
    )
    columns = [Column(key=key, label=label, states=states) for key, label, states in BOARD_COLUMNS]
    by_state = {state: column for column in columns for state in column.states}
    for priority in priorities:
        by_state[priority.state].priorities.append(priority)
    return columns


# --- partners ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerActions:
    to_do: list[Action]
    finished: list[Action]


def actions_for_partner(*, user) -> PartnerActions:
    """The actions the user's agency owns, in any neighbourhood: all unfinished ones, and those
    finished in the last RECENT_DAYS. The priority comes without its restricted text."""
    if not user.agency_id:
        return PartnerActions(to_do=[], finished=[])
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    actions = (
        Action.objects.filter(owner_agency_id=user.agency_id)
        .filter(Q(status__in=UNFINISHED) | Q(updated_at__gte=since))
        .select_related("priority__neighbourhood", "owner_agency", "owner_partner_user")
        .defer(*(f"priority__{name}" for name in RESTRICTED_FIELDS))
        .prefetch_related(Prefetch("updates", queryset=ActionUpdate.objects.select_related("author")))
        .order_by("due_date", "pk")
    )
    # The policy has the last word, so a user given an agency by mistake sees nothing extra.
    visible = [action for action in actions if can(user, "action.view", action)]
    return PartnerActions(
        to_do=[a for a in visible if a.status in UNFINISHED],
        finished=[a for a in visible if a.status not in UNFINISHED],
    )


def action_with_log(*, action: Action) -> Action:
    """The action and its dated update log, for its update page."""
    action.log = list(action.updates.select_related("author").order_by("created_at", "pk"))
    return action


# --- the briefing page ------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefingSection:
    neighbourhood: Neighbourhood
    priorities: list[Priority]
    # Signed off or not adopted since yesterday: gone from the list, but the room should hear it.
    closed: list[Priority]


def divisions_for_user(*, user, action: str = "division.view") -> list[Division]:
    """Divisions of the user's area for which the policy allows `action` (by default, reading
    their briefing)."""
    scope = scope_for(user)
    divisions = Division.objects.select_related("force").order_by("force__name", "name")
    if scope.level == ScopeLevel.DIVISION:
        divisions = divisions.filter(pk__in=scope.division_ids)
    elif scope.level == ScopeLevel.FORCE:
        divisions = divisions if scope.force_ids is None else divisions.filter(force_id__in=scope.force_ids)
    else:
        return []
    return [d for d in divisions if can(user, action, d)]


def division_for_briefing(*, user, code: str, action: str = "division.view") -> Division | None:
    """The division with this code for which the policy allows `action` (codes are unique within a force)."""
    for division in Division.objects.select_related("force").filter(code=code):
        if can(user, action, division):
            return division
    return None


def division_neighbourhoods(*, division: Division) -> list[Neighbourhood]:
    return list(Neighbourhood.objects.filter(division=division).select_related("division").order_by("name"))


_STATE_ORDER = Case(
    *(When(state=state, then=Value(i)) for i, state in enumerate([S.ESCALATED, S.IN_ACTION, S.AGREED, S.REOPENED])),
    *(When(state=state, then=Value(10 + i)) for i, state in enumerate([S.PROPOSED, S.RESOLVED, *CLOSED_STATES])),
    default=Value(99),
    output_field=IntegerField(),
)


def _latest_update(column: str) -> Subquery:
    latest = ActionUpdate.objects.filter(action__priority=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(latest.values(column)[:1])


def _latest_forum_decision() -> Subquery:
    """What the divisional forum last decided about the priority, as its history words it."""
    latest = PriorityEvent.objects.filter(priority=OuterRef("pk"), verb="tasking_decision").order_by("-at", "-pk")
    return Subquery(latest.values("note")[:1])


def briefing(*, neighbourhoods: list[Neighbourhood], now=None) -> list[BriefingSection]:
    """Every current priority of these neighbourhoods in one format, with what changed in the last
    24 hours. Four queries however many neighbourhoods and priorities: priorities, their
    unfinished actions, their recent events, and nothing else."""
    now = now or timezone.now()
    since = now - BRIEFING_WINDOW
    priorities = (
        Priority.objects.filter(neighbourhood__in=[n.pk for n in neighbourhoods])
        .filter(_recent_or_current(current_states=BRIEFING_STATES, since=since))
        .defer(*RESTRICTED_FIELDS)
        .annotate(
            evidence_weight=_evidence_weight(),
            latest_update_text=_latest_update("text"),
            latest_update_at=_latest_update("created_at"),
            forum_decision=_latest_forum_decision(),
        )
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.filter(status__in=UNFINISHED)
                .select_related("owner_officer", "owner_agency", "owner_partner_user")
                .order_by("due_date", "pk"),
                to_attr="unfinished_actions",
            ),
            Prefetch(
                "events",
                queryset=PriorityEvent.objects.filter(at__gte=since).select_related("actor").order_by("at", "pk"),
                to_attr="recent_events",
            ),
        )
        .order_by(_STATE_ORDER, F("review_date").asc(nulls_last=True), "pk")
    )
    by_neighbourhood: dict[int, list[Priority]] = {n.pk: [] for n in neighbourhoods}
    for priority in priorities:
        priority.changes_since = _changes(priority.recent_events)
        by_neighbourhood[priority.neighbourhood_id].append(priority)
    return [
        BriefingSection(
            neighbourhood=n,
            priorities=[p for p in by_neighbourhood[n.pk] if p.state not in CLOSED_STATES],
            closed=[p for p in by_neighbourhood[n.pk] if p.state in CLOSED_STATES],
        )
        for n in neighbourhoods
    ]


def _changes(events: list[PriorityEvent]) -> list[str]:
    """The briefing's badges: "new" (proposed since yesterday) says it all; otherwise "state
    changed" for any move of the state machine and "updated" for edits, actions and merges."""
    if any(e.verb == "propose" for e in events):
        return ["new"]
    badges = []
    if any("state" in e.changes for e in events):
        badges.append("state changed")
    if any("state" not in e.changes for e in events):
        badges.append("updated")
    return badges


_WARDS = Prefetch("wards", queryset=Ward.objects.defer("boundary").order_by("name"))
_ACTION_OWNERS = ("owner_officer", "owner_agency", "owner_partner_user")


def priorities_for_user(*, user) -> QuerySet[Priority]:
    """Priorities of the neighbourhoods whose records the user may read, latest change first."""
    readable = [n.pk for n in neighbourhoods_where(user=user, action="priority.view_board")]
    return (
        Priority.objects.filter(neighbourhood__in=readable)
        .select_related("neighbourhood__division")
        .prefetch_related(_WARDS)
        .order_by("-state_changed_at", "-pk")
    )


def actions_for_user(*, user) -> QuerySet[Action]:
    """`action.view` as a queryset: a partner user's agency's actions; for everyone else the
    actions of priorities they may read. The priority comes without its restricted text."""
    actions = Action.objects.select_related("priority__neighbourhood__division", *_ACTION_OWNERS).defer(
        *(f"priority__{name}" for name in RESTRICTED_FIELDS)
    )
    if user.role == Role.PARTNER:
        if not user.agency_id:
            return Action.objects.none()
        actions = actions.filter(owner_agency_id=user.agency_id)
    else:
        readable = [n.pk for n in neighbourhoods_where(user=user, action="priority.view_board")]
        actions = actions.filter(priority__neighbourhood__in=readable)
    return actions.order_by("due_date", "pk")


def action_detail(*, pk: int) -> Action:
    """One action with its owners and its update log (two queries). Call it after the access
    helper has said the user may see the action."""
    updates = ActionUpdate.objects.select_related("author").order_by("created_at", "pk")
    return (
        Action.objects.select_related("priority__neighbourhood", *_ACTION_OWNERS)
        .defer(*(f"priority__{name}" for name in RESTRICTED_FIELDS))
        .prefetch_related(Prefetch("updates", queryset=updates))
        .get(pk=pk)
    )


def triage_issues_for_user(*, user) -> QuerySet[Issue]:
    """Issues of the neighbourhoods whose triage queue is the user's (their team's), heaviest
    evidence first, then the longest waiting, as the queue page orders them."""
    team = [n.pk for n in neighbourhoods_where(user=user, action="priority.propose")]
    return (
        Issue.objects.filter(neighbourhood__in=team)
        .select_related("neighbourhood__division", "ward", "reported_by")
        .defer("ward__boundary")
        .order_by("-supporters", "created_at", "pk")
    )
