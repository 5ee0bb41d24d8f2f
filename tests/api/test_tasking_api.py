"""The tasking API: agendas and queues of the user's divisions, read-only, and the forum's decision
recorded by the division's operations manager through the same service as the agenda page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from priorities import services
from priorities.models import PriorityState, TaskingAgenda, TaskingDecision
from priorities.tasking import services as tasking_services
from tests.factories import UserFactory
from tests.priorities.test_tasking import SITTING, escalated

pytestmark = pytest.mark.django_db
MARK = "ZZSECRET"


@pytest.fixture
def ops(world):
    return UserFactory(role=Role.OPERATIONS_MANAGER, force=world.force, division=world.east, full_name="Olu Ops")


@pytest.fixture
def ops_west(world):
    return UserFactory(role=Role.OPERATIONS_MANAGER, force=world.force, division=world.west)


def _sitting(world, ops, days=0, forum="ttcg"):
    meets_on = SITTING + datetime.timedelta(days=days)
    return tasking_services.tasking_agenda_create(division=world.east, forum=forum, meets_on=meets_on, actor=ops)


def _west_sitting(world, ops_west):
    return TaskingAgenda.objects.create(division=world.west, forum="maps", meets_on=SITTING, created_by=ops_west)


def _decide_url(item):
    return reverse("api-tasking-decide", args=[item.pk])


def test_it_lists_the_agendas_of_the_users_divisions_only(api, world, ops, ops_west):
    east, west = _sitting(world, ops), _west_sitting(world, ops_west)
    for user, expected in ((ops, [east.pk]), (world.chief_inspector_other, [west.pk]), (world.hq, [east.pk, west.pk])):
        api.force_login(user)
        response = api.get(reverse("api-tasking-agenda-list"))
        assert response.status_code == 200
        assert sorted(a["id"] for a in response.json()["results"]) == expected, user


def test_it_refuses_the_tasking_api_to_those_who_do_not_read_tasking(api, world, ops):
    agenda = _sitting(world, ops)
    urls = [reverse("api-tasking-agenda-list"), reverse("api-tasking-queue-list")]
    for user in (None, world.resident, world.pcso, world.sergeant, world.partner, world.comms):
        if user is not None:
            api.force_login(user)
        for url in urls:
            assert api.get(url).status_code == 403, (user, url)
        expected = 403 if user in (None, world.resident) else 404
        assert api.get(reverse("api-tasking-agenda-detail", args=[agenda.pk])).status_code == expected, user


def test_it_hides_another_divisions_agenda(api, world, ops, ops_west):
    agenda = _sitting(world, ops)
    for user in (world.chief_inspector_other, ops_west):
        api.force_login(user)
        assert api.get(reverse("api-tasking-agenda-detail", args=[agenda.pk])).status_code == 404


def test_it_filters_agendas_and_refuses_a_bad_filter(api, world, ops):
    _sitting(world, ops)
    matac = _sitting(world, ops, days=14, forum="matac")
    api.force_login(ops)
    url = reverse("api-tasking-agenda-list")
    assert [a["id"] for a in api.get(url, {"forum": "matac"}).json()["results"]] == [matac.pk]
    assert [a["id"] for a in api.get(url, {"meets_from": "2027-01-20"}).json()["results"]] == [matac.pk]
    assert api.get(url, {"division": "west"}).json()["results"] == []
    response = api.get(url, {"forum": "parliament"})
    assert response.status_code == 400 and "forum" in response.json()


def test_it_shows_an_agendas_items_with_decisions_carry_over_and_withdrawal(api, world, ops):
    accepted, withdrawn = escalated(world, title="Accepted one"), escalated(world, title="Withdrawn one")
    first = _sitting(world, ops)
    items = {i.escalation.priority.title: i for i in first.items.all()}
    tasking_services.tasking_item_decide(
        item=items["Accepted one"], actor=ops, decision=TaskingDecision.ACCEPTED, owner="Licensing"
    )
    second = _sitting(world, ops, days=14)
    with time_machine.travel(datetime.datetime(2027, 1, 20, 9, tzinfo=datetime.UTC), tick=False):
        services.priority_de_escalate(priority=withdrawn, actor=world.sergeant, reason="Sorted locally")
    api.force_login(world.chief_inspector)
    old = {i["priority"]: i for i in api.get(reverse("api-tasking-agenda-detail", args=[first.pk])).json()["items"]}
    [new] = api.get(reverse("api-tasking-agenda-detail", args=[second.pk])).json()["items"]
    assert (
        old[accepted.pk] | {"decision": "accepted", "owner": "Licensing", "decided_by": "Olu Ops"} == old[accepted.pk]
    )
    assert old[withdrawn.pk]["carried_over_to"] == new["id"] and old[withdrawn.pk]["withdrawn"] is False
    assert new["carried_over_from"] == old[withdrawn.pk]["id"] and new["decision"] == ""
    assert new["withdrawn"] is True and new["withdrawn_at"].startswith("2027-01-20")
    listed = {a["id"]: a for a in api.get(reverse("api-tasking-agenda-list")).json()["results"]}
    assert (listed[second.pk]["item_count"], listed[second.pk]["withdrawn_count"]) == (1, 1)


def test_it_lists_each_forums_queue_and_carry_over_per_division(api, world, ops):
    escalated(world, title="Carried")
    _sitting(world, ops)
    escalated(world, title="Waiting", forum="matac")
    api.force_login(world.hq)
    response = api.get(reverse("api-tasking-queue-list"))
    divisions = {d["division"]: {f["forum"]: f for f in d["forums"]} for d in response.json()["results"]}
    assert set(divisions) == {"east", "west"} and set(divisions["east"]) == {
        "ttcg", "cdrp", "matac", "maps", "neighbourhood_management"
    }  # fmt: skip
    assert [e["priority_title"] for e in divisions["east"]["matac"]["escalations"]] == ["Waiting"]
    assert divisions["east"]["ttcg"]["carry_over_count"] == 1 and divisions["east"]["ttcg"]["escalations"] == []
    assert all(f["escalations"] == [] and f["carry_over_count"] == 0 for f in divisions["west"].values())
    only_west = api.get(reverse("api-tasking-queue-list"), {"division": "west"}).json()["results"]
    assert [d["division"] for d in only_west] == ["west"]


def test_it_keeps_restricted_text_out_of_the_tasking_api(api, world, ops):
    for n, forum in enumerate(("ttcg", "matac")):
        priority = escalated(world, title=f"Escalated {n}", forum=forum)
        services.priority_update(
            priority=priority, actor=world.sergeant, evidence=f"{MARK} evidence", restricted_notes=f"{MARK} notes"
        )
    agenda = _sitting(world, ops)
    api.force_login(ops)
    for url in (
        reverse("api-tasking-agenda-list"),
        reverse("api-tasking-agenda-detail", args=[agenda.pk]),
        reverse("api-tasking-queue-list"),
    ):
        response = api.get(url)
        assert response.status_code == 200 and MARK not in response.content.decode(), url


def test_it_records_the_forums_decision_through_the_api(api, world, ops):
    priority = escalated(world)
    item = _sitting(world, ops).items.get()
    api.force_login(ops)
    response = api.post(_decide_url(item), {"decision": "returned", "advice": "Try a PSPO first"}, format="json")
    assert response.status_code == 200
    assert response.json() | {"decision": "returned", "advice": "Try a PSPO first"} == response.json()
    priority.refresh_from_db()
    assert priority.state == PriorityState.IN_ACTION
    assert priority.events.filter(verb="tasking_decision", note__contains="Try a PSPO first").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "accepted"}, "owner"),
        ({"decision": "returned", "advice": "  "}, "advice"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "accepted", "owner": 7}, "owner"),
        ({}, "decision"),
    ],
)
def test_it_answers_bad_decisions_with_field_errors_and_changes_nothing(api, world, ops, body, field):
    item = _sitting(world, ops).items.get() if escalated(world) else None
    api.force_login(ops)
    response = api.post(_decide_url(item), body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    item.refresh_from_db()
    assert item.decision == "" and not item.escalation.priority.events.filter(verb="tasking_decision").exists()


def test_it_refuses_a_decision_on_a_decided_or_withdrawn_item(api, world, ops):
    decided, withdrawn = escalated(world, title="Decided"), escalated(world, title="Withdrawn")
    items = {i.escalation.priority_id: i for i in _sitting(world, ops).items.all()}
    tasking_services.tasking_item_decide(item=items[decided.pk], actor=ops, decision=TaskingDecision.CLOSED)
    services.priority_de_escalate(priority=withdrawn, actor=world.sergeant, reason="Sorted locally")
    api.force_login(ops)
    for priority, words in ((decided, "already recorded"), (withdrawn, "Withdrawn by the neighbourhood")):
        response = api.post(_decide_url(items[priority.pk]), {"decision": "closed"}, format="json")
        assert response.status_code == 400 and words in response.json()["non_field_errors"][0]
    assert not withdrawn.events.filter(verb="tasking_decision").exists()


def test_it_lets_only_the_divisions_operations_manager_decide(api, world, ops, ops_west):
    item = _sitting(world, ops).items.get() if escalated(world) else None
    body = {"decision": "closed"}
    for user, status in (
        (None, 403), (world.resident, 403), (world.chief_inspector, 403), (world.hq, 403),
        (world.pcso, 404), (world.partner, 404), (world.chief_inspector_other, 404), (ops_west, 404),
    ):  # fmt: skip
        if user is not None:
            api.force_login(user)
        assert api.post(_decide_url(item), body, format="json").status_code == status, user
    item.refresh_from_db()
    assert item.decision == ""
    api.force_login(world.admin)
    assert api.post(_decide_url(item), body, format="json").status_code == 200


def test_it_pins_the_tasking_apis_queries(api, world, ops, django_assert_max_num_queries):
    for n in range(6):
        escalated(world, title=f"Escalated {n}", forum=("ttcg", "matac")[n % 2])
    agenda = _sitting(world, ops)
    _sitting(world, ops, days=14, forum="matac")
    escalated(world, title="Still queued")
    api.force_login(world.hq)
    with django_assert_max_num_queries(7):  # session, user, divisions, count, agendas
        api.get(reverse("api-tasking-agenda-list"))
    with django_assert_max_num_queries(7):  # session, user, agenda, items, actions
        api.get(reverse("api-tasking-agenda-detail", args=[agenda.pk]))
    with django_assert_max_num_queries(8):  # session, user, divisions, count, page, queued, carry-over
        api.get(reverse("api-tasking-queue-list"))
