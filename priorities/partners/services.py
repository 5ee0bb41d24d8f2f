"""Writes for partners at the same table: a partner raises an issue for triage, offers an action
for their agency on an agreed priority, and the neighbourhood team accepts or declines the offer.

Each re-checks the policy, so the API or a command cannot skip what the pages check."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import can
from priorities import services
from priorities.models import Issue, IssueSource, Priority, PriorityEvent
from priorities.partners.models import ActionProposal, ProposalStatus
from priorities.partners.selectors import PROPOSABLE_STATES


@transaction.atomic
def partner_issue_raise(*, actor, ward, category: str, description: str) -> Issue:
    """A partner's concern joins the neighbourhood's triage queue like any other."""
    if ward.neighbourhood_id is None or not can(actor, "issue.raise_as_partner", ward.neighbourhood):
        raise ValidationError({"ward": _("Choose a ward of a neighbourhood your agency works with.")})
    return services.issue_raise(
        ward=ward, category=category, description=description, actor=actor, source=IssueSource.PARTNER
    )


@transaction.atomic
def action_propose(*, priority: Priority, actor, description: str, due_date: date) -> ActionProposal:
    """Offer an action for the actor's agency; it joins the plan once the team accepts it."""
    if not can(actor, "action.propose", priority):
        raise ValidationError(_("Only a partner agency working with this neighbourhood can offer an action here."))
    if priority.state not in PROPOSABLE_STATES:
        raise ValidationError(
            _("This priority is %(state)s: actions are offered on agreed priorities that are still being worked.")
            % {"state": priority.get_state_display().lower()}
        )
    if not description.strip():
        raise ValidationError({"description": _("Say what your agency will do.")})
    if due_date is None or due_date < timezone.localdate():
        raise ValidationError({"due_date": _("Give a due date from today on.")})
    proposal = ActionProposal(
        priority=priority, agency=actor.agency, proposed_by=actor, description=description.strip(), due_date=due_date
    )
    proposal.full_clean()
    proposal.save()
    PriorityEvent.objects.create(
        priority=priority, actor=actor, verb="action_proposed", note=f"{proposal.agency}: {proposal.description}"
    )
    return proposal


def _lock_pending(proposal: ActionProposal, *, actor) -> ActionProposal:
    locked = ActionProposal.objects.select_for_update().select_related("priority", "agency").get(pk=proposal.pk)
    if not can(actor, "action_proposal.decide", locked):
        raise ValidationError(_("Only the neighbourhood team can answer a partner's offer."))
    if locked.status != ProposalStatus.PENDING:
        raise ValidationError(_("This offer was already %(status)s.") % {"status": locked.get_status_display().lower()})
    return locked


@transaction.atomic
def action_proposal_accept(*, proposal: ActionProposal, actor, is_public: bool = True) -> ActionProposal:
    """Put the offer on the priority's plan as an action the agency owns (audited as any action)."""
    proposal = _lock_pending(proposal, actor=actor)
    proposer = proposal.proposed_by
    named = proposer if proposer.is_active and proposer.agency_id == proposal.agency_id else None
    action = services.action_add(
        priority=proposal.priority,
        actor=actor,
        description=proposal.description,
        due_date=proposal.due_date,
        owner_agency=proposal.agency,
        owner_partner_user=named,
        is_public=is_public,
    )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.action = action
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.full_clean()
    proposal.save(update_fields=["status", "action", "decided_by", "decided_at"])
    return proposal


@transaction.atomic
def action_proposal_decline(*, proposal: ActionProposal, actor, reason: str) -> ActionProposal:
    """Decline the offer; the reason is shown to the agency."""
    if not reason.strip():
        raise ValidationError({"reason": _("Tell the agency why, so they can offer something else.")})
    proposal = _lock_pending(proposal, actor=actor)
    proposal.status = ProposalStatus.DECLINED
    proposal.decline_reason = reason.strip()
    proposal.decided_by, proposal.decided_at = actor, timezone.now()
    proposal.full_clean()
    proposal.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    PriorityEvent.objects.create(
        priority=proposal.priority,
        actor=actor,
        verb="action_declined",
        note=f"{proposal.agency}: {proposal.description[:60]} ({proposal.decline_reason})",
    )
    return proposal
