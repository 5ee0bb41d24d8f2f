"""Divisional tasking: the queue per forum, agendas, the pack and the forum's decisions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from priorities import services
from priorities.models import PriorityState, TaskingAgenda, TaskingDecision, TaskingItem
from priorities.tasking import services as tasking_services
from priorities.tasking.selectors import tasking_queue
from tests.factories import UserFactory
from tests.priorities.factories import agreed

pytestmark = pytest.mark.django_db
SITTING = datetime.date(2027, 1, 12)


@pytest.fixture
def ops(world):
    return UserFactory(role=Role.OPERATIONS_MANAGER, force=world.force, division=world.east, full_name="Olu Ops")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def escalated(world, *, forum="ttcg", title="Drug dealing at Stoneyholme park"):
    priority = agreed(world, title=title)
    return services.priority_escalate(priority=priority, actor=world.sergeant, forum=forum, reason="Needs licensing")


def _agenda(world, ops, forum="ttcg"):
    return tasking_services.tasking_agenda_create(division=world.east, forum=forum, meets_on=SITTING, actor=ops)


def test_it_queues_escalations_per_forum(world):
    escalated(world, forum="ttcg")
    escalated(world, forum="matac", title="Domestic abuse repeat victims")
    queues = {q.forum: [e.priority.title for e in q.escalations] for q in tasking_queue(division=world.east)}
    assert queues["ttcg"] == ["Drug dealing at Stoneyholme park"]
    assert queues["matac"] == ["Domestic abuse repeat victims"] and queues["maps"] == []


def test_it_builds_an_agenda_from_its_forums_queue_only(world, ops):
    escalated(world, forum="ttcg")
    escalated(world, forum="matac", title="Other forum")
    agenda = _agenda(world, ops)
    assert [i.escalation.priority.title for i in agenda.items.all()] == ["Drug dealing at Stoneyholme park"]
    assert [q.escalations for q in tasking_queue(division=world.east) if q.forum == "ttcg"] == [[]]


def test_it_refuses_a_second_agenda_for_the_same_sitting(world, ops):
    _agenda(world, ops)
    with pytest.raises(ValidationError, match="already has an agenda"):
        _agenda(world, ops)
    assert TaskingAgenda.objects.count() == 1


def test_it_lets_only_the_operations_manager_build_agendas(world):
    with pytest.raises(ValidationError):
        _agenda(world, world.chief_inspector)
    assert not TaskingAgenda.objects.exists()


def test_it_records_an_accepted_decision_in_the_history_and_on_the_briefing(world, ops):
    priority = escalated(world)
    item = _agenda(world, ops).items.get()
    tasking_services.tasking_item_decide(item=item, actor=ops, decision="accepted", owner="Burnley CSP licensing")
    priority.refresh_from_db()
    assert priority.state == PriorityState.ESCALATED
    event = priority.events.get(verb="tasking_decision")
    assert "accepted, owner: Burnley CSP licensing" in event.note
    response = _client(world.sergeant).get(reverse("priorities:briefing-neighbourhood", args=["daneshouse"]))
    assert "Burnley CSP licensing" in response.content.decode()
    detail = _client(world.sergeant).get(priority.get_absolute_url()).content.decode()
    assert "Forum decision" in detail


def test_it_returns_a_priority_to_the_neighbourhood_with_advice(world, ops):
    priority = escalated(world)
    item = _agenda(world, ops).items.get()
    tasking_services.tasking_item_decide(item=item, actor=ops, decision="returned", advice="Try a PSPO first")
    priority.refresh_from_db()
    assert priority.state != PriorityState.ESCALATED
    assert priority.escalations.get().de_escalation_reason.endswith("Try a PSPO first")


def test_it_refuses_a_decision_without_its_owner_or_advice_and_changes_nothing(world, ops):
    item = _agenda(world, ops).items.get() if escalated(world) else None
    for decision, missing in (("accepted", "owner"), ("returned", "advice"), ("maybe", "decision")):
        with pytest.raises(ValidationError) as error:
            tasking_services.tasking_item_decide(item=item, actor=ops, decision=decision)
        assert missing in error.value.message_dict
    item.refresh_from_db()
    assert item.decision == "" and not item.escalation.priority.events.filter(verb="tasking_decision").exists()


def test_it_refuses_a_second_decision(world, ops):
    escalated(world)
    item = _agenda(world, ops).items.get()
    tasking_services.tasking_item_decide(item=item, actor=ops, decision=TaskingDecision.CLOSED)
    with pytest.raises(ValidationError, match="already recorded"):
        tasking_services.tasking_item_decide(item=item, actor=ops, decision="accepted", owner="Someone")


def test_it_re_renders_the_agenda_with_the_decisions_errors(world, ops):
    escalated(world)
    item = _agenda(world, ops).items.get()
    url = reverse("priorities:tasking-decide", args=[item.pk])
    response = _client(ops).post(url, {f"item-{item.pk}-decision": "accepted"})
    assert response.status_code == 200 and "Name who takes it on." in response.content.decode()


def test_it_prints_the_pack_as_html_and_pdf(world, ops):
    escalated(world)
    agenda = _agenda(world, ops)
    client = _client(world.chief_inspector)
    html = client.get(reverse("priorities:tasking-pack", args=[agenda.pk]))
    assert "Drug dealing at Stoneyholme park" in html.content.decode()
    pdf = client.get(reverse("priorities:tasking-pack-pdf", args=[agenda.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_it_keeps_restricted_text_out_of_the_pack(world, ops):
    priority = escalated(world)
    services.priority_update(priority=priority, actor=world.sergeant, restricted_notes="ZZSECRET informant")
    agenda = _agenda(world, ops)
    assert "ZZSECRET" not in _client(ops).get(reverse("priorities:tasking-pack", args=[agenda.pk])).content.decode()


def test_it_pins_the_queue_agenda_and_pack_queries(world, ops, django_assert_max_num_queries):
    for n in range(5):
        escalated(world, title=f"Escalated {n}")
    agenda = _agenda(world, ops)
    escalated(world, title="Still queued")
    client = _client(ops)
    with django_assert_max_num_queries(9):  # session, user, division, queue, carry-over counts, agendas
        client.get(reverse("priorities:tasking-queue", args=["east"]))
    with django_assert_max_num_queries(8):  # session, user, agenda, items, actions
        client.get(reverse("priorities:tasking-agenda", args=[agenda.pk]))
    with django_assert_max_num_queries(7):
        client.get(reverse("priorities:tasking-pack", args=[agenda.pk]))


def _undecided_then_next(world, ops, *, forum="ttcg", meets_on=SITTING + datetime.timedelta(days=14)):
    first = _agenda(world, ops)
    second = tasking_services.tasking_agenda_create(division=world.east, forum=forum, meets_on=meets_on, actor=ops)
    return first, second


def test_it_carries_an_undecided_item_to_the_forums_next_agenda_once(world, ops):
    escalated(world)
    first, second = _undecided_then_next(world, ops)
    old = first.items.get()
    new = second.items.get()
    assert new.escalation_id == old.escalation_id and new.carried_over_from == old
    third = tasking_services.tasking_agenda_create(
        division=world.east, forum="ttcg", meets_on=SITTING + datetime.timedelta(days=28), actor=ops
    )
    # The third takes the second's undecided item, not the first's again.
    assert [i.carried_over_from for i in third.items.all()] == [new]
    assert tasking_services.tasking_agenda_fill(agenda=third, actor=ops) == 0


def test_it_records_a_carried_items_decision_on_the_new_agenda_in_the_history(world, ops):
    escalated(world)
    first, second = _undecided_then_next(world, ops)
    new = second.items.get()
    tasking_services.tasking_item_decide(item=new, actor=ops, decision=TaskingDecision.ACCEPTED, owner="Licensing")
    priority = new.escalation.priority
    assert priority.events.filter(verb="tasking_decision", note__contains="26 Jan 2027: accepted").exists()
    with pytest.raises(ValidationError, match="carried over to 26 January 2027"):
        tasking_services.tasking_item_decide(
            item=first.items.get(), actor=ops, decision=TaskingDecision.CLOSED, advice="Late"
        )
    assert first.items.get().decision == ""


def test_it_does_not_carry_decided_items(world, ops):
    escalated(world)
    first = _agenda(world, ops)
    tasking_services.tasking_item_decide(
        item=first.items.get(), actor=ops, decision=TaskingDecision.ACCEPTED, owner="Licensing"
    )
    second = tasking_services.tasking_agenda_create(
        division=world.east, forum="ttcg", meets_on=SITTING + datetime.timedelta(days=14), actor=ops
    )
    assert not second.items.exists()


def test_it_never_carries_an_item_to_another_forum(world, ops):
    escalated(world)
    _, other = _undecided_then_next(world, ops, forum="matac")
    assert not other.items.exists()
    assert {q.forum: q.carry_over_count for q in tasking_queue(division=world.east)}["ttcg"] == 1


def test_it_does_not_carry_to_an_earlier_sitting(world, ops):
    escalated(world)
    _agenda(world, ops)
    earlier = tasking_services.tasking_agenda_create(
        division=world.east, forum="ttcg", meets_on=SITTING - datetime.timedelta(days=14), actor=ops
    )
    assert not earlier.items.exists()


def test_it_tells_the_queue_and_the_pack_what_is_carried_over(world, ops):
    escalated(world)
    client = _client(ops)
    first = _agenda(world, ops)
    page = client.get(reverse("priorities:tasking-queue", args=["east"])).content.decode()
    assert "1</strong> undecided item from earlier sittings will be carried over" in page
    second = tasking_services.tasking_agenda_create(
        division=world.east, forum="ttcg", meets_on=SITTING + datetime.timedelta(days=14), actor=ops
    )
    pack = client.get(reverse("priorities:tasking-pack", args=[second.pk])).content.decode()
    assert "Carried over from 12 January 2027" in pack
    old_pack = client.get(reverse("priorities:tasking-pack", args=[first.pk])).content.decode()
    assert "not decided, carried over to 26 January 2027" in old_pack
    old_page = client.get(reverse("priorities:tasking-agenda", args=[first.pk])).content.decode()
    assert "Not decided, carried over" in old_page and "Record the decision" not in old_page
    # Only the second sitting's item waits to be carried now, not the first's as well.
    assert {q.forum: q.carry_over_count for q in tasking_queue(division=world.east)}["ttcg"] == 1


def test_it_refuses_a_bad_sitting_and_carries_nothing(world, ops):
    escalated(world)
    first = _agenda(world, ops)
    response = _client(ops).post(
        reverse("priorities:tasking-agenda-create", args=["east"]), {"forum": "ttcg", "meets_on": "not a date"}
    )
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()
    with pytest.raises(ValidationError, match="already has an agenda"):
        _agenda(world, ops)
    assert TaskingAgenda.objects.count() == 1 and TaskingItem.objects.count() == 1
    assert not TaskingItem.objects.filter(carried_over_from=first.items.get()).exists()


def test_it_pins_the_queries_with_carried_over_items(world, ops, django_assert_max_num_queries):
    for n in range(5):
        escalated(world, title=f"Escalated {n}")
    _agenda(world, ops)
    escalated(world, title="Still queued")
    client = _client(ops)
    with django_assert_max_num_queries(9):  # session, user, division, queue, carry-over counts, agendas
        client.get(reverse("priorities:tasking-queue", args=["east"]))
    second = tasking_services.tasking_agenda_create(
        division=world.east, forum="ttcg", meets_on=SITTING + datetime.timedelta(days=14), actor=ops
    )
    assert second.items.filter(carried_over_from__isnull=False).count() == 5
    first = TaskingAgenda.objects.get(meets_on=SITTING)
    for agenda in (first, second):
        with django_assert_max_num_queries(8):  # session, user, agenda, items, actions
            client.get(reverse("priorities:tasking-agenda", args=[agenda.pk]))
        with django_assert_max_num_queries(7):
            client.get(reverse("priorities:tasking-pack", args=[agenda.pk]))


def test_it_deletes_a_priority_with_carried_over_items(world, ops):
    priority = escalated(world)
    _undecided_then_next(world, ops)
    assert TaskingItem.objects.count() == 2
    priority.delete()
    assert not TaskingItem.objects.exists()
