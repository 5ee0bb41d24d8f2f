"""Reads for partner agency users: the boards of the neighbourhoods they work with, and the
team's list of what partners have offered to do.

A partner's board never loads the police's restricted text (`defer`), nor actions kept off the
public page unless their own agency owns them, nor any action's update log (whose entries may be
police-only): a template cannot show what it was never given."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from neighbourhoods.models import Neighbourhood
from neighbourhoods.selectors import neighbourhoods_where
from priorities.models import Action, Priority, PriorityState
from priorities.partners.models import ActionProposal, ProposalStatus
from priorities.selectors.records import BRIEFING_STATES, CLOSED_STATES, RECENT_DAYS, RESTRICTED_FIELDS

# A partner may offer an action on a priority the community has agreed and that is still worked.
PROPOSABLE_STATES = (PriorityState.AGREED, PriorityState.IN_ACTION, PriorityState.ESCALATED)


def partner_neighbourhoods(*, user) -> list[Neighbourhood]:
    """The neighbourhoods whose boards the partner reads (one query)."""
    return neighbourhoods_where(user=user, action="priority.view_partner_board")


@dataclass(frozen=True)
class PartnerBoardRow:
    priority: Priority
    actions: list[Action]
    proposals: list[ActionProposal]
    can_propose: bool


def partner_board(*, neighbourhood: Neighbourhood, user) -> list[PartnerBoardRow]:
    """Current priorities and those closed in the last RECENT_DAYS, with every agency's public
    actions (and the partner's own agency's unpublished ones) and their agency's offers. Three
    queries however many priorities."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    actions = (
        Action.objects.filter(Q(is_public=True) | Q(owner_agency_id=user.agency_id))
        .select_related("owner_officer", "owner_agency", "owner_partner_user")
        .order_by("due_date", "pk")
    )
    proposals = ActionProposal.objects.filter(agency_id=user.agency_id).order_by("-created_at", "-pk")
    priorities = (
        Priority.objects.filter(neighbourhood=neighbourhood)
        .filter(Q(state__in=BRIEFING_STATES) | Q(state__in=CLOSED_STATES, state_changed_at__gte=since))
        .defer(*RESTRICTED_FIELDS)
        .prefetch_related(
            Prefetch("actions", queryset=actions, to_attr="partner_actions"),
            Prefetch("action_proposals", queryset=proposals, to_attr="agency_proposals"),
        )
        .order_by(F("review_date").asc(nulls_last=True), "-state_changed_at", "pk")
    )
    return [
        PartnerBoardRow(
            priority=p,
            actions=p.partner_actions,
            proposals=p.agency_proposals,
            can_propose=p.state in PROPOSABLE_STATES,
        )
        for p in priorities
    ]


def priority_for_partner(*, pk: int) -> Priority | None:
    """A priority without its restricted text, for a partner's page."""
    return Priority.objects.select_related("neighbourhood__division").defer(*RESTRICTED_FIELDS).filter(pk=pk).first()


def pending_proposals(*, neighbourhood: Neighbourhood) -> QuerySet[ActionProposal]:
    """Offers waiting for the team's answer, oldest first (one query)."""
    return (
        ActionProposal.objects.filter(priority__neighbourhood=neighbourhood, status=ProposalStatus.PENDING)
        .select_related("priority", "agency", "proposed_by")
        .defer(*(f"priority__{name}" for name in RESTRICTED_FIELDS))
        .order_by("created_at", "pk")
    )


def recent_decided_proposals(*, neighbourhood: Neighbourhood, limit: int = 20) -> list[ActionProposal]:
    return list(
        ActionProposal.objects.filter(priority__neighbourhood=neighbourhood)
        .exclude(status=ProposalStatus.PENDING)
        .select_related("priority", "agency", "proposed_by", "decided_by")
        .defer(*(f"priority__{name}" for name in RESTRICTED_FIELDS))
        .order_by("-decided_at", "-pk")[:limit]
    )
