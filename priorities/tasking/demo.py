"""Demo divisional tasking in East Division: an operations manager, and for each forum with
escalations waiting, last fortnight's sitting with the forum's decisions recorded (accepted with an
owner, returned with advice, closed in turn). Left alone on a second run."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from neighbourhoods.models import Division
from priorities.models import EscalationForum
from priorities.tasking import services
from priorities.tasking.models import TaskingAgenda, TaskingDecision
from priorities.tasking.selectors import queued_escalations

OWNERS = {
    EscalationForum.TTCG: "Divisional proactive team (Insp. operations)",
    EscalationForum.CDRP: "Burnley Community Safety Partnership",
    EscalationForum.MATAC: "MATAC co-ordinator",
    EscalationForum.MAPS: "Council ASB team",
    EscalationForum.NEIGHBOURHOOD_MANAGEMENT: "Neighbourhood management board",
}


def demo_tasking_seed(*, force, division_code: str = "east", email: str) -> int:
    """Returns how many decisions it recorded."""
    division = Division.objects.filter(force=force, code=division_code).first()
    if division is None or TaskingAgenda.objects.filter(division=division).exists():
        return 0
    ops = User.objects.filter(email=email, role=Role.OPERATIONS_MANAGER).first()
    if ops is None:
        return 0
    meets_on = timezone.localdate() - timedelta(days=14)
    decisions = 0
    for forum in EscalationForum.values:
        if not queued_escalations(division=division, forum=forum).exists():
            continue
        agenda = services.tasking_agenda_create(division=division, forum=forum, meets_on=meets_on, actor=ops)
        for n, item in enumerate(agenda.items.all()):
            decision = list(TaskingDecision)[n % 3]
            services.tasking_item_decide(
                item=item, actor=ops, decision=decision,
                owner=OWNERS[forum] if decision == TaskingDecision.ACCEPTED else "",
                advice="Try a dispersal order and a council PSPO before it comes back here."
                if decision == TaskingDecision.RETURNED else "",
            )  # fmt: skip
            decisions += 1
    return decisions
