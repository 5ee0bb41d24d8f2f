"""Divisional tasking: the queue per forum, agendas, the pack and the forum's decisions."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from priorities import services
from priorities.models import PriorityState, TaskingAgenda, TaskingDecision
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
    with django_assert_max_num_queries(8):  # session, user, division, queue, agendas
        client.get(reverse("priorities:tasking-queue", args=["east"]))
    with django_assert_max_num_queries(8):  # session, user, agenda, items, actions
        client.get(reverse("priorities:tasking-agenda", args=[agenda.pk]))
    with django_assert_max_num_queries(7):
        client.get(reverse("priorities:tasking-pack", args=[agenda.pk]))
