import datetime

import pytest
import time_machine
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import MeetingType
from priorities import services
from priorities.forms.records import TRANSITION_FORMS
from priorities.models import Action, ActionStatus, EscalationForum, PriorityEvent, PriorityState
from priorities.views.records import TRANSITION_SERVICES, VERB_RULES
from tests.factories import PartnerAgencyFactory, UserFactory
from tests.meetings.test_services import at, new_meeting
from tests.priorities.factories import agreed, held_meeting, propose, raise_issue, signed_off

pytestmark = pytest.mark.django_db
S = PriorityState
DUE = datetime.date(2027, 1, 15)
EVIDENCE = "Intel: supplier operates from the garage behind no. 12"

STEPS = {
    "agree": lambda w, p: services.priority_agree(priority=p, actor=w.sergeant, meeting=held_meeting(w)),
    "start": lambda w, p: services.priority_start(priority=p, actor=w.pcso),
    "escalate": lambda w, p: services.priority_escalate(
        priority=p, actor=w.sergeant, forum=EscalationForum.TTCG, reason="Needs roads policing"
    ),
    "resolve": lambda w, p: services.priority_resolve(priority=p, actor=w.sergeant, public_outcome="Speeds are down."),
    "sign_off": lambda w, p: signed_off(w, p),
    "not_adopt": lambda w, p: services.priority_not_adopt(priority=p, actor=w.sergeant, reason="A council matter."),
}
PATHS = {
    S.PROPOSED: [],
    S.AGREED: ["agree"],
    S.IN_ACTION: ["agree", "start"],
    S.ESCALATED: ["agree", "start", "escalate"],
    S.RESOLVED: ["agree", "start", "resolve"],
    S.SIGNED_OFF: ["agree", "start", "resolve", "sign_off"],
    S.NOT_ADOPTED: ["not_adopt"],
}


def in_state(world, state, **extra):
    """A Daneshouse priority walked to `state` through the services, as the team would."""
    priority = propose(world, **extra)
    for step in PATHS[state]:
        STEPS[step](world, priority)
    return priority


def council_action(world, priority, *, agency=None, **extra):
    fields = {"description": "Install speed humps", "due_date": DUE, "owner_agency": agency or world.partner.agency}
    fields.update(extra)
    return services.action_add(priority=priority, actor=world.pcso, **fields)


def transition_url(priority, verb):
    return reverse("priorities:transition", kwargs={"pk": priority.pk, "verb": verb})


def detail_url(priority):
    return reverse("priorities:detail", kwargs={"pk": priority.pk})


# --- transitions, per role ----------------------------------------------------------------------

# A legal move for each verb: the state it starts from and the form that makes it.
LEGAL = {
    "agree": (S.PROPOSED, {"review_date": "2027-01-05"}),
    "start": (S.AGREED, {}),
    "escalate": (S.IN_ACTION, {"forum": "ttcg", "reason": "Needs roads policing"}),
    "de_escalate": (S.ESCALATED, {"reason": "Camera van deployed"}),
    "resolve": (S.IN_ACTION, {"public_outcome": "Average speed down from 41 to 29 mph."}),
    "sign_off": (S.RESOLVED, {}),
    "not_adopt": (S.PROPOSED, {"reason": "A council matter: passed to highways."}),
    "reopen": (S.RESOLVED, {"reason": "The racing is back since the camera van left."}),
}
# (status for a sergeant-or-above move, status for a neighbourhood-team move); 302 means it moved.
OUTCOMES = {
    "pcso": (403, 302),
    "sergeant": (302, 302),
    "inspector": (302, 302),
    "chief_inspector": (302, 403),
    "chief_inspector_other": (404, 404),
    "pcso_other": (404, 404),
    "hq": (403, 403),
    "comms": (403, 403),
    "partner": (404, 404),
    "resident": (404, 404),
}


def test_it_has_a_rule_a_form_and_a_service_for_every_transition():
    assert set(VERB_RULES) == set(TRANSITION_FORMS) == set(TRANSITION_SERVICES) == set(services.TRANSITIONS)


@pytest.mark.parametrize("person", list(OUTCOMES))
@pytest.mark.parametrize("verb", list(LEGAL))
def test_it_lets_each_role_make_only_the_moves_policy_gives_it(client, world, verb, person):
    start, data = LEGAL[verb]
    priority = in_state(world, start)
    if verb in ("agree", "sign_off"):  # the community decides at a PACT meeting held today
        data = {**data, "meeting": held_meeting(world).pk}
    events = priority.events.count()
    client.force_login(getattr(world, person))
    response = client.post(transition_url(priority, verb), data)
    expected = OUTCOMES[person][0 if VERB_RULES[verb] == "priority.manage" else 1]
    assert response.status_code == expected
    priority.refresh_from_db()
    moved = expected == 302
    assert (priority.state == services.TRANSITIONS[verb][1]) == moved
    assert priority.events.count() == events + moved


def test_it_shows_a_small_form_page_for_a_step(client, world):
    priority = in_state(world, S.IN_ACTION)
    client.force_login(world.sergeant)
    response = client.get(transition_url(priority, "escalate"))
    assert response.status_code == 200
    assert "Escalate to" in response.content.decode()
    client.force_login(world.pcso)
    assert client.get(transition_url(priority, "escalate")).status_code == 403


def test_it_refuses_an_illegal_move_with_a_message_and_changes_nothing(client, world):
    priority = propose(world)
    client.force_login(world.sergeant)
    response = client.post(transition_url(priority, "resolve"), {"public_outcome": "Done"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(priority)
    assert "cannot be resolved now. Nothing was changed." in response.content.decode()
    priority.refresh_from_db()
    assert (priority.state, priority.public_outcome, priority.events.count()) == (S.PROPOSED, "", 1)


def test_it_404s_a_verb_that_is_not_a_transition(client, world):
    client.force_login(world.sergeant)
    assert client.post(transition_url(propose(world), "delete")).status_code == 404


def test_it_re_renders_a_step_with_an_error_summary_and_changes_nothing(client, world):
    priority = in_state(world, S.IN_ACTION)
    client.force_login(world.sergeant)
    response = client.post(transition_url(priority, "escalate"), {"forum": "ttcg", "reason": ""})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    priority.refresh_from_db()
    assert priority.state == S.IN_ACTION and not priority.escalations.exists()


def test_it_offers_only_this_neighbourhoods_meetings_when_agreeing(client, world):
    ward = world.fleetwood.wards.get()
    elsewhere = meeting_services.meeting_create(
        actor=world.pcso_other, neighbourhood=world.fleetwood, wards=[ward], meeting_type=MeetingType.PUBLIC_PACT,
        title="Fleetwood PACT", starts_at=at(2026, 12, 2, 19), ends_at=at(2026, 12, 2, 20), venue_name="Marine Hall",
    )  # fmt: skip
    priority = propose(world)
    client.force_login(world.sergeant)
    response = client.post(transition_url(priority, "agree"), {"meeting": elsewhere.pk, "review_date": "2027-01-05"})
    assert "Choose one of the meetings listed" in response.content.decode()
    priority.refresh_from_db()
    assert priority.state == S.PROPOSED


def test_it_records_a_sign_off_at_a_meeting_that_took_place(client, world):
    meeting = new_meeting(world, starts_at=at(2026, 11, 3, 19), ends_at=at(2026, 11, 3, 20), status="published",
                          outcome_recorded_at=at(2026, 11, 3, 21))  # fmt: skip
    with time_machine.travel(at(2026, 11, 1, 9), tick=False):
        priority = in_state(world, S.RESOLVED)
    with time_machine.travel(at(2026, 11, 4, 9), tick=False):
        client.force_login(world.pcso)
        client.post(transition_url(priority, "sign_off"), {"method": "meeting", "meeting": meeting.pk})
        page = client.get(detail_url(priority)).content.decode()
    priority.refresh_from_db()
    assert priority.state == S.SIGNED_OFF and priority.sign_offs.get().meeting == meeting
    assert "At a PACT meeting: Daneshouse PACT" in page


def test_it_offers_no_way_to_sign_off_without_a_meeting(client, world):
    priority = in_state(world, S.RESOLVED)
    client.force_login(world.pcso)
    page = client.get(transition_url(priority, "sign_off")).content.decode()
    assert "panel_chair_name" not in page and "votes_for" not in page
    response = client.post(transition_url(priority, "sign_off"), {"method": "panel_chair", "panel_chair_name": "Jo"})
    assert "Choose the meeting where the community signed it off." in response.content.decode()
    priority.refresh_from_db()
    assert priority.state == S.RESOLVED and not priority.sign_offs.exists()


def test_it_offers_no_agreement_without_a_meeting_and_says_why(client, world):
    priority = propose(world)
    client.force_login(world.sergeant)
    page = client.get(transition_url(priority, "agree")).content.decode()
    assert "Not at a meeting" not in page
    response = client.post(transition_url(priority, "agree"), {"review_date": "2027-01-05"})
    assert "Choose the meeting where the community agreed it." in response.content.decode()
    priority.refresh_from_db()
    assert priority.state == S.PROPOSED and priority.events.count() == 1


def test_it_offers_only_held_pact_meetings_from_the_proposal_on_when_agreeing(client, world):
    with time_machine.travel(at(2026, 12, 6, 20), tick=False):
        priority = propose(world)
        held = held_meeting(world, title="Held PACT")
        held_meeting(world, title="Not written up", outcome_recorded_at=None)
        held_meeting(world, title="Knocking doors", meeting_type="door_knock")
        new_meeting(world, title="Before it", starts_at=at(2026, 12, 1, 19), ends_at=at(2026, 12, 1, 20),
                    status="published", outcome_recorded_at=at(2026, 12, 1, 21))  # fmt: skip
        client.force_login(world.sergeant)
        response = client.get(transition_url(priority, "agree"))
    assert list(response.context["form"].fields["meeting"].queryset) == [held]


# --- the record page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status"),
    [("pcso", 200), ("sergeant", 200), ("chief_inspector", 200), ("hq", 200), ("comms", 200),
     ("chief_inspector_other", 404), ("pcso_other", 404), ("partner", 404), ("resident", 404)],
)  # fmt: skip
def test_it_shows_the_record_to_staff_of_the_area_only(client, world, person, status):
    client.force_login(getattr(world, person))
    assert client.get(detail_url(propose(world))).status_code == status


def test_it_shows_the_record_with_its_issues_weight_and_public_text(client, world):
    issues = [raise_issue(world, supporters=3), raise_issue(world, supporters=2)]
    priority = in_state(world, S.IN_ACTION, issues=issues)
    council_action(world, priority, due_date=datetime.date(2026, 11, 30))
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        client.force_login(world.sergeant)
        page = client.get(detail_url(priority)).content.decode()
    assert "5 residents raised it" in page and "Cars racing on Burnley Road" in page
    assert "Residents told us cars speed" in page and ">public</span>" in page
    assert "Burnley Borough Council" in page and "Overdue" in page


@pytest.mark.parametrize("count", [1, 6])
def test_it_keeps_the_record_page_at_a_fixed_query_count(client, world, django_assert_max_num_queries, count):
    priority = in_state(world, S.ESCALATED, issues=[raise_issue(world)])
    for _ in range(count):
        services.action_update(action=council_action(world, priority), actor=world.partner, text="Booked")
    client.force_login(world.sergeant)
    # session, user, team memberships, access check, the record, and its wards, issues, actions,
    # action updates, escalations, sign-offs and history
    with django_assert_max_num_queries(12):
        response = client.get(detail_url(priority))
    assert len(response.context["actions"]) == count


@pytest.mark.parametrize(("person", "shown"), [("sergeant", True), ("pcso", True), ("comms", False), ("hq", True)])
def test_it_shows_restricted_text_marked_to_police_only(client, world, person, shown):
    priority = propose(world, evidence=EVIDENCE)
    client.force_login(getattr(world, person))
    page = client.get(detail_url(priority)).content.decode()
    assert (EVIDENCE in page) == shown
    assert ("Restricted – police only" in page) == shown


def test_it_writes_and_shows_the_audit_history_with_before_and_after(client, world):
    priority = propose(world)
    client.force_login(world.pcso)
    form = {"title": "Speeding on Colne Road", "category": "speeding", "public_problem": priority.public_problem,
            "review_date": "2027-01-05", "evidence": EVIDENCE}  # fmt: skip
    assert client.post(reverse("priorities:edit", kwargs={"pk": priority.pk}), form).status_code == 302
    event = PriorityEvent.objects.get(verb="edit")
    assert (event.actor, event.changes["title"]) == (world.pcso, ["Speeding on Burnley Road", "Speeding on Colne Road"])
    page = client.get(detail_url(priority)).content.decode()
    assert 'Speeding on Burnley Road</span> → <span class="history-after">Speeding on Colne Road' in page
    assert "Priya PCSO" in page


def test_it_keeps_restricted_values_out_of_the_history_for_comms(client, world):
    priority = propose(world)
    services.priority_update(priority=priority, actor=world.sergeant, evidence=EVIDENCE)
    client.force_login(world.comms)
    page = client.get(detail_url(priority)).content.decode()
    assert "restricted text is not shown to you" in page and EVIDENCE not in page


@pytest.mark.parametrize(("person", "status"), [("pcso", 200), ("chief_inspector", 403), ("comms", 403),
                                               ("partner", 404), ("pcso_other", 404)])  # fmt: skip
def test_it_lets_only_the_team_edit_the_text(client, world, person, status):
    client.force_login(getattr(world, person))
    assert client.get(reverse("priorities:edit", kwargs={"pk": propose(world).pk})).status_code == status


# --- actions ----------------------------------------------------------------------------------


def action_form(world, **overrides):
    data = {"description": "Install speed humps", "owner_agency": world.partner.agency.pk,
            "owner_partner_user": world.partner.pk, "due_date": "2027-01-15", "is_public": "on"}  # fmt: skip
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_it_adds_an_action_owned_by_a_partner_agency_and_a_named_partner(client, world):
    priority = agreed(world)
    client.force_login(world.pcso)
    response = client.post(reverse("priorities:action-add", kwargs={"pk": priority.pk}), action_form(world))
    action = Action.objects.get()
    assert response.url == f"{detail_url(priority)}#action-{action.pk}"
    assert (action.owner_agency, action.owner_partner_user, action.is_public) == (
        world.partner.agency,
        world.partner,
        True,
    )
    assert PriorityEvent.objects.filter(verb="action_add", actor=world.pcso).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"owner_agency": None, "owner_partner_user": None}, "Give the action an owner"),
        ({"owner_officer": "pcso"}, "not both"),
        ({"owner_partner_user": "other"}, "must work for the owning agency"),
        ({"due_date": None}, "Give the action a due date"),
        ({"due_date": "2020-01-01"}, "today or later"),
    ],
)
def test_it_refuses_an_action_without_one_owner_or_a_due_date(client, world, overrides, message):
    other = UserFactory(role="partner", agency=PartnerAgencyFactory(name="Calico Homes"), full_name="Cal Calico")
    people = {"pcso": world.pcso.pk, "other": other.pk}
    overrides = {key: people.get(value, value) for key, value in overrides.items()}
    priority = agreed(world)
    client.force_login(world.pcso)
    response = client.post(
        reverse("priorities:action-add", kwargs={"pk": priority.pk}), action_form(world, **overrides)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Action.objects.exists()


def test_it_offers_only_the_neighbourhood_team_as_officer_owners(client, world):
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:action-add", kwargs={"pk": agreed(world).pk})).content.decode()
    assert "PCSO Priya PCSO" in page and "Oliver OtherPCSO" not in page


def test_it_adds_no_action_to_a_closed_priority(client, world):
    priority = in_state(world, S.RESOLVED)
    client.force_login(world.pcso)
    response = client.post(
        reverse("priorities:action-add", kwargs={"pk": priority.pk}), action_form(world), follow=True
    )
    assert "open priorities only" in response.content.decode() and not Action.objects.exists()


# --- partners ---------------------------------------------------------------------------------


def fleetwood_priority(world):
    return propose(world, actor=world.pcso_other, neighbourhood=world.fleetwood, wards=[world.fleetwood.wards.get()],
                   title="Drug dealing on Lord Street")  # fmt: skip


def test_it_lists_the_partners_agency_actions_in_any_neighbourhood_and_nothing_else(client, world):
    ours = council_action(world, agreed(world, evidence=EVIDENCE), description="Install speed humps")
    elsewhere = council_action(world, fleetwood_priority(world), description="Board up the empty shop")
    council_action(world, agreed(world), description="Rehouse the tenants", agency=PartnerAgencyFactory(name="Calico"))
    client.force_login(world.partner)
    response = client.get(reverse("priorities:partner-actions"))
    assert [a.pk for a in response.context["actions"].to_do] == [ours.pk, elsewhere.pk]
    page = response.content.decode()
    assert "Rehouse the tenants" not in page and EVIDENCE not in page
    assert "Residents told us cars speed" in page


def test_it_lets_a_partner_update_their_agency_action(client, world):
    action = council_action(world, agreed(world, evidence=EVIDENCE))
    client.force_login(world.partner)
    url = reverse("priorities:action-update", kwargs={"pk": action.pk})
    page = client.get(url).content.decode()
    assert "Install speed humps" in page and EVIDENCE not in page
    response = client.post(url, {"text": "Survey booked", "status": "in_progress"})
    assert response.url == reverse("priorities:partner-actions") + f"#action-{action.pk}"
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and action.updates.get().author == world.partner
    assert action.priority.state == S.IN_ACTION


@pytest.mark.parametrize(("person", "status"), [("partner", 404), ("pcso_other", 404), ("comms", 403)])
def test_it_refuses_an_action_update_to_those_it_does_not_belong_to(client, world, person, status):
    action = council_action(world, agreed(world), agency=PartnerAgencyFactory(name="Calico Homes"))
    client.force_login(getattr(world, person))
    url = reverse("priorities:action-update", kwargs={"pk": action.pk})
    assert client.get(url).status_code == status
    assert client.post(url, {"text": "Done", "status": "done"}).status_code == status
    assert not action.updates.exists()


def test_it_swaps_in_the_refreshed_card_for_htmx(client, world):
    action = council_action(world, agreed(world, evidence=EVIDENCE))
    client.force_login(world.partner)
    url = reverse("priorities:action-update", kwargs={"pk": action.pk})
    response = client.post(url, {"text": "Humps ordered", "status": "in_progress"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith("<article") and "Update added" in page and "Humps ordered" in page
    assert EVIDENCE not in page


def test_it_re_renders_an_empty_update_with_its_error(client, world):
    action = council_action(world, agreed(world))
    client.force_login(world.partner)
    response = client.post(
        reverse("priorities:action-update", kwargs={"pk": action.pk}), {"text": "", "status": "done"}
    )
    assert response.status_code == 200 and "Say what was done" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


@pytest.mark.parametrize("count", [1, 10])
def test_it_keeps_the_partner_page_at_a_fixed_query_count(client, world, django_assert_max_num_queries, count):
    for i in range(count):
        action = council_action(world, agreed(world, title=f"Priority {i}"))
        services.action_update(action=action, actor=world.pcso, text="Booked")
    client.force_login(world.partner)
    with django_assert_max_num_queries(5):  # session, user, agency, actions with their priorities, updates
        response = client.get(reverse("priorities:partner-actions"))
    assert len(response.context["actions"].to_do) == count


def test_it_has_no_partner_page_for_officers(client, world):
    client.force_login(world.pcso)
    assert client.get(reverse("priorities:partner-actions")).status_code == 404


# --- the board --------------------------------------------------------------------------------


def board_url(world, neighbourhood=None):
    return reverse("priorities:board", kwargs={"code": (neighbourhood or world.daneshouse).code})


def test_it_groups_the_board_by_state_with_weight_overdue_and_review_flags(client, world):
    in_state(world, S.PROPOSED, title="Litter on Colne Road", issues=[raise_issue(world, supporters=4)])
    council_action(world, in_state(world, S.IN_ACTION, title="Speeding"), due_date=datetime.date(2026, 12, 1))
    in_state(world, S.SIGNED_OFF, title="Graffiti")
    with time_machine.travel(at(2027, 1, 10, 9), tick=False):
        client.force_login(world.pcso)
        response = client.get(board_url(world))
    columns = {c.key: [p.title for p in c.priorities] for c in response.context["columns"]}
    assert columns["proposed"] == ["Litter on Colne Road"] and columns["in_action"] == ["Speeding"]
    assert columns["signed_off"] == ["Graffiti"]
    page = response.content.decode()
    assert "<strong>4</strong> residents" in page and "1 overdue action" in page and "Past review" in page


def test_it_drops_long_closed_priorities_from_the_board(client, world):
    in_state(world, S.NOT_ADOPTED, title="Parking at the school gates")
    with time_machine.travel(at(2027, 6, 1, 9), tick=False):
        client.force_login(world.pcso)
        response = client.get(board_url(world))
    assert all(not c.priorities for c in response.context["columns"])


@pytest.mark.parametrize("count", [2, 20])
def test_it_keeps_the_board_at_a_fixed_query_count(client, world, django_assert_max_num_queries, count):
    for i in range(count):
        council_action(world, in_state(world, [S.PROPOSED, S.IN_ACTION][i % 2], title=f"Priority {i}"))
    client.force_login(world.pcso)
    with django_assert_max_num_queries(5):  # session, user, team memberships, neighbourhood, priorities
        response = client.get(board_url(world))
    assert sum(len(c.priorities) for c in response.context["columns"]) == count


@pytest.mark.parametrize(("person", "status"), [("pcso", 200), ("chief_inspector", 200), ("comms", 200),
                                               ("partner", 404), ("pcso_other", 404), ("resident", 404)])  # fmt: skip
def test_it_shows_the_board_to_staff_of_the_area_but_not_partners(client, world, person, status):
    client.force_login(getattr(world, person))
    assert client.get(board_url(world)).status_code == status


# --- the briefing -----------------------------------------------------------------------------


def briefing_url(world, *, division=False):
    if division:
        return reverse("priorities:briefing-division", kwargs={"code": world.east.code})
    return reverse("priorities:briefing-neighbourhood", kwargs={"code": world.daneshouse.code})


def briefed(response) -> dict[str, list[str]]:
    return {p.title: p.changes_since for s in response.context["sections"] for p in s.priorities}


def test_it_marks_what_changed_since_yesterday(client, world):
    with time_machine.travel(at(2026, 12, 10, 10), tick=False):
        waiting = propose(world, title="Waiting")
        edited = in_state(world, S.AGREED, title="Edited")
        in_state(world, S.AGREED, title="Quiet")
    with time_machine.travel(at(2026, 12, 12, 8), tick=False):
        propose(world, title="Brand new")
        services.priority_agree(priority=waiting, actor=world.sergeant, meeting=held_meeting(world))
        services.priority_update(priority=edited, actor=world.pcso, public_update="Speed checks twice a week.")
    with time_machine.travel(at(2026, 12, 12, 9), tick=False):
        client.force_login(world.sergeant)
        response = client.get(briefing_url(world))
    assert briefed(response) == {"Brand new": ["new"], "Waiting": ["state changed"], "Edited": ["updated"], "Quiet": []}
    page = response.content.decode()
    assert ">New</span>" in page and ">State changed</span>" in page and ">Updated</span>" in page


def test_it_briefs_current_priorities_and_those_closed_since_yesterday(client, world):
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        in_state(world, S.SIGNED_OFF, title="Long signed off")
    with time_machine.travel(at(2026, 12, 12, 8), tick=False):
        in_state(world, S.NOT_ADOPTED, title="Turned down this morning")
        in_state(world, S.RESOLVED, title="Awaiting sign-off", evidence=EVIDENCE)
        council_action(world, in_state(world, S.IN_ACTION, title="Being worked"), description="Speed checks")
    with time_machine.travel(at(2026, 12, 12, 9), tick=False):
        client.force_login(world.sergeant)
        response = client.get(briefing_url(world))
    section = response.context["sections"][0]
    assert {p.title for p in section.priorities} == {"Awaiting sign-off", "Being worked"}
    assert [p.title for p in section.closed] == ["Turned down this morning"]
    page = response.content.decode()
    assert "Speed checks" in page and "Burnley Borough Council" in page and EVIDENCE not in page
    assert 'css/print.css" media="print"' in page


@pytest.mark.parametrize(
    ("person", "division", "status"),
    [("chief_inspector", True, 200), ("hq", True, 200), ("comms", True, 200), ("chief_inspector_other", True, 404),
     ("pcso", True, 404), ("partner", True, 404), ("pcso", False, 200), ("comms", False, 200),
     ("pcso_other", False, 404), ("partner", False, 404), ("resident", False, 404)],
)  # fmt: skip
def test_it_shows_each_briefing_only_to_those_who_may_read_it(client, world, person, division, status):
    client.force_login(getattr(world, person))
    assert client.get(briefing_url(world, division=division)).status_code == status


@pytest.mark.parametrize("division", [False, True])
@pytest.mark.parametrize("count", [2, 20])
def test_it_keeps_the_briefing_at_a_fixed_query_count(client, world, django_assert_max_num_queries, count, division):
    for i in range(count):
        priority = in_state(world, [S.PROPOSED, S.IN_ACTION, S.RESOLVED][i % 3], title=f"Priority {i}")
        if priority.is_open:
            council_action(world, priority)
    client.force_login(world.chief_inspector if division else world.pcso)
    # session, user, (team memberships | division), (neighbourhood | neighbourhoods), priorities, actions, events
    with django_assert_max_num_queries(7):
        response = client.get(briefing_url(world, division=division))
    assert sum(len(s.priorities) for s in response.context["sections"]) == count


@pytest.mark.parametrize(
    ("person", "target"),
    [("chief_inspector", "/officer/briefing/divisions/east/"),
     ("pcso", "/officer/briefing/neighbourhoods/daneshouse/"), ("inspector", None), ("hq", None)],
)  # fmt: skip
def test_it_sends_each_user_to_their_own_briefing(client, world, person, target):
    client.force_login(getattr(world, person))
    response = client.get(reverse("priorities:briefing"))
    if target:
        assert response.url == target
    else:
        assert response.status_code == 200 and "Priorities briefings" in response.content.decode()


# --- meetings a priority can have been agreed or signed off at -------------------------------


def held_on(world, day, title):
    start = at(day.year, day.month, day.day, 19)
    return new_meeting(world, title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                       status="published", outcome_recorded_at=start + datetime.timedelta(hours=2))  # fmt: skip


def meeting_choices(response) -> set[str]:
    return {str(m) for m in response.context["form"].fields["meeting"].queryset}


def test_it_offers_only_meetings_from_the_proposal_to_now_when_agreeing(client, world):
    june = held_on(world, datetime.date(2026, 6, 16), "June PACT")
    december = held_on(world, datetime.date(2026, 12, 7), "December PACT")
    february = held_on(world, datetime.date(2027, 2, 2), "February PACT")
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = propose(world)
    with time_machine.travel(at(2026, 12, 8, 10), tick=False):
        client.force_login(world.sergeant)
        response = client.get(transition_url(priority, "agree"))
        assert meeting_choices(response) == {str(december)}
        response = client.post(transition_url(priority, "agree"), {"meeting": june.pk, "review_date": "2027-01-05"})
    assert "Choose one of the meetings listed" in response.content.decode()
    assert str(february) not in response.content.decode()
    priority.refresh_from_db()
    assert priority.state == S.PROPOSED


def test_it_offers_only_meetings_since_the_resolution_when_signing_off(client, world):
    held_on(world, datetime.date(2026, 6, 16), "June PACT")
    december = held_on(world, datetime.date(2026, 12, 7), "December PACT")
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = in_state(world, S.RESOLVED)
    with time_machine.travel(at(2026, 12, 8, 10), tick=False):
        client.force_login(world.pcso)
        # The meeting that agreed it was held the day it was resolved, so it is on the list too.
        expected = {str(december), str(priority.agreed_at_meeting)}
        assert meeting_choices(client.get(transition_url(priority, "sign_off"))) == expected


def test_it_answers_the_api_with_a_field_error_for_a_meeting_before_the_proposal(client, world):
    june = held_on(world, datetime.date(2026, 6, 16), "June PACT")
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = propose(world)
        client.force_login(world.sergeant)
        url = reverse("api-priority-agree", kwargs={"pk": priority.pk})
        response = client.post(url, {"meeting": june.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "before the priority was proposed" in response.json()["meeting"][0]
    priority.refresh_from_db()
    assert priority.state == S.PROPOSED


def test_it_lists_the_open_actions_with_a_reason_each_when_resolving(client, world):
    priority = in_state(world, S.IN_ACTION)
    checks = services.action_add(
        priority=priority, actor=world.pcso, description="Speed checks at school times", due_date=DUE,
        owner_officer=world.pcso,
    )  # fmt: skip
    client.force_login(world.sergeant)
    page = client.get(transition_url(priority, "resolve")).content.decode()
    assert "One action is still open" in page and "Speed checks at school times" in page
    assert f'name="close_{checks.pk}_reason"' in page and f'name="close_{checks.pk}_status"' in page
    response = client.post(transition_url(priority, "resolve"), {"public_outcome": "Speeds are down."})
    assert "Give the reason this action is closed." in response.content.decode()
    priority.refresh_from_db(), checks.refresh_from_db()
    assert priority.state == S.IN_ACTION and checks.status == ActionStatus.OPEN
    data = {"public_outcome": "Speeds are down.", f"close_{checks.pk}_status": "dropped",
            f"close_{checks.pk}_reason": "The camera made them unnecessary"}  # fmt: skip
    assert client.post(transition_url(priority, "resolve"), data).status_code == 302
    priority.refresh_from_db(), checks.refresh_from_db()
    assert priority.state == S.RESOLVED and checks.status == ActionStatus.DROPPED


def test_it_answers_the_api_with_the_open_actions_when_resolving_leaves_them_out(client, world):
    priority = in_state(world, S.IN_ACTION)
    checks = services.action_add(
        priority=priority, actor=world.pcso, description="Speed checks at school times", due_date=DUE,
        owner_officer=world.pcso,
    )  # fmt: skip
    client.force_login(world.sergeant)
    url = reverse("api-priority-resolve", kwargs={"pk": priority.pk})
    response = client.post(url, {"public_outcome": "Speeds are down."}, content_type="application/json")
    assert response.status_code == 400 and "Speed checks at school times" in response.json()["close_actions"][0]
    priority.refresh_from_db()
    assert priority.state == S.IN_ACTION
    body = {"public_outcome": "Done.", "close_actions": [{"action": checks.pk, "status": "done", "reason": "Finished"}]}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    assert response.json()["actions"][0]["status"] == "done"


def test_it_answers_the_api_with_the_reason_for_a_meeting_still_months_ahead(client, world):
    april = held_on(world, datetime.date(2027, 4, 6), "April PACT")
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = propose(world, review_date=datetime.date(2027, 5, 1))
        client.force_login(world.sergeant)
        url = reverse("api-priority-agree", kwargs={"pk": priority.pk})
        response = client.post(url, {"meeting": april.pk}, content_type="application/json")
    assert response.status_code == 400
    assert "has not happened yet" in response.json()["meeting"][0]


def test_it_links_each_issue_on_the_record_for_the_team_only(client, world):
    issue = raise_issue(world, latitude=53.795, longitude=-2.245)
    priority = propose(world, issues=[issue])
    link = reverse("priorities:issue-detail", kwargs={"pk": issue.pk})
    client.force_login(world.pcso)
    page = client.get(detail_url(priority)).content.decode()
    assert f'href="{link}"' in page and "(pinned)" in page
    client.force_login(world.chief_inspector)
    page = client.get(detail_url(priority)).content.decode()
    assert f"No. {issue.pk}" in page and f'href="{link}"' not in page
