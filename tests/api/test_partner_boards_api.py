"""The partner board API: a partner agency user reads the boards of the neighbourhoods they work
with, with the fields their board page shows and never the police's restricted text."""

import datetime

import pytest
from django.urls import reverse

from priorities import services
from priorities.partners import services as partner_services
from tests.factories import PartnerAgencyFactory
from tests.priorities.factories import agreed

pytestmark = pytest.mark.django_db
DUE = datetime.date(2027, 2, 1)
MARK = "ZZSECRET"
BOARD_FIELDS = {
    "id", "title", "state", "category", "review_date", "public_problem", "public_update", "public_outcome",
    "partner_notes", "actions", "offers", "can_offer",
}  # fmt: skip


def _action(world, priority, **fields):
    values = {"description": "Speed checks", "due_date": DUE, "owner_officer": world.pcso} | fields
    return services.action_add(priority=priority, actor=world.pcso, **values)


def _board(api, user, code="daneshouse"):
    api.force_login(user)
    return api.get(reverse("api-partner-board-detail", args=[code]))


def test_it_lists_the_neighbourhoods_a_partner_works_with(api, world):
    api.force_login(world.partner)
    response = api.get(reverse("api-partner-board-list"))
    assert response.status_code == 200
    assert response.json()["results"] == [{"code": "daneshouse", "name": "Daneshouse"}]


def test_it_shows_the_board_page_fields_with_every_agencys_published_actions(api, world):
    priority = agreed(world, title="Cars racing on Burnley Road")
    services.priority_update(priority=priority, actor=world.pcso, partner_notes="Bring the licensing file")
    _action(world, priority, description="Police speed checks")
    _action(world, priority, description="Hedge cut", owner_officer=None, owner_agency=PartnerAgencyFactory())
    _action(world, priority, description="Planned warrant", is_public=False)
    _action(world, priority, description="Council CCTV review", owner_officer=None,
            owner_agency=world.partner.agency, is_public=False)  # fmt: skip
    partner_services.action_propose(priority=priority, actor=world.partner, description="Skip", due_date=DUE)
    response = _board(api, world.partner)
    assert response.status_code == 200
    [row] = response.json()["priorities"]
    assert set(row) == BOARD_FIELDS
    assert row["partner_notes"] == "Bring the licensing file" and row["can_offer"] is True
    descriptions = {a["description"] for a in row["actions"]}
    assert descriptions == {"Police speed checks", "Hedge cut", "Council CCTV review"}
    assert {a["status"] for a in row["actions"]} == {"open"}
    assert [(o["description"], o["status"]) for o in row["offers"]] == [("Skip", "pending")]


def test_it_never_gives_a_partner_restricted_text(api, world):
    for n in range(3):
        priority = agreed(world, title=f"Priority {n}", evidence=f"{MARK} evidence")
        services.priority_update(priority=priority, actor=world.sergeant, restricted_notes=f"{MARK} notes")
        action = _action(world, priority, description="Published police action")
        services.action_update(action=action, actor=world.pcso, text=f"{MARK} police-only update")
    body = _board(api, world.partner).content.decode()
    assert "Published police action" in body and MARK not in body


def test_it_hides_boards_of_neighbourhoods_the_partner_does_not_work_with(api, world):
    for code in ("queensgate", "fleetwood", "nowhere"):
        assert _board(api, world.partner, code).status_code == 404, code


def test_it_refuses_partner_boards_to_everyone_but_partners(api, world):
    assert api.get(reverse("api-partner-board-list")).status_code == 403
    assert api.get(reverse("api-partner-board-detail", args=["daneshouse"])).status_code == 403
    for user in (world.resident, world.pcso, world.sergeant, world.chief_inspector, world.hq, world.admin):
        api.force_login(user)
        assert api.get(reverse("api-partner-board-list")).status_code == 403, user
        assert api.get(reverse("api-partner-board-detail", args=["daneshouse"])).status_code == 403, user


def test_it_pins_the_partner_board_apis_queries(api, world, django_assert_max_num_queries):
    for n in range(6):
        priority = agreed(world, title=f"Priority {n}")
        _action(world, priority)
        partner_services.action_propose(priority=priority, actor=world.partner, description="Skip", due_date=DUE)
    api.force_login(world.partner)
    with django_assert_max_num_queries(6):  # session, user, scope, neighbourhoods
        api.get(reverse("api-partner-board-list"))
    with django_assert_max_num_queries(8):  # session, user, scope, neighbourhoods, priorities, actions, offers
        assert len(api.get(reverse("api-partner-board-detail", args=["daneshouse"])).json()["priorities"]) == 6
