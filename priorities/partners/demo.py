"""Demo partner offers: in the featured neighbourhood (Daneshouse with Stoneyholme) each partner
agency working there offers actions on agreed priorities; the team accepts one, declines one with
a reason and leaves one waiting. Left alone on a second run."""

from datetime import timedelta

from django.utils import timezone

from accounts.roles import NEIGHBOURHOOD_TEAM_ROLES, Role
from neighbourhoods.models import TeamMembership, Ward
from priorities.models import Priority
from priorities.partners import services
from priorities.partners.models import ActionProposal
from priorities.partners.selectors import PROPOSABLE_STATES

OFFERS = [
    "Deploy the council's mobile CCTV van on {place} for four weeks",
    "Home fire safety visits on the streets around {place}",
    "Clear the fly-tipping and fit a lockable gate at {place}",
]


def demo_partner_offers_seed(*, featured_ward_code: str) -> int:
    ward = Ward.objects.select_related("neighbourhood").filter(code=featured_ward_code).first()
    if ward is None or ward.neighbourhood is None:
        return 0
    neighbourhood = ward.neighbourhood
    if ActionProposal.objects.filter(priority__neighbourhood=neighbourhood).exists():
        return 0
    team = TeamMembership.objects.current().filter(neighbourhood=neighbourhood).select_related("user__agency")
    partners = [m.user for m in team if m.role == Role.PARTNER and m.user.agency_id]
    officer = next((m.user for m in team if m.role in NEIGHBOURHOOD_TEAM_ROLES), None)
    priorities = list(
        Priority.objects.filter(neighbourhood=neighbourhood, state__in=PROPOSABLE_STATES).order_by("created_at", "pk")
    )
    if not partners or officer is None or not priorities:
        return 0
    today = timezone.localdate()
    made = []
    for n, text in enumerate(OFFERS):
        priority = priorities[n % len(priorities)]
        partner = partners[n % len(partners)]
        made.append(
            services.action_propose(
                priority=priority, actor=partner, description=text.format(place=ward.name),
                due_date=today + timedelta(days=21 + 7 * n),
            )
        )  # fmt: skip
    services.action_proposal_accept(proposal=made[0], actor=officer)
    services.action_proposal_decline(
        proposal=made[2], actor=officer, reason="The council's environment team cleared it last week; thank you."
    )
    return len(made)
