"""The PACT panel register: who keeps it, what the public sees, and bad input."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.panels import selectors, services
from meetings.panels.models import Panel, PanelMember, PanelOffice, PanelRole, PublicDisplay
from tests.factories import NeighbourhoodFactory
from tests.meetings.panel_factories import member, panel

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def _member_post(**overrides):
    data = {
        "first_name": "Grace",
        "last_name": "Okafor",
        "organisation": "",
        "role": PanelRole.RESIDENT,
        "office": "",
        "term_starts": "2026-01-01",
        "term_ends": "2027-12-31",
        "email": "grace@example.org",
        "telephone": "",
        "public_display": PublicDisplay.FIRST_NAME,
    }
    return data | overrides


def test_it_lets_the_neighbourhood_team_add_a_member(client, world):
    made = panel(world)
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:panel-member-add", args=[made.pk]), _member_post())
    assert response.status_code == 302
    assert made.members.get().last_name == "Okafor"


def test_it_refuses_the_register_to_a_pcso_of_another_neighbourhood(client, world):
    made = panel(world)
    client.force_login(world.pcso_other)
    assert client.post(reverse("meetings:panel-member-add", args=[made.pk]), _member_post()).status_code == 404
    assert client.get(reverse("meetings:panel-detail", args=[made.pk])).status_code == 404
    assert not made.members.exists()


def test_it_lets_the_chief_inspector_read_but_not_edit(client, world):
    made = panel(world)
    member(made)
    client.force_login(world.chief_inspector)
    assert client.get(reverse("meetings:panel-detail", args=[made.pk])).status_code == 200
    assert client.post(reverse("meetings:panel-member-add", args=[made.pk]), _member_post()).status_code == 403


def test_it_keeps_contact_details_from_partners(client, world):
    made = panel(world)
    member(made)
    client.force_login(world.partner)
    assert client.get(reverse("meetings:panel-detail", args=[made.pk])).status_code == 404


def test_it_shows_contact_details_to_the_team(client, world):
    made = panel(world)
    member(made, email="planted-contact@example.org")
    client.force_login(world.sergeant)
    assert b"planted-contact@example.org" in client.get(reverse("meetings:panel-detail", args=[made.pk])).content


@time_machine.travel("2026-06-01 12:00 +0000", tick=False)
def test_it_shows_the_public_only_first_names_and_organisations_as_chosen(client, world):
    made = panel(world)
    member(made, first_name="Zenobia", last_name="Plantedsurname", email="secret-mail@example.org",
           telephone="07700 900999", office=PanelOffice.CHAIR)  # fmt: skip
    member(made, first_name="Hiddenfirst", organisation="Calico Homes", role=PanelRole.PARTNER,
           public_display=PublicDisplay.ORGANISATION, last_name="Othersurname")  # fmt: skip
    member(made, first_name="Invisible", last_name="Person", public_display=PublicDisplay.HIDDEN)
    member(made, first_name="Formerly", term_starts=date(2024, 1, 1), term_ends=date(2025, 12, 31))
    body = client.get(reverse("meetings:public-panel", args=[world.daneshouse.code])).content.decode()
    assert "Zenobia (chair)" in body and "Calico Homes" in body
    for secret in ("Plantedsurname", "Othersurname", "secret-mail", "07700 900999", "Hiddenfirst", "Invisible",
                   "Formerly", "aisha@example.org", "01282 000111"):  # fmt: skip
        assert secret not in body, secret


def test_it_says_when_a_neighbourhood_has_no_panel(client, world):
    body = client.get(reverse("meetings:public-panel", args=[world.fleetwood.code])).content.decode()
    assert "no PACT panel yet" in body


def test_it_refuses_a_second_chair_and_changes_nothing(client, world):
    made = panel(world)
    member(made, first_name="Chair", last_name="One", office=PanelOffice.CHAIR)
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:panel-member-add", args=[made.pk]), _member_post(office="chair"))
    assert response.status_code == 200
    assert "Chair One already holds the office of chair" in response.content.decode()
    assert made.members.count() == 1


def test_it_refuses_a_term_ending_before_it_starts(client, world):
    made = panel(world)
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:panel-member-add", args=[made.pk]), _member_post(term_ends="2025-01-01"))
    assert response.status_code == 200
    assert "The term cannot end (1 January 2025) before it starts (1 January 2026)" in response.content.decode()
    assert not made.members.exists()


def test_it_keeps_an_edit_that_fails_from_changing_the_member(client, world):
    made = panel(world)
    member(made, first_name="Chair", office=PanelOffice.CHAIR)
    other = member(made, first_name="Vice", office=PanelOffice.VICE_CHAIR)
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:panel-member-edit", args=[other.pk]), _member_post(office="chair"))
    assert response.status_code == 200
    other.refresh_from_db()
    assert (other.first_name, other.office) == ("Vice", PanelOffice.VICE_CHAIR)


def test_it_refuses_a_quorum_below_one(client, world):
    made = panel(world)
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:panel-edit", args=[made.pk]), {"name": "Renamed", "quorum": "0"})
    assert response.status_code == 200
    made.refresh_from_db()
    assert (made.name, made.quorum) == ("Daneshouse PACT panel", 3)


def test_it_refuses_a_quorum_below_one_in_the_service(world):
    made = panel(world)
    with pytest.raises(ValidationError, match="at least 1"):
        services.panel_update(panel=made, actor=world.pcso, name="x", quorum=0)


def test_it_creates_a_panel_for_a_group_of_neighbourhoods(client, world):
    client.force_login(world.inspector)
    data = {"name": "Burnley town panel", "quorum": "4", "neighbourhoods": [world.daneshouse.pk, world.queensgate.pk]}
    response = client.post(reverse("meetings:panel-create"), data)
    assert response.status_code == 302
    made = Panel.objects.get()
    assert set(made.neighbourhoods.all()) == {world.daneshouse, world.queensgate}


def test_it_refuses_a_second_panel_for_a_neighbourhood(world):
    panel(world)
    with pytest.raises(ValidationError, match="Daneshouse already has a panel"):
        services.panel_create(actor=world.pcso, name="Rival", neighbourhoods=[world.daneshouse], quorum=3)
    assert Panel.objects.count() == 1


def test_it_refuses_panel_creation_to_those_who_keep_no_neighbourhood(client, world):
    client.force_login(world.chief_inspector)
    assert client.get(reverse("meetings:panel-create")).status_code == 403


def test_it_counts_a_member_current_within_the_term():
    m = PanelMember(term_starts=date(2026, 1, 1), term_ends=date(2026, 12, 31))
    assert m.is_current(date(2026, 1, 1)) and m.is_current(date(2026, 12, 31))
    assert not m.is_current(date(2025, 12, 31)) and not m.is_current(date(2027, 1, 1))


@pytest.mark.parametrize("panels", [1, 6])
def test_it_lists_panels_in_constant_queries(client, world, django_assert_max_num_queries, panels):
    for i in range(panels):
        made = panel(world, neighbourhoods=[NeighbourhoodFactory(division=world.east)], name=f"Panel {i}")
        member(made)
    client.force_login(world.chief_inspector)
    # session, user, scope, panels, their neighbourhoods (with the division the policy reads),
    # neighbourhood dashboard, panel areas
    with django_assert_max_num_queries(7):
        response = client.get(reverse("meetings:panel-list"))
    assert response.status_code == 200


@time_machine.travel("2026-06-01 12:00 +0000", tick=False)
def test_it_reads_the_public_register_in_constant_queries(client, world, django_assert_max_num_queries):
    made = panel(world)
    for i in range(6):
        member(made, first_name=f"Member{i}", role=list(PanelRole)[i % 6])
    with django_assert_max_num_queries(4):  # neighbourhood, panel, members (+ session-less)
        response = client.get(reverse("meetings:public-panel", args=[world.daneshouse.code]))
    assert response.status_code == 200
    assert len(selectors.panel_public_register(neighbourhood=world.daneshouse, on=TODAY)) == 6


@time_machine.travel("2026-06-01 12:00 +0000", tick=False)
def test_it_shows_the_register_on_the_public_neighbourhood_page_without_surnames_or_contacts(client, world):
    made = panel(world)
    member(made, first_name="Zenobia", last_name="Plantedsurname", email="secret-mail@example.org",
           telephone="07700 900999", office=PanelOffice.VICE_CHAIR)  # fmt: skip
    member(made, first_name="Hiddenfirst", organisation="Burnley Youth Council", role=PanelRole.YOUTH,
           public_display=PublicDisplay.ORGANISATION)  # fmt: skip
    body = client.get(reverse("neighbourhoods:detail", args=[world.daneshouse.code])).content.decode()
    assert "Your PACT panel" in body and "Zenobia (vice-chair)" in body and "Burnley Youth Council" in body
    for secret in ("Plantedsurname", "secret-mail", "07700 900999", "Hiddenfirst", "Hussain"):
        assert secret not in body, secret


def test_it_refuses_showing_an_organisation_that_is_not_named(client, world):
    made = panel(world)
    client.force_login(world.pcso)
    data = _member_post(public_display=PublicDisplay.ORGANISATION, organisation="")
    response = client.post(reverse("meetings:panel-member-add", args=[made.pk]), data)
    assert response.status_code == 200 and "Name the organisation to show it publicly" in response.content.decode()
    assert not made.members.exists()


def test_it_refuses_a_second_vice_chair_in_the_service(world):
    made = panel(world)
    member(made, first_name="Vera", last_name="Vice", office=PanelOffice.VICE_CHAIR)
    with pytest.raises(ValidationError, match="Vera Vice already holds the office of vice-chair"):
        services.panel_member_add(panel=made, actor=world.pcso, first_name="Second", role=PanelRole.RESIDENT,
                                  office=PanelOffice.VICE_CHAIR, term_starts=date(2026, 1, 1))  # fmt: skip
    assert made.members.count() == 1
