"""An escalation the neighbourhood takes back (de-escalates, or resolves the priority) while its item
waits undecided on an agenda: the item is not carried over nor counted as waiting, it reads
"Withdrawn by the neighbourhood on <date>" on the agenda and the pack, and the forum cannot decide it."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from priorities import services
from priorities.models import PriorityState, TaskingDecision
from priorities.tasking import services as tasking_services
from priorities.tasking.selectors import agenda_items, agendas_for_division, tasking_queue
from tests.factories import UserFactory
from tests.priorities.test_tasking import SITTING, _client, escalated

pytestmark = pytest.mark.django_db
WITHDRAWN_ON = datetime.datetime(2027, 1, 8, 10, tzinfo=datetime.UTC)


@pytest.fixture
def ops(world):
    return UserFactory(role=Role.OPERATIONS_MANAGER, force=world.force, division=world.east)


def _sitting(world, ops, days: int = 0, forum: str = "ttcg"):
    meets_on = SITTING + datetime.timedelta(days=days)
    return tasking_services.tasking_agenda_create(division=world.east, forum=forum, meets_on=meets_on, actor=ops)


def _withdraw(world, priority):
    with time_machine.travel(WITHDRAWN_ON, tick=False):
        return services.priority_de_escalate(priority=priority, actor=world.sergeant, reason="Sorted locally")


def _carry_over_count(world) -> int:
    return {q.forum: q.carry_over_count for q in tasking_queue(division=world.east)}["ttcg"]


def test_it_neither_carries_nor_counts_a_withdrawn_item(world, ops):
    priority = escalated(world)
    first = _sitting(world, ops)
    assert _carry_over_count(world) == 1
    _withdraw(world, priority)
    assert _carry_over_count(world) == 0
    assert not _sitting(world, ops, days=14).items.exists()
    assert first.items.get().withdrawn_at == WITHDRAWN_ON


def test_it_neither_carries_nor_counts_the_item_of_a_priority_resolved_meanwhile(world, ops):
    priority = escalated(world)
    _sitting(world, ops)
    services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="The dealing stopped.")
    assert _carry_over_count(world) == 0
    assert not _sitting(world, ops, days=14).items.exists()


def test_it_shows_a_withdrawn_item_as_withdrawn_on_the_agenda_and_the_pack(world, ops):
    priority = escalated(world)
    agenda = _sitting(world, ops)
    _withdraw(world, priority)
    client = _client(ops)
    page = client.get(reverse("priorities:tasking-agenda", args=[agenda.pk])).content.decode()
    assert "Withdrawn by the neighbourhood on 8 Jan 2027" in page
    assert "Record the decision" not in page and "Awaiting the forum" not in page
    pack = client.get(reverse("priorities:tasking-pack", args=[agenda.pk])).content.decode()
    assert "Withdrawn by the neighbourhood on 8 January 2027" in pack
    assert "accepted (owner) / returned (advice) / closed" not in pack
    queue = client.get(reverse("priorities:tasking-queue", args=["east"])).content.decode()
    assert "0 of 1 decided, 1 withdrawn" in queue


def test_it_refuses_a_decision_on_a_withdrawn_item_and_changes_nothing(world, ops):
    priority = escalated(world)
    item = _sitting(world, ops).items.get()
    _withdraw(world, priority)
    with pytest.raises(ValidationError, match="Withdrawn by the neighbourhood on 8 January 2027"):
        tasking_services.tasking_item_decide(item=item, actor=ops, decision=TaskingDecision.CLOSED)
    response = _client(ops).post(
        reverse("priorities:tasking-decide", args=[item.pk]),
        {f"item-{item.pk}-decision": "accepted", f"item-{item.pk}-owner": "Licensing"},
    )
    assert response.status_code == 200
    assert "nothing left for the forum to decide" in response.content.decode()
    item.refresh_from_db()
    priority.refresh_from_db()
    assert item.decision == "" and item.decided_by is None
    assert priority.state == PriorityState.IN_ACTION
    assert not priority.events.filter(verb="tasking_decision").exists()


def test_it_withdraws_the_carried_item_not_the_one_it_was_carried_from(world, ops):
    priority = escalated(world)
    first, second = _sitting(world, ops), _sitting(world, ops, days=14)
    _withdraw(world, priority)
    old, new = (agenda_items(agenda=a)[0] for a in (first, second))
    assert old.withdrawn_at is None and new.withdrawn_at == WITHDRAWN_ON
    assert not _sitting(world, ops, days=28).items.exists()
    page = _client(ops).get(reverse("priorities:tasking-agenda", args=[first.pk])).content.decode()
    assert "Not decided, carried over" in page and "Withdrawn" not in page


def test_it_queues_a_fresh_escalation_after_a_withdrawal_as_a_new_item(world, ops):
    priority = escalated(world)
    first = _sitting(world, ops)
    _withdraw(world, priority)
    priority = services.priority_escalate(priority=priority, actor=world.sergeant, forum="ttcg", reason="Back again")
    second = _sitting(world, ops, days=14)
    item = second.items.get()
    assert item.carried_over_from is None and item.escalation.reason == "Back again"
    assert first.items.get().withdrawn_at == WITHDRAWN_ON and item.withdrawn_at is None
    tasking_services.tasking_item_decide(item=item, actor=ops, decision=TaskingDecision.ACCEPTED, owner="Licensing")


def test_it_keeps_a_decided_items_decision_when_the_escalation_ends_later(world, ops):
    priority = escalated(world)
    item = _sitting(world, ops).items.get()
    tasking_services.tasking_item_decide(item=item, actor=ops, decision=TaskingDecision.ACCEPTED, owner="Licensing")
    _withdraw(world, priority)
    item = agenda_items(agenda=item.agenda)[0]
    assert item.withdrawn_at is None and item.decision == TaskingDecision.ACCEPTED
    [agenda] = agendas_for_division(division=world.east)
    assert (agenda.decided_count, agenda.withdrawn_count) == (1, 0)


def test_it_reads_withdrawn_items_without_a_query_each(world, ops, django_assert_max_num_queries):
    priorities = [escalated(world, title=f"Escalated {n}") for n in range(4)]
    agenda = _sitting(world, ops)
    for priority in priorities:
        _withdraw(world, priority)
    items = agenda_items(agenda=agenda)
    with django_assert_max_num_queries(0):
        assert all(item.withdrawn_at == WITHDRAWN_ON for item in items)
    assert timezone.is_aware(items[0].withdrawn_at)
