"""Reads for divisional tasking: the queue per forum, a division's agendas, one agenda with its
items (the page and the printed pack). The pack goes to multi-agency forums, so it carries the
priority's public text, the escalation's reason and the published actions, never restricted text."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from neighbourhoods.models import Division
from priorities.models import Action, Escalation, EscalationForum, PriorityState
from priorities.selectors import records
from priorities.selectors.records import RESTRICTED_FIELDS
from priorities.tasking.models import TaskingAgenda, TaskingItem

_NO_RESTRICTED = tuple(f"escalation__priority__{name}" for name in RESTRICTED_FIELDS)


def divisions_for_tasking(*, user) -> list[Division]:
    return records.divisions_for_user(user=user, action="tasking.view")


def division_for_tasking(*, user, code: str) -> Division | None:
    return records.division_for_briefing(user=user, code=code, action="tasking.view")


def queued_escalations(*, division: Division, forum: str | None = None) -> QuerySet[Escalation]:
    """Open escalations of the division's priorities that no agenda has taken yet, oldest first."""
    return _queued_escalations(divisions=[division], forum=forum)


def _queued_escalations(*, divisions, forum: str | None = None) -> QuerySet[Escalation]:
    escalations = Escalation.objects.filter(
        priority__neighbourhood__division__in=divisions,
        priority__state=PriorityState.ESCALATED,
        de_escalated_at__isnull=True,
        tasking_items__isnull=True,
    )
    if forum is not None:
        escalations = escalations.filter(forum=forum)
    return escalations.order_by("escalated_at", "pk")


def carry_over_items(*, division: Division, forum: str | None = None, before=None) -> QuerySet[TaskingItem]:
    """Items of the division's earlier sittings that the forum left undecided, not yet carried to a
    later sitting, whose escalation is still open: the forum's next agenda takes them, oldest first.
    An item whose escalation the neighbourhood withdrew (de-escalated or resolved) stays behind."""
    return _carry_over_items(divisions=[division], forum=forum, before=before)


def _carry_over_items(*, divisions, forum: str | None = None, before=None) -> QuerySet[TaskingItem]:
    items = TaskingItem.objects.filter(
        agenda__division__in=divisions,
        decision="",
        carried_over_to__isnull=True,
        escalation__priority__state=PriorityState.ESCALATED,
        escalation__de_escalated_at__isnull=True,
    )
    if forum is not None:
        items = items.filter(agenda__forum=forum)
    if before is not None:
        items = items.filter(agenda__meets_on__lt=before)
    return items.order_by("agenda__meets_on", "position", "pk")


@dataclass
class ForumQueue:
    forum: str
    label: str
    escalations: list = field(default_factory=list)
    carry_over_count: int = 0


def tasking_queue(*, division: Division) -> list[ForumQueue]:
    """Every forum with what waits for it and how many undecided items its next agenda will carry
    over (two queries)."""
    return tasking_queues(divisions=[division])[division.pk]


def tasking_queues(*, divisions) -> dict[int, list[ForumQueue]]:
    """tasking_queue for each division, by division id, in two queries however many divisions."""
    queues = {
        d.pk: {forum: ForumQueue(forum=forum, label=label) for forum, label in EscalationForum.choices}
        for d in divisions
    }
    escalations = (
        _queued_escalations(divisions=divisions)
        .select_related("priority__neighbourhood", "escalated_by")
        .defer(*(f"priority__{name}" for name in RESTRICTED_FIELDS))
    )
    for escalation in escalations:
        queues[escalation.priority.neighbourhood.division_id][escalation.forum].escalations.append(escalation)
    carried = (
        _carry_over_items(divisions=divisions)
        .order_by()
        .values("agenda__division_id", "agenda__forum")
        .annotate(n=Count("pk"))
    )
    for row in carried:
        queues[row["agenda__division_id"]][row["agenda__forum"]].carry_over_count = row["n"]
    return {pk: list(forums.values()) for pk, forums in queues.items()}


# An item the forum left undecided, not carried on, whose escalation the neighbourhood took back
# (TaskingItem.withdrawn_at, as a filter on an agenda's items).
WITHDRAWN_ITEMS = Q(
    items__decision="", items__carried_over_to__isnull=True, items__escalation__de_escalated_at__isnull=False
)


def agendas_for_division(*, division: Division, limit: int = 20) -> list[TaskingAgenda]:
    """The latest sittings, with how many items each has, how many are decided and how many the
    neighbourhoods withdrew before the forum decided them (one query)."""
    return list(agendas_in(divisions=[division])[:limit])


def agendas_in(*, divisions) -> QuerySet[TaskingAgenda]:
    """The divisions' sittings, latest first, each with its division and its item counts."""
    return (
        TaskingAgenda.objects.filter(division__in=divisions)
        .select_related("division")
        .annotate(
            item_count=Count("items", distinct=True),
            decided_count=Count("items", filter=~Q(items__decision=""), distinct=True),
            withdrawn_count=Count("items", filter=WITHDRAWN_ITEMS, distinct=True),
        )
        .order_by("-meets_on", "forum", "pk")
    )


def agenda_get(*, pk: int) -> TaskingAgenda | None:
    return TaskingAgenda.objects.select_related("division__force").filter(pk=pk).first()


def item_get(*, pk: int) -> TaskingItem | None:
    """One item with what its page and the API show of it (never the priority's restricted text)."""
    return _items().select_related("agenda__division__force").filter(pk=pk).first()


def _items() -> QuerySet[TaskingItem]:
    return TaskingItem.objects.select_related(
        "escalation__priority__neighbourhood",
        "escalation__escalated_by",
        "decided_by",
        "carried_over_from__agenda",
        "carried_over_to__agenda",
    ).defer(*_NO_RESTRICTED)


def agenda_items(*, agenda: TaskingAgenda) -> list[TaskingItem]:
    """The agenda's items in order, each with its priority, neighbourhood and published actions
    (two queries)."""
    public_actions = Action.objects.filter(is_public=True).select_related(
        "owner_officer", "owner_agency", "owner_partner_user"
    )
    return list(
        _items()
        .filter(agenda=agenda)
        .prefetch_related(Prefetch("escalation__priority__actions", queryset=public_actions))
        .order_by("position", "pk")
    )
