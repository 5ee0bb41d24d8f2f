import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from priorities import services
from priorities.models import Action, ActionStatus, Issue, IssueStatus, Priority, PriorityState
from tests.factories import PartnerAgencyFactory
from tests.meetings.test_services import at
from tests.priorities.factories import agreed, held_meeting, propose, raise_issue

pytestmark = pytest.mark.django_db

LIST = reverse("api-priority-list")
ACTIONS = reverse("api-action-list")
ISSUES = reverse("api-issue-list")
NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def url(name, obj):
    return reverse(name, kwargs={"pk": obj.pk})


def fleetwood_priority(world):
    return propose(
        world, actor=world.pcso_other, neighbourhood=world.fleetwood, wards=list(world.fleetwood.wards.all())
    )


def action_for(world, priority, *, agency=None):
    owner = {"owner_agency": agency} if agency else {"owner_officer": world.pcso}
    return services.action_add(
        priority=priority, actor=world.pcso, description="Speed checks at school time", due_date=NEXT_YEAR, **owner
    )


# --- priorities -------------------------------------------------------------------------------


def test_it_lists_the_priorities_of_the_area_only(api, world):
    mine = propose(world)
    fleetwood_priority(world)
    api.force_login(world.pcso)
    data = api.get(LIST).json()
    assert [p["id"] for p in data["results"]] == [mine.pk]
    assert data["results"][0]["wards"] == ["E05005155"]


def test_it_refuses_priorities_to_residents_and_shows_partners_none(api, world):
    propose(world)
    api.force_login(world.resident)
    assert api.get(LIST).status_code == 403
    api.force_login(world.partner)  # partners reach priorities only through their agency's actions
    assert api.get(LIST).json()["results"] == []


def test_it_leaves_restricted_text_out_for_those_who_may_not_read_it(api, world):
    priority = propose(world, evidence="Intelligence: the same two cars every night")
    api.force_login(world.pcso)
    assert api.get(url("api-priority-detail", priority)).json()["evidence"].startswith("Intelligence")
    api.force_login(world.comms)
    shown = api.get(url("api-priority-detail", priority))
    listed = api.get(LIST).json()["results"][0]
    assert shown.status_code == 200
    assert "evidence" not in shown.json() and "restricted_notes" not in listed
    assert "Intelligence" not in shown.content.decode()


def test_it_answers_404_for_a_priority_outside_the_area(api, world):
    priority = fleetwood_priority(world)
    api.force_login(world.pcso)
    assert api.get(url("api-priority-detail", priority)).status_code == 404
    assert api.post(url("api-priority-agree", priority), {}, format="json").status_code == 404
    api.force_login(world.partner)
    assert api.get(url("api-priority-detail", propose(world))).status_code == 404


def test_it_lists_priorities_in_constant_queries(api, world, django_assert_max_num_queries):
    api.force_login(world.sergeant)
    propose(world)
    api.get(LIST)
    for n in range(6):
        propose(world, title=f"Problem {n}")
    # session, user, team, neighbourhoods, count, priorities, wards
    with django_assert_max_num_queries(7):
        assert len(api.get(LIST).json()["results"]) == 7


def test_it_proposes_a_priority_from_the_triage_queue(api, world):
    issue = raise_issue(world)
    api.force_login(world.pcso)
    body = {
        "neighbourhood": "daneshouse",
        "wards": ["E05005155"],
        "title": "Speeding on Burnley Road",
        "category": "speeding",
        "public_problem": "Cars speed at night.",
        "review_date": NEXT_YEAR.isoformat(),
        "issues": [issue.pk],
    }
    response = api.post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "proposed"
    issue.refresh_from_db()
    assert issue.status == IssueStatus.LINKED and issue.priority_id == response.json()["id"]


def test_it_refuses_a_proposal_with_bad_input_and_stores_nothing(api, world):
    api.force_login(world.pcso)
    body = {"neighbourhood": "fleetwood", "wards": ["E05005400"], "title": "", "category": "aliens"}
    response = api.post(LIST, body, format="json")
    assert response.status_code == 400
    assert {"neighbourhood", "wards", "title", "category", "public_problem", "review_date"} <= set(response.json())
    api.force_login(world.chief_inspector)
    assert api.post(LIST, body, format="json").status_code == 403
    assert not Priority.objects.exists()


def test_it_agrees_a_priority_for_a_sergeant_only(api, world):
    priority = propose(world)
    api.force_login(world.pcso)
    assert api.post(url("api-priority-agree", priority), {}, format="json").status_code == 403
    api.force_login(world.sergeant)
    meeting = {"meeting": held_meeting(world).pk}
    response = api.post(url("api-priority-agree", priority), meeting, format="json")
    assert response.status_code == 200 and response.json()["state"] == "agreed"
    assert "start" in response.json()["transitions"]
    again = api.post(url("api-priority-agree", priority), meeting, format="json")
    assert again.status_code == 400 and "non_field_errors" in again.json()


def _meeting_in_two_days(world):
    start = timezone.now() + datetime.timedelta(days=2)
    return held_meeting(world, starts_at=start, ends_at=start + datetime.timedelta(hours=1))


@pytest.mark.parametrize(
    ("make_meeting", "message"),
    [
        (lambda w: None, "Choose the PACT or panel meeting where the community agreed it"),
        (lambda w: held_meeting(w, neighbourhood=w.queensgate), "Choose a meeting of the priority's own neighbourhood"),
        (lambda w: held_meeting(w, outcome_recorded_at=None), "has no outcome recorded"),
        (lambda w: _meeting_in_two_days(w), "has not happened yet"),
    ],
)
def test_it_refuses_agreeing_without_a_held_meeting_of_its_own_with_a_field_error(api, world, make_meeting, message):
    priority = propose(world)
    meeting = make_meeting(world)
    api.force_login(world.sergeant)
    body = {"meeting": meeting.pk} if meeting else {}
    response = api.post(url("api-priority-agree", priority), body, format="json")
    assert response.status_code == 400 and message in response.json()["meeting"][0]
    priority.refresh_from_db()
    assert priority.state == PriorityState.PROPOSED and priority.events.count() == 1


def test_it_refuses_an_agreement_at_a_meeting_before_the_proposal(api, world):
    with time_machine.travel(at(2026, 12, 1, 21), tick=False):
        before = held_meeting(world)
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = propose(world)
        api.force_login(world.sergeant)
        response = api.post(url("api-priority-agree", priority), {"meeting": before.pk}, format="json")
    assert response.status_code == 400
    assert "before the priority was proposed on 6 December 2026" in response.json()["meeting"][0]


def test_it_refuses_transitions_without_what_the_service_needs(api, world):
    priority = agreed(world)
    api.force_login(world.sergeant)
    response = api.post(url("api-priority-escalate", priority), {"forum": "ttcg", "reason": " "}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"reason"}
    body = {"review_date": "2001-01-01", "meeting": held_meeting(world).pk}
    response = api.post(url("api-priority-agree", propose(world)), body, format="json")
    assert set(response.json()) == {"review_date"}
    proposal = propose(world)
    response = api.post(url("api-priority-not-adopt", proposal), {"reason": ""}, format="json")
    assert set(response.json()) == {"reason"}
    priority.refresh_from_db()
    assert priority.state == PriorityState.AGREED and priority.escalations.count() == 0


def test_it_moves_a_priority_through_to_community_sign_off(api, world):
    priority = agreed(world)
    api.force_login(world.sergeant)
    assert api.post(url("api-priority-start", priority)).json()["state"] == "in_action"
    resolved = api.post(url("api-priority-resolve", priority), {"public_outcome": "Camera fitted"}, format="json")
    assert resolved.json()["state"] == "resolved"
    typed = api.post(url("api-priority-sign-off", priority), {"method": "panel_chair"}, format="json")
    assert typed.status_code == 400 and set(typed.json()) == {"meeting"}
    body = {"method": "online_vote", "meeting": held_meeting(world).pk}
    typed = api.post(url("api-priority-sign-off", priority), body, format="json")
    assert typed.status_code == 400 and "closed online vote, which records itself" in typed.json()["method"][0]
    body = {"meeting": held_meeting(world).pk}
    assert api.post(url("api-priority-sign-off", priority), body, format="json").json()["state"] == "signed_off"
    verbs = list(priority.events.filter(actor=world.sergeant).values_list("verb", flat=True))
    assert verbs == ["agree", "start", "resolve", "sign_off"]


def test_it_edits_the_text_for_the_team_and_refuses_readers(api, world):
    priority = propose(world)
    api.force_login(world.pcso)
    response = api.patch(url("api-priority-detail", priority), {"public_update": "Speed checks weekly"}, format="json")
    assert response.status_code == 200 and response.json()["public_update"] == "Speed checks weekly"
    api.force_login(world.chief_inspector)
    assert api.patch(url("api-priority-detail", priority), {"title": "x"}, format="json").status_code == 403


# --- actions ----------------------------------------------------------------------------------


def test_it_shows_a_partner_only_their_agencys_actions(api, world):
    priority = agreed(world, evidence="Restricted intelligence")
    own = action_for(world, priority, agency=world.partner.agency)
    other = action_for(world, priority, agency=PartnerAgencyFactory(name="Fire and Rescue"))
    action_for(world, priority)
    api.force_login(world.partner)
    response = api.get(ACTIONS)
    assert [a["id"] for a in response.json()["results"]] == [own.pk]
    assert "Restricted intelligence" not in response.content.decode()
    assert api.get(url("api-action-detail", own)).status_code == 200
    assert api.get(url("api-action-detail", other)).status_code == 404


def test_it_lets_a_partner_update_their_own_action_only(api, world):
    priority = agreed(world)
    own = action_for(world, priority, agency=world.partner.agency)
    officers = action_for(world, priority)
    api.force_login(world.partner)
    body = {"text": "Bins moved", "status": "in_progress"}
    response = api.post(url("api-action-update", own), body, format="json")
    assert response.status_code == 201 and response.json()["updates"][0]["text"] == "Bins moved"
    assert api.post(url("api-action-update", officers), body, format="json").status_code == 404
    assert api.post(url("api-action-update", own), {"text": ""}, format="json").status_code == 400
    priority.refresh_from_db()
    assert priority.state == PriorityState.IN_ACTION


def test_it_adds_actions_for_the_team_only(api, world):
    priority = agreed(world)
    body = {"description": "Speed checks", "due_date": NEXT_YEAR.isoformat(), "owner_officer": world.pcso.pk}
    api.force_login(world.pcso)
    response = api.post(url("api-priority-action-add", priority), body, format="json")
    assert response.status_code == 201 and response.json()["owner"] == "PCSO Priya PCSO"
    both = {**body, "owner_agency": world.partner.agency.pk}
    assert set(api.post(url("api-priority-action-add", priority), both, format="json").json()) == {"owner_agency"}
    api.force_login(world.chief_inspector)
    assert api.post(url("api-priority-action-add", priority), body, format="json").status_code == 403
    assert Action.objects.count() == 1


def test_it_lists_actions_in_constant_queries(api, world, django_assert_max_num_queries):
    priority = agreed(world)
    api.force_login(world.sergeant)
    action_for(world, priority)
    api.get(ACTIONS)
    for _ in range(5):
        action_for(world, priority, agency=world.partner.agency)
    # session, user, team, neighbourhoods, count, actions
    with django_assert_max_num_queries(6):
        assert len(api.get(ACTIONS).json()["results"]) == 6


def test_it_refuses_an_action_filter_past_the_id_range(api, world):
    api.force_login(world.sergeant)
    for bad in (str(2**63), "0", "1.5"):
        assert set(api.get(ACTIONS, {"priority": bad}).json()) == {"priority"}


def test_it_refuses_actions_to_residents(api, world):
    api.force_login(world.resident)
    assert api.get(ACTIONS).status_code == 403


# --- issues -----------------------------------------------------------------------------------


def test_it_shows_the_team_its_triage_queue(api, world):
    issue = raise_issue(world, supporters=3, contact_email="amina@example.org")
    api.force_login(world.pcso)
    data = api.get(ISSUES, {"status": "new"}).json()
    assert [(i["id"], i["supporters"], i["ward"]) for i in data["results"]] == [(issue.pk, 3, "E05005155")]
    api.force_login(world.pcso_other)
    assert api.get(ISSUES).json()["results"] == []
    assert api.get(url("api-issue-detail", issue)).status_code == 404
    api.force_login(world.resident)
    assert api.get(ISSUES).status_code == 403


def test_it_lists_issues_in_constant_queries(api, world, django_assert_max_num_queries):
    api.force_login(world.pcso)
    raise_issue(world)
    api.get(ISSUES)
    for n in range(6):
        raise_issue(world, description=f"Litter {n}", actor=world.pcso)
    # session, user, team, neighbourhoods, count, issues
    with django_assert_max_num_queries(6):
        assert len(api.get(ISSUES).json()["results"]) == 7


def test_it_logs_an_issue_into_the_queue(api, world):
    api.force_login(world.pcso)
    body = {
        "ward": "E05005155",
        "category": "litter",
        "description": "Fly-tipping behind the mosque",
        "source": "other",
    }
    response = api.post(ISSUES, body, format="json")
    assert response.status_code == 201, response.json()
    issue = Issue.objects.get()
    assert issue.status == IssueStatus.NEW and issue.reported_by == world.pcso


def test_it_refuses_issues_with_bad_input_or_outside_the_team(api, world):
    api.force_login(world.pcso)
    body = {"ward": "E05005400", "category": "litter", "description": "", "source": "online", "latitude": 53.8}
    response = api.post(ISSUES, body, format="json")
    assert {"ward", "description", "source"} <= set(response.json())
    api.force_login(world.chief_inspector)
    assert api.post(ISSUES, {**body, "ward": "E05005155"}, format="json").status_code == 403
    assert not Issue.objects.exists()


def test_it_keeps_action_status_choices_to_the_model(api, world):
    action = action_for(world, agreed(world))
    api.force_login(world.pcso)
    response = api.post(url("api-action-update", action), {"text": "x", "status": "abandoned"}, format="json")
    assert set(response.json()) == {"status"}
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_it_takes_only_true_or_false_for_a_yes_no_field(api, world):
    action = action_for(world, agreed(world))
    api.force_login(world.pcso)
    response = api.post(url("api-action-update", action), {"text": "Done", "is_public": 0}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"is_public"}
    assert not action.updates.exists()


def test_it_escalates_and_brings_back_for_managers_only(api, world):
    priority = agreed(world)
    api.force_login(world.pcso)
    assert (
        api.post(url("api-priority-escalate", priority), {"forum": "maps", "reason": "x"}, format="json").status_code
        == 403
    )
    api.force_login(world.inspector)
    body = {"forum": "maps", "reason": "Needs the council's housing team"}
    assert api.post(url("api-priority-escalate", priority), body, format="json").json()["state"] == "escalated"
    back = api.post(url("api-priority-de-escalate", priority), {"reason": "Housing team joined"}, format="json")
    assert back.json()["state"] == "in_action"


def test_it_reopens_a_declined_priority_for_managers_only(api, world):
    priority = propose(world)
    api.force_login(world.sergeant)
    assert (
        api.post(url("api-priority-not-adopt", priority), {"reason": "Council matter"}, format="json").json()["state"]
        == "not_adopted"
    )
    api.force_login(world.pcso)
    assert api.post(url("api-priority-reopen", priority), {"reason": "Back again"}, format="json").status_code == 403
    api.force_login(world.sergeant)
    reopened = api.post(url("api-priority-reopen", priority), {"reason": "Back again"}, format="json")
    assert reopened.json()["state"] == "reopened"
