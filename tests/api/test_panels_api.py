"""PACT panels over the API: the area's panels and their registers, read by police of the area only."""

import pytest
from django.urls import reverse

from tests.factories import NeighbourhoodFactory
from tests.meetings.panel_factories import member, panel

pytestmark = pytest.mark.django_db


def test_it_lists_the_panels_of_the_users_area_with_their_current_members(api, world):
    daneshouse = panel(world)
    member(daneshouse)
    member(daneshouse, first_name="Former", term_ends="2026-02-01")
    panel(world, neighbourhoods=[world.fleetwood], name="Fleetwood PACT panel")
    api.force_authenticate(world.chief_inspector)
    body = api.get(reverse("api-panel-list")).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [(r["name"], r["neighbourhoods"], r["current_members"]) for r in rows] == [
        ("Daneshouse PACT panel", ["daneshouse"], 1)
    ]


def test_it_gives_the_register_with_contact_details_to_police_of_the_area(api, world):
    made = panel(world)
    member(made, first_name="Aisha", email="aisha@example.org")
    api.force_authenticate(world.pcso)
    body = api.get(reverse("api-panel-detail", args=[made.pk])).json()
    assert [(m["first_name"], m["email"]) for m in body["members"]] == [("Aisha", "aisha@example.org")]


@pytest.mark.parametrize("person", ["partner", "comms", "pcso_other"])
def test_it_keeps_the_register_from_partners_communications_and_other_areas(api, world, person):
    made = panel(world)
    member(made, email="aisha@example.org")
    api.force_authenticate(getattr(world, person))
    assert api.get(reverse("api-panel-detail", args=[made.pk])).status_code == 404
    listed = api.get(reverse("api-panel-list")).content.decode()
    assert "aisha@example.org" not in listed and "Daneshouse PACT panel" not in listed


@pytest.mark.parametrize("panels", [1, 6])
def test_it_lists_panels_in_constant_queries(api, world, django_assert_max_num_queries, panels):
    for i in range(panels):
        member(panel(world, neighbourhoods=[NeighbourhoodFactory(division=world.east)], name=f"Panel {i}"))
    api.force_authenticate(world.chief_inspector)
    # user's scope, the panels with their counts, their neighbourhoods
    with django_assert_max_num_queries(4):
        assert api.get(reverse("api-panel-list")).status_code == 200
