"""Reads for the public priority pages: what any resident sees without signing in.

Restricted text stays out by construction, not by template discipline: the priority's
`evidence` and `restricted_notes` (and a meeting's `restricted_notes`) are never loaded, only
public actions and public updates are fetched, escalations come without their reasons, and the
history shows state changes with fixed wording rather than the audit notes behind them.
"""

from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Ward
from priorities.models import (
    Action,
    ActionUpdate,
    Escalation,
    Follower,
    Issue,
    Priority,
    PriorityEvent,
    PriorityState,
    SignOff,
)

S = PriorityState
CURRENT_STATES = (S.AGREED, S.IN_ACTION, S.ESCALATED, S.REOPENED)
DONE_STATES = (S.RESOLVED, S.SIGNED_OFF)
RESTRICTED_FIELDS = ("evidence", "restricted_notes")
# How many of the latest public action updates a priority shows: enough to see it is being worked.
LATEST_UPDATES = 3
SUMMARY_LIMIT = 3

# The public history, in words a resident reads; the audit note behind each step (an escalation's
# reason, an action's description) may be restricted, so it is never shown.
PUBLIC_STEPS = {
    "agree": _("Agreed as a neighbourhood priority"),
    "start": _("Work started"),
    "escalate": _("Passed to a wider group for more help"),
    "de_escalate": _("Back with the neighbourhood team"),
    "resolve": _("Resolved"),
    "sign_off": _("Signed off by the community"),
    "not_adopt": _("Not taken on"),
    "reopen": _("Reopened"),
}
# Residents do not know the acronyms; these say who took it on.
FORUM_WORDS = {
    "ttcg": _("the division's tasking meeting (TTCG), which can add officers and specialist teams"),
    "cdrp": _("the community safety partnership's tactical group (CDRP)"),
    "matac": _("a multi-agency tasking group (MATAC)"),
    "maps": _("a multi-agency problem-solving group (MAPS)"),
    "neighbourhood_management": _("the council's neighbourhood management team"),
}


@dataclass(frozen=True)
class NeighbourhoodPriorities:
    current: list[Priority]
    done: list[Priority]
    not_adopted: list[Priority]


def residents_behind():
    """The evidence weight: how many residents raised the issues the priority came from."""
    weight = Issue.objects.filter(priority=OuterRef("pk")).values("priority").annotate(n=Sum("supporters")).values("n")
    return Coalesce(Subquery(weight, output_field=IntegerField()), 0)


def _public_priorities() -> QuerySet[Priority]:
    public_actions = (
        Action.objects.filter(is_public=True)
        .select_related("owner_officer", "owner_agency")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=ActionUpdate.objects.filter(is_public=True).order_by("-created_at", "-pk"),
                to_attr="public_updates",
            )
        )
    )
    return (
        Priority.objects.public()
        .select_related("neighbourhood", "agreed_at_meeting")
        .defer(*RESTRICTED_FIELDS, "agreed_at_meeting__restricted_notes")
        .annotate(residents=residents_behind())
        .prefetch_related(
            Prefetch("wards", queryset=Ward.objects.only("pk", "code", "name")),
            Prefetch("actions", queryset=public_actions, to_attr="public_actions"),
            Prefetch(
                "sign_offs",
                queryset=SignOff.objects.select_related("meeting").defer("meeting__restricted_notes"),
                to_attr="public_sign_offs",
            ),
            Prefetch(
                "escalations",
                queryset=Escalation.objects.only("pk", "priority_id", "forum", "escalated_at", "de_escalated_at"),
                to_attr="public_escalations",
            ),
        )
    )


def _decorate(priority: Priority) -> Priority:
    """Attach what the templates read: the latest public updates across the public actions,
    the sign-off that closed it, the open escalation and its forum in plain words."""
    updates = [(u, a) for a in priority.public_actions for u in a.public_updates]
    updates.sort(key=lambda pair: (pair[0].created_at, pair[0].pk), reverse=True)
    priority.latest_updates = [{"update": u, "action": a} for u, a in updates[:LATEST_UPDATES]]
    priority.is_done = priority.state in DONE_STATES
    priority.sign_off = priority.public_sign_offs[0] if priority.public_sign_offs else None
    open_escalations = [e for e in priority.public_escalations if e.de_escalated_at is None]
    priority.open_escalation = open_escalations[0] if open_escalations else None
    priority.forum_words = FORUM_WORDS.get(priority.open_escalation.forum) if priority.open_escalation else ""
    return priority


def public_priorities_for_neighbourhood(*, neighbourhood) -> NeighbourhoodPriorities:
    """Every published priority of the neighbourhood, split for the "our priorities" page, in a
    fixed number of queries however many priorities, actions and updates there are."""
    priorities = [_decorate(p) for p in _public_priorities().filter(neighbourhood=neighbourhood)]
    return NeighbourhoodPriorities(
        current=[p for p in priorities if p.state in CURRENT_STATES],
        done=[p for p in priorities if p.state in DONE_STATES],
        not_adopted=[p for p in priorities if p.state == S.NOT_ADOPTED],
    )


def public_priority_get(*, reference) -> Priority | None:
    """One published priority with its public history; None for unknown or proposed ones."""
    steps = PriorityEvent.objects.filter(verb__in=PUBLIC_STEPS).only("pk", "priority_id", "verb", "at")
    priority = (
        _public_priorities()
        .select_related("neighbourhood__division__force")
        .prefetch_related(Prefetch("events", queryset=steps, to_attr="public_events"))
        .filter(reference=reference)
        .first()
    )
    if priority is None:
        return None
    for event in priority.public_events:
        event.words = PUBLIC_STEPS[event.verb]
    return _decorate(priority)


def public_priorities_summary(*, neighbourhood, limit: int = SUMMARY_LIMIT) -> list[Priority]:
    """The neighbourhood page's "our priorities" box: the latest current priorities, one query."""
    return list(
        Priority.objects.filter(neighbourhood=neighbourhood, state__in=CURRENT_STATES)
        .only("pk", "reference", "title", "state", "public_problem", "state_changed_at")
        .order_by("-state_changed_at", "-pk")[:limit]
    )


def public_follower_get(*, token) -> Follower | None:
    return (
        Follower.objects.select_related("priority")
        .only("pk", "email", "token", "priority__id", "priority__reference", "priority__title", "priority__state")
        .filter(token=token)
        .first()
    )
