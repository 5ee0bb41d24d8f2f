import pytest
from django.urls import reverse

from accounts.roles import Role
from messaging.models import AlertStatus
from tests.factories import NeighbourhoodFactory, TeamMembershipFactory, UserFactory, WardFactory
from tests.messaging.factories import alert
from tests.priorities.factories import agreed, raise_issue

pytestmark = pytest.mark.django_db


def detail_url(neighbourhood):
    return reverse("neighbourhoods:detail", kwargs={"code": neighbourhood.code})


def edit_url(neighbourhood):
    return reverse("neighbourhoods:edit", kwargs={"code": neighbourhood.code})


def test_it_shows_the_public_home_to_visitors(client, world):
    response = client.get(reverse("neighbourhoods:public-home"))
    assert response.status_code == 200
    assert "Find your neighbourhood policing team" in response.content.decode()


def test_it_finds_a_neighbourhood_by_ward_name(client, world):
    response = client.get(reverse("neighbourhoods:public-home"), {"q": "Stoneyholme"})
    assert detail_url(world.daneshouse) in response.content.decode()


def test_it_returns_only_the_results_to_htmx(client, world):
    response = client.get(reverse("neighbourhoods:public-home"), {"q": "Pharos"}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert detail_url(world.fleetwood) in response.content.decode()


def test_it_sends_a_map_click_to_the_neighbourhood_there(client, world):
    response = client.get(reverse("neighbourhoods:locate"), {"lat": "53.795", "lng": "-2.245"})
    assert response.url == detail_url(world.daneshouse)


def test_it_explains_a_map_click_outside_the_force(client, world):
    response = client.get(reverse("neighbourhoods:locate"), {"lat": "53.9", "lng": "-3.4"})
    assert response.status_code == 404
    assert "outside the wards this force polices" in response.content.decode()


def test_it_rejects_a_nonsense_location(client, world):
    response = client.get(reverse("neighbourhoods:locate"), {"lat": "north", "lng": "-3.4"})
    assert response.status_code == 400


def test_it_shows_the_team_by_role_and_no_personal_numbers(client, world):
    page = client.get(detail_url(world.daneshouse)).content.decode()
    assert "Police community support officer" in page
    assert "PCSO Priya PCSO" in page
    assert "Daneshouse with Stoneyholme" in page
    assert world.pcso.email not in page


def test_it_escapes_what_officers_typed(client, world):
    world.daneshouse.description = "<script>alert(1)</script>"
    world.daneshouse.save()
    page = client.get(detail_url(world.daneshouse)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_answers_404_for_an_unknown_neighbourhood(client, world):
    assert client.get(reverse("neighbourhoods:detail", kwargs={"code": "atlantis"})).status_code == 404


def test_it_serves_a_neighbourhoods_wards_as_geojson(client, world):
    data = client.get(reverse("neighbourhoods:detail-geojson", kwargs={"code": "daneshouse"})).json()
    assert [f["properties"]["code"] for f in data["features"]] == ["E05005155"]
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_it_serves_every_ward_for_the_force_map(client, world):
    data = client.get(reverse("neighbourhoods:wards-geojson")).json()
    assert len(data["features"]) == 3


def test_it_sends_visitors_to_sign_in_for_the_officer_home(client, world):
    response = client.get(reverse("neighbourhoods:officer-home"))
    assert response.url.startswith(reverse("accounts:login"))


def test_it_refuses_the_officer_home_to_residents(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("neighbourhoods:officer-home")).status_code == 403
    assert client.get(reverse("neighbourhoods:officer-geojson")).status_code == 403


def test_it_shows_a_pcso_only_their_own_neighbourhoods(client, world):
    client.force_login(world.pcso)
    page = client.get(reverse("neighbourhoods:officer-home")).content.decode()
    assert "Daneshouse" in page
    assert "Fleetwood" not in page
    data = client.get(reverse("neighbourhoods:officer-geojson")).json()
    assert [f["properties"]["code"] for f in data["features"]] == ["E05005155"]


def test_it_shows_a_chief_inspector_their_division(client, world):
    client.force_login(world.chief_inspector)
    page = client.get(reverse("neighbourhoods:officer-home")).content.decode()
    assert "My division" in page
    assert "Queensgate" in page and "Fleetwood" not in page


@pytest.mark.parametrize(
    ("person", "triage_link", "board_link"),
    [("pcso", True, True), ("chief_inspector", False, True), ("partner", False, False)],
)
def test_it_counts_new_issues_and_open_priorities_with_links_for_those_who_may_follow_them(
    client, world, person, triage_link, board_link
):
    raise_issue(world)
    raise_issue(world, description="Another concern")
    agreed(world)
    client.force_login(getattr(world, person))
    page = client.get(reverse("neighbourhoods:officer-home")).content.decode()
    assert ('aria-label="2 new issues to triage in Daneshouse"' in page) is triage_link
    assert ('aria-label="1 open priority in Daneshouse"' in page) is board_link
    assert (reverse("priorities:triage", kwargs={"code": "daneshouse"}) in page) is triage_link


FIELD_SIGN_UP = reverse("messaging:field-signup")


@pytest.mark.parametrize(
    ("person", "offered"),
    [("pcso", True), ("constable", True), ("sergeant", True), ("inspector", True), ("admin", True),
     ("chief_inspector", False), ("hq", False), ("comms", False), ("partner", False)],
)  # fmt: skip
def test_it_offers_field_sign_up_in_the_menu_and_on_the_home_to_those_who_may_use_it(client, world, person, offered):
    if person == "constable":
        world.constable = UserFactory(role=Role.CONSTABLE, force=world.force, division=world.east)
        TeamMembershipFactory(user=world.constable, neighbourhood=world.daneshouse, role=Role.CONSTABLE)
    client.force_login(getattr(world, person))
    page = client.get(reverse("neighbourhoods:officer-home")).content.decode()
    menu, home = page.split('id="main"', 1)
    assert (f'href="{FIELD_SIGN_UP}"' in menu) is offered
    assert (f'href="{FIELD_SIGN_UP}"' in home) is offered
    assert (client.get(FIELD_SIGN_UP).status_code == 200) is offered


def test_it_offers_no_field_sign_up_to_a_pcso_between_teams(client, world):
    between = UserFactory(role=Role.PCSO, force=world.force, division=world.east)
    client.force_login(between)
    page = client.get(reverse("meetings:list")).content.decode()
    assert f'href="{FIELD_SIGN_UP}"' not in page
    assert client.get(FIELD_SIGN_UP).status_code == 403


def test_it_shows_a_communications_officer_the_alerts_awaiting_their_approval(client, world):
    waiting = alert(world, author=world.hq, level="force", title="Flood warning", status=AlertStatus.AWAITING_APPROVAL)
    alert(world, author=world.comms, level="force", title="My own alert", status=AlertStatus.AWAITING_APPROVAL)
    alert(world, author=world.hq, level="force", title="Still a draft")
    client.force_login(world.comms)
    page = client.get(reverse("neighbourhoods:officer-home")).content.decode()
    assert 'data-count="awaiting-approval">1<' in page
    assert f'href="{reverse("messaging:alert-detail", kwargs={"pk": waiting.pk})}">Flood warning</a>' in page
    # Four eyes: the author's own alert waits for another communications officer.
    assert "My own alert" not in page and "Still a draft" not in page


@pytest.mark.parametrize("person", ["pcso", "sergeant", "chief_inspector", "hq", "partner"])
def test_it_shows_no_approvals_to_those_who_approve_nothing(client, world, person):
    alert(world, author=world.comms, level="force", title="Flood warning", status=AlertStatus.AWAITING_APPROVAL)
    client.force_login(getattr(world, person))
    page = client.get(reverse("neighbourhoods:officer-home")).content.decode()
    assert "Alerts awaiting your approval" not in page and "Flood warning" not in page


def test_it_runs_the_officer_home_in_constant_queries(client, world, django_assert_max_num_queries):
    for i in range(15):
        WardFactory(neighbourhood=NeighbourhoodFactory(division=world.east, code=f"extra-{i}"))
    client.force_login(world.hq)
    # session, user, neighbourhoods with counts (+ savepoints around the request in tests)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("neighbourhoods:officer-home"))
    assert response.context["neighbourhoods"].__len__() == 18


def test_it_runs_the_communications_officers_home_in_constant_queries(client, world, django_assert_max_num_queries):
    for n in range(12):
        alert(world, author=world.hq, level="force", title=f"Alert {n}", status=AlertStatus.AWAITING_APPROVAL)
    client.force_login(world.comms)
    # session, user, neighbourhoods with counts, alerts awaiting approval with their authors (+ savepoints)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("neighbourhoods:officer-home"))
    assert len(response.context["awaiting_approval"]) == 12


def test_it_runs_the_public_page_in_constant_queries(client, world, django_assert_max_num_queries):
    for _ in range(10):
        TeamMembershipFactory(neighbourhood=world.daneshouse)
        WardFactory(neighbourhood=world.daneshouse)
    # neighbourhood, wards, team, upcoming meetings, current priorities, PACT panel register
    with django_assert_max_num_queries(6):
        client.get(detail_url(world.daneshouse))


def test_it_lets_the_pcso_edit_their_neighbourhoods_profile(client, world):
    client.force_login(world.pcso)
    response = client.post(
        edit_url(world.daneshouse),
        {"name": "Daneshouse", "description": "Meet us at the mosque.", "public_email": "", "public_telephone": "101"},
    )
    assert response.url == detail_url(world.daneshouse)
    world.daneshouse.refresh_from_db()
    assert world.daneshouse.description == "Meet us at the mosque."


def test_it_re_renders_the_profile_form_with_errors_and_changes_nothing(client, world):
    client.force_login(world.pcso)
    response = client.post(edit_url(world.daneshouse), {"name": "", "public_email": "not-an-email"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#id_public_email"' in page
    world.daneshouse.refresh_from_db()
    assert world.daneshouse.name == "Daneshouse"


@pytest.mark.parametrize(("person", "status"), [("pcso_other", 404), ("resident", 404), ("chief_inspector", 403)])
def test_it_keeps_others_from_editing_the_profile(client, world, person, status):
    client.force_login(getattr(world, person))
    assert client.get(edit_url(world.daneshouse)).status_code == status
    assert client.post(edit_url(world.daneshouse), {"name": "Hacked"}).status_code == status
    world.daneshouse.refresh_from_db()
    assert world.daneshouse.name == "Daneshouse"


def test_it_offers_the_edit_link_only_to_those_who_may_edit(client, world):
    client.force_login(world.chief_inspector)
    assert edit_url(world.daneshouse) not in client.get(detail_url(world.daneshouse)).content.decode()
    client.force_login(world.sergeant)
    assert edit_url(world.daneshouse) in client.get(detail_url(world.daneshouse)).content.decode()


def test_it_serves_anonymous_visitors_the_public_page_from_a_short_cache(client, world, django_assert_max_num_queries):
    url = reverse("neighbourhoods:detail", args=["daneshouse"])
    first = client.get(url).content
    world.daneshouse.description = "Changed a moment ago"
    world.daneshouse.save()
    with django_assert_max_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first


def test_it_never_serves_the_cached_page_to_someone_signed_in_or_carrying_a_cookie(client, world):
    url = reverse("neighbourhoods:detail", args=["daneshouse"])
    client.get(url)
    world.daneshouse.description = "Changed a moment ago"
    world.daneshouse.save()
    client.cookies["messages"] = "something to show"
    assert "Changed a moment ago" in client.get(url).content.decode()
    client.cookies.clear()
    client.force_login(world.pcso)
    page = client.get(url).content.decode()
    assert "Changed a moment ago" in page and reverse("neighbourhoods:edit", args=["daneshouse"]) in page
