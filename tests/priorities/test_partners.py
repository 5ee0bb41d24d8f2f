"""Partners at the same table: the board, raising an issue, offering an action, and the leak test
that plants text in every restricted field and looks for it on every page a partner may open."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from accounts.roles import Role
from priorities import services
from priorities.models import Action, ActionProposal, ActionUpdate, IssueSource, IssueStatus, ProposalStatus
from priorities.partners import services as partner_services
from tests.factories import PartnerAgencyFactory, TeamMembershipFactory, UserFactory
from tests.priorities.factories import agreed, propose

pytestmark = pytest.mark.django_db
DUE = datetime.date(2027, 2, 1)
MARK = "ZZSECRET"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _offer(world, priority):
    return partner_services.action_propose(priority=priority, actor=world.partner, description="Skip", due_date=DUE)


def _action(world, priority, **fields):
    values = {"description": "Speed checks", "due_date": DUE, "owner_officer": world.pcso} | fields
    return services.action_add(priority=priority, actor=world.pcso, **values)


def test_it_shows_the_partner_board_with_every_agencys_published_actions(world):
    priority = agreed(world, title="Cars racing on Burnley Road")
    services.priority_update(priority=priority, actor=world.pcso, partner_notes="Bring the licensing file")
    _action(world, priority, description="Police speed checks")
    _action(world, priority, description="Hedge cut", owner_officer=None, owner_agency=PartnerAgencyFactory())
    response = _client(world.partner).get(reverse("priorities:partner-board", args=["daneshouse"]))
    content = response.content.decode()
    assert "Cars racing on Burnley Road" in content and "Bring the licensing file" in content
    assert "Police speed checks" in content and "Hedge cut" in content


def test_it_hides_another_neighbourhoods_board_from_a_partner(world):
    response = _client(world.partner).get(reverse("priorities:partner-board", args=["queensgate"]))
    assert response.status_code == 404


def test_it_shows_unpublished_actions_only_to_their_own_agency(world):
    priority = agreed(world)
    _action(world, priority, description="Planned warrant", is_public=False)
    _action(world, priority, description="Council CCTV review", owner_officer=None,
            owner_agency=world.partner.agency, is_public=False)  # fmt: skip
    content = _client(world.partner).get(reverse("priorities:partner-board", args=["daneshouse"])).content.decode()
    assert "Council CCTV review" in content and "Planned warrant" not in content


def test_it_pins_the_partner_boards_queries(world, django_assert_max_num_queries):
    for n in range(6):
        priority = agreed(world, title=f"Priority {n}")
        _action(world, priority)
        partner_services.action_propose(priority=priority, actor=world.partner, description="Skip", due_date=DUE)
    client = _client(world.partner)
    # session, user, scope, neighbourhood, priorities, actions, proposals
    with django_assert_max_num_queries(8):
        client.get(reverse("priorities:partner-board", args=["daneshouse"]))


def test_it_puts_a_partners_issue_in_the_triage_queue(world):
    ward = world.daneshouse.wards.get()
    response = _client(world.partner).post(
        reverse("priorities:partner-raise-issue", args=["daneshouse"]),
        {"ward": ward.pk, "category": "litter", "description": "Fly-tipping behind the mosque"},
    )
    assert response.status_code == 302
    issue = world.daneshouse.issues.get()
    assert (issue.source, issue.status, issue.reported_by) == (IssueSource.PARTNER, IssueStatus.NEW, world.partner)


def test_it_refuses_a_partners_issue_in_a_ward_they_do_not_work(world):
    with pytest.raises(ValidationError):
        partner_services.partner_issue_raise(
            actor=world.partner, ward=world.fleetwood.wards.get(), category="litter", description="Bins"
        )
    assert not world.fleetwood.issues.exists()


def test_it_accepts_a_partners_offer_as_an_action_of_their_agency(world):
    priority = agreed(world)
    offer = partner_services.action_propose(priority=priority, actor=world.partner, description="Skip", due_date=DUE)
    response = _client(world.pcso).post(reverse("priorities:action-offer-accept", args=[offer.pk]), {"is_public": "1"})
    assert response.status_code == 302
    offer.refresh_from_db()
    action = offer.action
    assert offer.status == ProposalStatus.ACCEPTED and action.owner_agency == world.partner.agency
    assert action.owner_partner_user == world.partner and action.is_public
    assert priority.events.filter(verb="action_proposed").exists()


def test_it_declines_an_offer_only_with_a_reason(world):
    offer = _offer(world, agreed(world))
    url = reverse("priorities:action-offer-decline", args=[offer.pk])
    _client(world.pcso).post(url, {"reason": ""})
    offer.refresh_from_db()
    assert offer.status == ProposalStatus.PENDING
    _client(world.pcso).post(url, {"reason": "The council's team already covers it"})
    offer.refresh_from_db()
    assert offer.status == ProposalStatus.DECLINED and offer.decided_by == world.pcso


def test_it_refuses_an_offer_on_a_proposal_or_from_outside(world):
    with pytest.raises(ValidationError, match="agreed"):
        partner_services.action_propose(priority=propose(world), actor=world.partner, description="x", due_date=DUE)
    with pytest.raises(ValidationError):
        partner_services.action_propose(priority=agreed(world), actor=world.pcso, description="x", due_date=DUE)
    assert not ActionProposal.objects.exists()


def test_it_lets_no_partner_answer_an_offer(world):
    offer = _offer(world, agreed(world))
    response = _client(world.partner).post(reverse("priorities:action-offer-accept", args=[offer.pk]))
    assert response.status_code == 404
    assert not Action.objects.exists()


def test_it_pins_the_offers_page_queries(world, django_assert_max_num_queries):
    for _ in range(5):
        partner_services.action_propose(priority=agreed(world), actor=world.partner, description="Skip", due_date=DUE)
    client = _client(world.pcso)
    with django_assert_max_num_queries(8):  # session, user, scope, neighbourhood, pending, decided
        client.get(reverse("priorities:action-offers", args=["daneshouse"]))


# --- the leak test ----------------------------------------------------------------------------


def _plant(objects):
    """Text marked MARK in every restricted field of the objects the matrix's URLs point at."""
    w = objects.world
    for priority in (objects.priority, *objects.priority.neighbourhood.priorities.all()):
        services.priority_update(
            priority=priority, actor=w.sergeant, evidence=f"{MARK} evidence", restricted_notes=f"{MARK} notes"
        )
    objects.meeting.restricted_notes = f"{MARK} meeting"
    objects.meeting.save(update_fields=["restricted_notes"])
    objects.panel_meeting.restricted_notes = f"{MARK} panel meeting"
    objects.panel_meeting.save(update_fields=["restricted_notes"])
    _action(w, objects.priority, description=f"{MARK} unpublished police action", is_public=False)
    officer_action = _action(w, objects.priority, description="Published police action")
    ActionUpdate.objects.create(action=officer_action, text=f"{MARK} police-only update", author=w.pcso)
    objects.issue.contact_email = "zzsecret@example.org"
    objects.issue.save(update_fields=["contact_email"])
    objects.panel_member.email, objects.panel_member.telephone = "zzsecret@example.org", "ZZSECRET 0123"
    objects.panel_member.save(update_fields=["email", "telephone"])


def test_it_shows_restricted_text_on_no_page_export_or_feed_a_partner_can_reach(tmp_path):
    from tests.conftest import build_world
    from tests.test_authorization_matrix import EXPECTED, PEOPLE, Objects

    with override_settings(MEDIA_ROOT=tmp_path):
        objects = Objects(build_world())
        _plant(objects)
        _walk_as_partner(objects, EXPECTED, PEOPLE)


def _walk_as_partner(objects, expected, people):
    client = _client(objects.world.partner)
    partner = people.index("partner")
    reached = []
    for name, (method, key, statuses) in sorted(expected.items()):
        if method != "GET" or statuses.split()[partner] != "200":
            continue
        response = client.get(reverse(name, kwargs=objects.kwargs(key)))
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert MARK.lower().encode() not in body.lower(), f"{name} shows restricted text to a partner"
        reached.append(name)
    assert "priorities:partner-board" in reached and "priorities:partner-actions" in reached
    # The API's partner boards, read the same way (a partner's session reaches the API).
    assert "api-partner-board-list" in reached and "api-partner-board-detail" in reached


def test_it_gives_a_partner_without_an_agency_no_board(world):
    agencyless = UserFactory(role=Role.PARTNER, force=world.force)
    TeamMembershipFactory(user=agencyless, neighbourhood=world.daneshouse, role=Role.PARTNER)
    response = _client(agencyless).get(reverse("priorities:partner-board", args=["daneshouse"]))
    assert response.status_code == 404
