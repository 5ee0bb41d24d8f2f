"""The policy matrix: every rule has a case that allows and a case that denies."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.policy import can, registered_actions, scope_for
from accounts.roles import Role
from messaging.models import Alert, InboundReply
from priorities import services
from tests.factories import PartnerAgencyFactory, TeamMembershipFactory, UserFactory
from tests.meetings.test_services import new_meeting
from tests.priorities.factories import agreed, raise_issue

pytestmark = pytest.mark.django_db

# (action, person, object, expected). Objects are attribute names on the world fixture.
MATRIX = [
    ("staff.dashboard", "pcso", None, True),
    ("staff.dashboard", "chief_inspector", None, True),
    ("staff.dashboard", "partner", None, True),
    ("staff.dashboard", "resident", None, False),
    ("account.two_factor", "sergeant", None, True),
    ("account.two_factor", "resident", None, False),
    ("neighbourhood.view_internal", "pcso", "daneshouse", True),
    ("neighbourhood.view_internal", "pcso", "fleetwood", False),
    ("neighbourhood.view_internal", "inspector", "queensgate", True),
    ("neighbourhood.view_internal", "inspector", "fleetwood", False),
    ("neighbourhood.view_internal", "chief_inspector", "queensgate", True),
    ("neighbourhood.view_internal", "chief_inspector_other", "daneshouse", False),
    ("neighbourhood.view_internal", "hq", "fleetwood", True),
    ("neighbourhood.view_internal", "partner", "daneshouse", True),
    ("neighbourhood.view_internal", "partner", "queensgate", False),
    ("neighbourhood.view_internal", "resident", "daneshouse", False),
    ("neighbourhood.edit", "pcso", "daneshouse", True),
    ("neighbourhood.edit", "sergeant", "daneshouse", True),
    ("neighbourhood.edit", "pcso_other", "daneshouse", False),
    ("neighbourhood.edit", "chief_inspector", "daneshouse", False),
    ("neighbourhood.edit", "hq", "daneshouse", False),
    ("neighbourhood.edit", "partner", "daneshouse", False),
    ("neighbourhood.edit", "admin", "fleetwood", True),
    ("neighbourhood.edit", "resident", "daneshouse", False),
    ("division.view", "chief_inspector", "east", True),
    ("division.view", "chief_inspector", "west", False),
    ("division.view", "hq", "west", True),
    ("division.view", "comms", "east", True),
    ("division.view", "pcso", "east", False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), MATRIX)
def test_it_applies_the_policy_matrix(world, action, person, target, expected):
    obj = getattr(world, target) if target else None
    assert can(getattr(world, person), action, obj) is expected


def test_it_covers_every_registered_action_with_an_allow_and_a_deny():
    outcomes = {(action, expected) for action, _, _, expected in MATRIX}
    outcomes |= {(action, expected) for action, _, expected in MEETING_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in PRIORITY_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in MESSAGING_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in SURVEY_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in RETURN_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in SCORECARD_MATRIX}
    outcomes |= {(action, expected) for action, _, expected in PANEL_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in INBOX_MATRIX}
    outcomes |= {(action, expected) for action, _, expected in DATA_PROTECTION_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in DOORKNOCK_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in PARTNER_MATRIX}
    outcomes |= {(action, expected) for action, _, _, expected in TASKING_MATRIX}
    outcomes |= {(action, expected) for action, _, expected in VOTE_MATRIX}
    for action in registered_actions():
        assert (action, True) in outcomes, f"{action} has no allowing case"
        assert (action, False) in outcomes, f"{action} has no denying case"


def test_it_denies_everything_to_anonymous_and_deactivated_users(world):
    world.pcso.is_active = False
    for action in registered_actions():
        assert not can(AnonymousUser(), action, world.daneshouse)
        assert not can(world.pcso, action, world.daneshouse)


def test_it_fails_loudly_on_an_unknown_action(world):
    with pytest.raises(KeyError):
        can(world.pcso, "neighbourhood.teleport", world.daneshouse)


def test_it_scopes_a_pcso_to_their_current_neighbourhoods_only(world):
    ended = TeamMembershipFactory(user=world.pcso, neighbourhood=world.fleetwood, start_date=datetime.date(2020, 1, 1))
    ended.end_date = datetime.date(2021, 1, 1)
    ended.save()
    assert scope_for(world.pcso).neighbourhood_ids == {world.daneshouse.pk}


def test_it_works_out_the_scope_once_per_user_object(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        for _ in range(3):
            can(world.pcso, "neighbourhood.view_internal", world.daneshouse)


MEETING_MATRIX = [
    ("meeting.create", "pcso", True),
    ("meeting.create", "inspector", True),
    ("meeting.create", "chief_inspector", False),
    ("meeting.create", "partner", False),
    ("meeting.create", "pcso_other", False),
    ("meeting.view_internal", "partner", True),
    ("meeting.view_internal", "chief_inspector", True),
    ("meeting.view_internal", "chief_inspector_other", False),
    ("meeting.view_internal", "resident", False),
    ("meeting.edit", "sergeant", True),
    ("meeting.edit", "hq", False),
    ("meeting.edit", "pcso_other", False),
    ("meeting.view_restricted", "pcso", True),
    ("meeting.view_restricted", "hq", True),
    ("meeting.view_restricted", "partner", False),
    ("meeting.view_restricted", "comms", False),
    ("meeting.view_restricted", "pcso_other", False),
]


@pytest.mark.parametrize(("action", "person", "expected"), MEETING_MATRIX)
def test_it_applies_the_meeting_rules(world, action, person, expected):
    meeting = new_meeting(world)
    target = meeting.neighbourhood if action == "meeting.create" else meeting
    assert can(getattr(world, person), action, target) is expected


def member_of(neighbourhood):
    user = UserFactory(role=Role.PCSO, force=neighbourhood.division.force, division=neighbourhood.division)
    TeamMembershipFactory(user=user, neighbourhood=neighbourhood, role=Role.PCSO)
    return user


# A town-wide meeting hosted by Daneshouse that also covers Queensgate: Queensgate's team reads it,
# but neither edits it nor reads its restricted notes; West Division's staff see nothing of it.
COVERED_MEETING_MATRIX = [
    ("meeting.view_internal", "queensgate_pcso", True),
    ("meeting.view_internal", "pcso_other", False),
    ("meeting.edit", "queensgate_pcso", False),
    ("meeting.view_restricted", "queensgate_pcso", False),
]


@pytest.mark.parametrize(("action", "person", "expected"), COVERED_MEETING_MATRIX)
def test_it_applies_the_meeting_rules_to_the_neighbourhoods_a_meeting_also_covers(world, action, person, expected):
    meeting = new_meeting(world)
    meeting.also_covers.add(world.queensgate)
    people = {"queensgate_pcso": member_of(world.queensgate), "pcso_other": world.pcso_other}
    assert can(people[person], action, meeting) is expected


# Daneshouse's panel: its team keeps the register, police of the division read it, partners and
# communications never see members' contact details.
PANEL_MATRIX = [
    ("panel.view", "pcso", True),
    ("panel.view", "chief_inspector", True),
    ("panel.view", "partner", False),
    ("panel.view", "comms", False),
    ("panel.view", "pcso_other", False),
    ("panel.view", "chief_inspector_other", False),
    ("panel.edit", "pcso", True),
    ("panel.edit", "sergeant", True),
    ("panel.edit", "chief_inspector", False),
    ("panel.edit", "partner", False),
    ("panel.edit", "pcso_other", False),
]


@pytest.mark.parametrize(("action", "person", "expected"), PANEL_MATRIX)
def test_it_applies_the_panel_rules(world, action, person, expected):
    from tests.meetings.panel_factories import panel

    assert can(getattr(world, person), action, panel(world)) is expected


# A Daneshouse vote: put and closed by the sergeant or above of its area; its turnout read by
# whoever reads the board (not partners).
VOTE_MATRIX = [
    ("vote.create", "sergeant", True),
    ("vote.create", "inspector", True),
    ("vote.create", "chief_inspector", True),
    ("vote.create", "pcso", False),
    ("vote.create", "chief_inspector_other", False),
    ("vote.create", "partner", False),
    ("vote.view", "pcso", True),
    ("vote.view", "hq", True),
    ("vote.view", "partner", False),
    ("vote.view", "pcso_other", False),
    ("vote.close", "sergeant", True),
    ("vote.close", "pcso", False),
    ("vote.close", "comms", False),
]


@pytest.mark.parametrize(("action", "person", "expected"), VOTE_MATRIX)
def test_it_applies_the_vote_rules(world, action, person, expected):
    from priorities.models import Vote

    vote = Vote(neighbourhood=world.daneshouse)
    target = world.daneshouse if action == "vote.create" else vote
    assert can(getattr(world, person), action, target) is expected


PRIORITY_MATRIX = [
    ("priority.propose", "pcso", "neighbourhood", True),
    ("priority.propose", "partner", "neighbourhood", False),
    ("priority.propose", "pcso_other", "neighbourhood", False),
    ("priority.view_board", "chief_inspector", "neighbourhood", True),
    ("priority.view_board", "comms", "neighbourhood", True),
    ("priority.view_board", "partner", "neighbourhood", False),
    ("priority.view_board", "chief_inspector_other", "neighbourhood", False),
    ("priority.view_internal", "chief_inspector", "priority", True),
    ("priority.view_internal", "partner", "priority", False),
    ("priority.view_internal", "chief_inspector_other", "priority", False),
    ("priority.view_restricted", "sergeant", "priority", True),
    ("priority.view_restricted", "comms", "priority", False),
    ("priority.edit", "pcso", "priority", True),
    ("priority.edit", "chief_inspector", "priority", False),
    ("priority.manage", "sergeant", "priority", True),
    ("priority.manage", "chief_inspector", "priority", True),
    ("priority.manage", "pcso", "priority", False),
    ("priority.manage", "hq", "priority", False),
    ("issue.triage", "pcso", "issue", True),
    ("issue.triage", "partner", "issue", False),
    ("action.view", "partner", "council_action", True),
    ("action.view", "partner", "officer_action", False),
    ("action.update", "partner", "council_action", True),
    ("action.update", "partner", "other_agency_action", False),
    ("action.update", "pcso", "officer_action", True),
    ("action.update", "pcso_other", "officer_action", False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), PRIORITY_MATRIX)
def test_it_applies_the_priority_rules(world, action, person, target, expected):
    priority = agreed(world)
    targets = {
        "neighbourhood": world.daneshouse,
        "priority": priority,
        "issue": raise_issue(world),
        "council_action": services.action_add(
            priority=priority, actor=world.pcso, description="Speed humps", due_date=datetime.date(2027, 2, 1),
            owner_agency=world.partner.agency,
        ),
        "officer_action": services.action_add(
            priority=priority, actor=world.pcso, description="Speed checks", due_date=datetime.date(2027, 2, 1),
            owner_officer=world.pcso,
        ),
        "other_agency_action": services.action_add(
            priority=priority, actor=world.pcso, description="Hedge cut", due_date=datetime.date(2027, 2, 1),
            owner_agency=PartnerAgencyFactory(name="Calico Homes"),
        ),
    }  # fmt: skip
    assert can(getattr(world, person), action, targets[target]) is expected


MESSAGING_MATRIX = [
    ("alert.compose", "pcso", None, True),
    ("alert.compose", "comms", None, True),
    ("alert.compose", "partner", None, True),
    ("alert.compose", "resident", None, False),
    ("alert.compose", "resident", None, False),
    ("alert.target_neighbourhood", "pcso", "daneshouse", True),
    ("alert.target_neighbourhood", "pcso", "queensgate", False),
    ("alert.target_neighbourhood", "partner", "daneshouse", True),
    ("alert.target_neighbourhood", "partner", "queensgate", False),
    ("alert.target_division", "chief_inspector", "east", True),
    ("alert.target_division", "chief_inspector", "west", False),
    ("alert.target_division", "inspector", "east", False),
    ("alert.target_force", "comms", "force", True),
    ("alert.target_force", "chief_inspector", "force", False),
    ("alert.view", "pcso", "pcso_alert", True),
    ("alert.view", "chief_inspector", "pcso_alert", True),
    ("alert.view", "chief_inspector_other", "pcso_alert", False),
    ("alert.view", "pcso_other", "pcso_alert", False),
    ("alert.view", "partner", "pcso_alert", False),
    ("alert.approve", "comms", "hq_force_alert", True),
    ("alert.approve", "hq", "hq_force_alert", False),
    ("alert.approve", "comms", "comms_force_alert", False),
    ("alert.approve", "comms", "partner_alert", True),
    ("alert.approve", "inspector", "partner_alert", True),
    ("alert.approve", "sergeant", "partner_alert", False),
    ("alert.approve", "partner", "partner_alert", False),
    ("alert.view", "partner", "partner_alert", True),
    ("alert.cancel", "partner", "partner_alert", True),
    ("alert.cancel", "partner", "pcso_alert", False),
    ("alert.cancel", "pcso", "pcso_alert", True),
    ("alert.cancel", "sergeant", "pcso_alert", True),
    ("alert.cancel", "constable", "pcso_alert", False),
    ("alert.cancel", "pcso_other", "pcso_alert", False),
    ("subscriber.field_sign_up", "pcso", "daneshouse", True),
    ("subscriber.field_sign_up", "pcso", "fleetwood", False),
    ("subscriber.field_sign_up", "chief_inspector", "daneshouse", False),
    ("messaging.outbox", "comms", None, True),
    ("messaging.outbox", "pcso", None, False),
    ("messaging.measures", "inspector", None, True),
    ("messaging.measures", "partner", None, False),
]


def _alert(world, author, *, level, agency=None, **area):
    alert = Alert.objects.create(
        force=world.force, title="Burglaries", body="Lock your doors.", audience_level=level, created_by=author,
        agency=agency,
    )  # fmt: skip
    for name, objects in area.items():
        getattr(alert, name).set(objects)
    return alert


@pytest.mark.parametrize(("action", "person", "target", "expected"), MESSAGING_MATRIX)
def test_it_applies_the_messaging_rules(world, action, person, target, expected):
    constable = UserFactory(role=Role.CONSTABLE, force=world.force, division=world.east)
    TeamMembershipFactory(user=constable, neighbourhood=world.daneshouse, role=Role.CONSTABLE)
    world.constable = constable
    targets = {
        "pcso_alert": lambda: _alert(world, world.pcso, level="neighbourhoods", neighbourhoods=[world.daneshouse]),
        "hq_force_alert": lambda: _alert(world, world.hq, level="force"),
        "comms_force_alert": lambda: _alert(world, world.comms, level="force"),
        "partner_alert": lambda: _alert(
            world, world.partner, level="neighbourhoods", neighbourhoods=[world.daneshouse], agency=world.partner.agency
        ),
    }
    obj = targets[target]() if target in targets else getattr(world, target) if target else None
    assert can(getattr(world, person), action, obj) is expected


INBOX_MATRIX = [
    ("inbox.view", "pcso", None, True),
    ("inbox.view", "comms", None, True),
    ("inbox.view", "partner", None, False),
    ("inbox.view", "chief_inspector", None, False),
    ("inbox.view", "pcso", "daneshouse", True),
    ("inbox.view", "admin", "fleetwood", True),
    ("inbox.view", "pcso_other", "daneshouse", False),
    ("inbox.view", "partner", "daneshouse", False),
    ("inbox.view", "comms", "daneshouse", False),
    ("inbox.view_unmatched", "comms", None, True),
    ("inbox.view_unmatched", "admin", None, True),
    ("inbox.view_unmatched", "pcso", None, False),
    ("inbox.view_unmatched", "hq", None, False),
    ("reply.handle", "pcso", "daneshouse_reply", True),
    ("reply.handle", "sergeant", "daneshouse_reply", True),
    ("reply.handle", "pcso_other", "daneshouse_reply", False),
    ("reply.handle", "partner", "daneshouse_reply", False),
    ("reply.handle", "chief_inspector", "daneshouse_reply", False),
    ("reply.handle", "comms", "unmatched_reply", True),
    ("reply.handle", "pcso", "unmatched_reply", False),
    ("reply.handle", "partner", "unmatched_reply", False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), INBOX_MATRIX)
def test_it_applies_the_inbox_rules(world, action, person, target, expected):
    targets = {
        "daneshouse_reply": lambda: InboundReply(neighbourhood=world.daneshouse, body="Thanks", sender="+447700900123"),
        "unmatched_reply": lambda: InboundReply(neighbourhood=None, body="Who is this?", sender="+447700900999"),
    }
    obj = targets[target]() if target in targets else getattr(world, target) if target else None
    assert can(getattr(world, person), action, obj) is expected


SURVEY_MATRIX = [
    ("survey.create", "sergeant", None, True),
    ("survey.create", "comms", None, True),
    ("survey.create", "pcso", None, False),
    ("survey.create", "partner", None, False),
    ("survey.edit", "chief_inspector", "ci_survey", True),
    ("survey.edit", "hq", "ci_survey", True),
    ("survey.edit", "sergeant", "ci_survey", False),
    ("survey.edit", "pcso", "ci_survey", False),
    ("survey.view_results", "pcso", "ci_survey", True),
    ("survey.view_results", "chief_inspector_other", "ci_survey", True),
    ("survey.view_results", "partner", "ci_survey", False),
    ("survey.view_results", "resident", "ci_survey", False),
    ("survey.view_results", "outsider", "ci_survey", False),
    ("survey.view_trends", "pcso", None, True),
    ("survey.view_trends", "partner", None, False),
    ("representation.view", "constable", None, True),
    ("representation.view", "partner", None, False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), SURVEY_MATRIX)
def test_it_applies_the_survey_rules(world, action, person, target, expected):
    from django.utils import timezone

    from neighbourhoods.models import Force
    from surveys.models import Survey

    world.constable = UserFactory(role=Role.CONSTABLE, force=world.force, division=world.east)
    other_force = Force.objects.create(slug="cumbria", name="Cumbria Constabulary")
    world.outsider = UserFactory(role=Role.HQ, force=other_force)
    survey = Survey.objects.create(
        force=world.force, title="Feeling safe", opens_at=timezone.now(), created_by=world.chief_inspector
    )
    obj = survey if target == "ci_survey" else None
    assert can(getattr(world, person), action, obj) is expected


RETURN_MATRIX = [
    ("return.view", "chief_inspector", "east_return", True),
    ("return.view", "chief_inspector_other", "east_return", False),
    ("return.view", "hq", "east_return", True),
    ("return.view", "delegate", "east_return", True),
    ("return.view", "inspector", "east_return", False),
    ("return.view", "pcso", "east_return", False),
    ("return.edit", "chief_inspector", "east_return", True),
    ("return.edit", "delegate", "east_return", True),
    ("return.edit", "inspector", "east_return", False),
    ("return.edit", "hq", "east_return", False),
    ("return.submit", "chief_inspector", "east_return", True),
    ("return.submit", "delegate", "east_return", False),
    ("return.submit", "chief_inspector_other", "east_return", False),
    ("return.reopen", "hq", "east_return", True),
    ("return.reopen", "chief_inspector", "east_return", False),
    ("return.force_status", "hq", None, True),
    ("return.force_status", "chief_inspector", None, False),
    ("return.list", "inspector", None, True),
    ("return.list", "pcso", None, False),
    ("open311.manage_keys", "hq", None, True),
    ("open311.manage_keys", "chief_inspector", None, False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), RETURN_MATRIX)
def test_it_applies_the_return_rules(world, action, person, target, expected):
    from reports.models import HighlightReturn, due_date_for

    period_end = datetime.date(2026, 10, 31)
    east_return = HighlightReturn.objects.create(
        division=world.east,
        period_start=datetime.date(2026, 10, 1),
        period_end=period_end,
        due_date=due_date_for(period_end),
    )
    # A delegate is an inspector of the division whom the chief inspector asked to help.
    world.delegate = TeamMembershipFactory(
        user=UserFactory(role=Role.INSPECTOR, force=world.force, division=world.east),
        neighbourhood=world.queensgate,
        role=Role.INSPECTOR,
    ).user
    east_return.delegates.add(world.delegate)
    obj = east_return if target == "east_return" else None
    assert can(getattr(world, person), action, obj) is expected


SCORECARD_MATRIX = [
    ("scorecard.view", "pcso", "daneshouse", True),
    ("scorecard.view", "pcso", "fleetwood", False),
    ("scorecard.view", "partner", "daneshouse", False),
    ("scorecard.view", "chief_inspector", "east", True),
    ("scorecard.view", "chief_inspector", "west", False),
    ("scorecard.view", "pcso", "east", False),
    ("scorecard.view", "hq", "force", True),
    ("scorecard.view", "chief_inspector", "force", False),
    ("scorecard.view", "pcso", None, True),
    ("scorecard.view", "resident", None, False),
    ("scorecard.enter_figures", "comms", "fleetwood", True),
    ("scorecard.enter_figures", "comms", "east", True),
    ("scorecard.enter_figures", "pcso", "daneshouse", True),
    ("scorecard.enter_figures", "pcso", "fleetwood", False),
    ("scorecard.enter_figures", "pcso", "east", False),
    ("scorecard.enter_figures", "chief_inspector", "daneshouse", False),
    ("scorecard.enter_figures", "hq", None, False),
    ("scorecard.record_appeal_outcome", "comms", "appeal", True),
    ("scorecard.record_appeal_outcome", "pcso", "appeal", True),
    ("scorecard.record_appeal_outcome", "pcso_other", "appeal", False),
    ("scorecard.record_appeal_outcome", "chief_inspector", "appeal", False),
    ("scorecard.record_appeal_outcome", "comms", "general_alert", False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), SCORECARD_MATRIX)
def test_it_applies_the_scorecard_rules(world, action, person, target, expected):
    from tests.messaging.factories import alert

    targets = {
        "daneshouse": world.daneshouse,
        "fleetwood": world.fleetwood,
        "east": world.east,
        "west": world.west,
        "force": world.force,
        None: None,
    }
    if target == "appeal":
        targets[target] = alert(world, kind="appeal")
    if target == "general_alert":
        targets[target] = alert(world)
    assert can(getattr(world, person), action, targets[target]) is expected


# The data protection officer is not one of the world's named people: made here, in the force.
DATA_PROTECTION_MATRIX = [
    ("dataprotection.subject_request", "dpo", True),
    ("dataprotection.subject_request", "admin", True),
    ("dataprotection.subject_request", "hq", False),
    ("dataprotection.subject_request", "comms", False),
    ("dataprotection.subject_request", "resident", False),
    ("dataprotection.audit_trail", "admin", True),
    ("dataprotection.audit_trail", "dpo", False),
    ("dataprotection.audit_trail", "hq", False),
]


@pytest.mark.parametrize(("action", "person", "expected"), DATA_PROTECTION_MATRIX)
def test_it_applies_the_data_protection_rules(world, action, person, expected):
    if person == "dpo":
        user = UserFactory(role=Role.DATA_PROTECTION_OFFICER, force=world.force)
    else:
        user = getattr(world, person)
    assert can(user, action) is expected


def test_the_data_protection_officer_is_force_wide_staff(world):
    dpo = UserFactory(role=Role.DATA_PROTECTION_OFFICER, force=world.force)
    assert dpo.is_staff_member
    assert scope_for(dpo).covers_neighbourhood(world.fleetwood)
    assert not can(dpo, "meeting.view_restricted", new_meeting(world))


# A round's doors are its team's alone: not the chief inspector, HQ, a partner or a system administrator.
DOORKNOCK_MATRIX = [
    ("doorknock.plan", "pcso", None, True),
    ("doorknock.plan", "pcso", "daneshouse", True),
    ("doorknock.plan", "inspector", "queensgate", True),
    ("doorknock.plan", "pcso", "fleetwood", False),
    ("doorknock.plan", "chief_inspector", None, False),
    ("doorknock.plan", "partner", "daneshouse", False),
    ("doorknock.plan", "resident", None, False),
    ("doorknock.work", "pcso", "round", True),
    ("doorknock.work", "sergeant", "round", True),
    ("doorknock.work", "pcso_other", "round", False),
    ("doorknock.work", "chief_inspector", "round", False),
    ("doorknock.work", "hq", "round", False),
    ("doorknock.work", "partner", "round", False),
    ("doorknock.work", "admin", "round", False),
    ("doorknock.import_streets", "pcso", "ward", True),
    ("doorknock.import_streets", "hq", "ward", True),
    ("doorknock.import_streets", "admin", None, True),
    ("doorknock.import_streets", "pcso_other", "ward", False),
    ("doorknock.import_streets", "chief_inspector", None, False),
    ("doorknock.import_streets", "partner", "ward", False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), DOORKNOCK_MATRIX)
def test_it_applies_the_door_knock_rules(world, action, person, target, expected):
    from tests.messaging.doorknock.factories import planned

    targets = {"daneshouse": world.daneshouse, "queensgate": world.queensgate, "fleetwood": world.fleetwood, None: None}
    targets["ward"] = world.daneshouse.wards.get()
    if target == "round":
        targets["round"] = planned(world)
    assert can(getattr(world, person), action, targets[target]) is expected


# Partners at the same table: the partner works with Daneshouse only; the team answers its offers.
PARTNER_MATRIX = [
    ("priority.view_partner_board", "partner", "daneshouse", True),
    ("priority.view_partner_board", "partner", "queensgate", False),
    ("priority.view_partner_board", "pcso", "daneshouse", False),
    ("issue.raise_as_partner", "partner", "daneshouse", True),
    ("issue.raise_as_partner", "partner", "fleetwood", False),
    ("issue.raise_as_partner", "resident", "daneshouse", False),
    ("action.propose", "partner", "priority", True),
    ("action.propose", "sergeant", "priority", False),
    ("action_proposal.decide", "pcso", "proposal", True),
    ("action_proposal.decide", "partner", "proposal", False),
    ("action_proposal.decide", "pcso_other", "proposal", False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), PARTNER_MATRIX)
def test_it_applies_the_partner_rules(world, action, person, target, expected):
    from priorities.models import ActionProposal

    priority = agreed(world)
    targets = {
        "priority": lambda: priority,
        "proposal": lambda: ActionProposal.objects.create(
            priority=priority, agency=world.partner.agency, proposed_by=world.partner, description="Skip",
            due_date=datetime.date(2027, 2, 1),
        ),
    }  # fmt: skip
    obj = targets[target]() if target in targets else getattr(world, target)
    assert can(getattr(world, person), action, obj) is expected


# Divisional tasking: East's operations manager builds East's agendas; the chief inspector and HQ read them.
TASKING_MATRIX = [
    ("tasking.manage", "ops_manager", "east", True),
    ("tasking.manage", "ops_manager", "west", False),
    ("tasking.manage", "chief_inspector", "east", False),
    ("tasking.manage", "partner", "east", False),
    ("tasking.view", "ops_manager", "east", True),
    ("tasking.view", "chief_inspector", "east", True),
    ("tasking.view", "chief_inspector_other", "east", False),
    ("tasking.view", "inspector", "east", False),
    ("tasking.view", "partner", "east", False),
]


@pytest.mark.parametrize(("action", "person", "target", "expected"), TASKING_MATRIX)
def test_it_applies_the_tasking_rules(world, action, person, target, expected):
    world.ops_manager = UserFactory(role=Role.OPERATIONS_MANAGER, force=world.force, division=world.east)
    assert can(getattr(world, person), action, getattr(world, target)) is expected
