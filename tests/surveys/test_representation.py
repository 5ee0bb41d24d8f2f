"""Representation indexes against hand-computed figures, the sign-up list, and the page's scope."""

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import ChannelStatus, Subscriber, SubscriberChannel
from surveys.models import WardPopulation
from surveys.representation import selectors
from tests.surveys.factories import respond, survey

pytestmark = pytest.mark.django_db
URL = reverse("surveys:representation")


def population(ward, category="ethnic_group", **groups):
    WardPopulation.objects.bulk_create(
        WardPopulation(ward=ward, category=category, group=g, count=n, source="test") for g, n in groups.items()
    )


def members(ward, n, *, status=ChannelStatus.ACTIVE, consented=True, **described):
    now = timezone.now()
    people = Subscriber.objects.bulk_create(
        Subscriber(ward=ward, consent_at=now, demographics_consent_at=now if consented else None,
                   **(described if consented else {}))
        for _ in range(n)
    )  # fmt: skip
    SubscriberChannel.objects.bulk_create(
        SubscriberChannel(subscriber=p, channel="email", address=f"{p.pk}@example.org", status=status, confirmed_at=now)
        for p in people
    )


def _ward(neighbourhood):
    return neighbourhood.wards.get()


def _figures(user, **where):
    area = selectors.representation_area_for(user=user, **where)
    return selectors.representation_figures(area=area)


def _row(figures, group):
    return next(r for c in figures.categories for r in c.groups if r.group == group)


def test_it_computes_the_index_from_population_and_member_shares(world):
    daneshouse = _ward(world.daneshouse)
    population(daneshouse, white_british=600, asian_pakistani=300, asian_bangladeshi=100)
    members(daneshouse, 90, ethnic_group="white_british")
    members(daneshouse, 10, ethnic_group="asian_pakistani")
    figures = _figures(world.pcso)
    assert (_row(figures, "white_british").member_index, _row(figures, "asian").member_index) == (150, 25)
    assert _row(figures, "asian").population_share == 40 and _row(figures, "asian").member_share == 10
    assert [r.group for r in figures.under_represented] == ["asian"]


def test_it_counts_only_reachable_members_who_described_themselves(world):
    daneshouse = _ward(world.daneshouse)
    population(daneshouse, white_british=50, asian_pakistani=50)
    members(daneshouse, 10, ethnic_group="white_british")
    members(daneshouse, 5, ethnic_group="asian_pakistani", status=ChannelStatus.UNSUBSCRIBED)
    members(daneshouse, 5, consented=False)
    members(daneshouse, 5, ethnic_group="not_said")
    erased = Subscriber.objects.filter(ethnic_group="white_british").first()
    Subscriber.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    category = _figures(world.pcso).categories[1]
    assert category.member_base == 9 and _row(_figures(world.pcso), "white_british").member_index is None


def test_it_suppresses_shares_and_indexes_under_a_base_of_ten(world, client):
    daneshouse = _ward(world.daneshouse)
    population(daneshouse, white_british=50, asian_pakistani=50)
    members(daneshouse, 9, ethnic_group="white_british")
    row = _row(_figures(world.pcso), "white_british")
    assert row.member_share is None and row.member_index is None and row.population_share == 50
    client.force_login(world.pcso)
    page = client.get(URL).content.decode()
    assert 'data-index="member-white_british">—</td>' in page


def test_it_compares_respondents_for_one_survey(world):
    daneshouse = _ward(world.daneshouse)
    population(daneshouse, white_british=60, asian_pakistani=40)
    wave, other = survey(world), survey(world, title="Another")
    for n in range(20):
        respond(wave, ward=daneshouse, ethnic_group="white_british" if n < 16 else "asian_indian")
    respond(other, ward=daneshouse, ethnic_group="asian_indian")
    area = selectors.representation_area_for(user=world.pcso)
    figures = selectors.representation_figures(area=area, survey=wave)
    assert (_row(figures, "white_british").respondent_index, _row(figures, "asian").respondent_index) == (133, 50)


def _east_with_gaps(world):
    """Across East Division, 16 to 24 has no members at all (index 0) and Asian residents few (21)."""
    daneshouse, queensgate = _ward(world.daneshouse), _ward(world.queensgate)
    population(daneshouse, white_british=600, asian_pakistani=400)
    members(daneshouse, 90, ethnic_group="white_british")
    members(daneshouse, 10, ethnic_group="asian_pakistani")
    population(queensgate, white_british=50, asian_pakistani=45, black_african=5)
    members(queensgate, 20, ethnic_group="white_british")
    population(queensgate, "age_band", **{"16-24": 30, "65-74": 70})
    members(queensgate, 12, age_band="65-74")


def test_it_ranks_the_most_under_represented_groups_first_then_the_members_needed(world):
    _east_with_gaps(world)
    figures = _figures(world.chief_inspector)
    assert [(r.group, r.member_index) for r in figures.under_represented] == [("16-24", 0), ("asian", 21)]
    ranked = [(r.ward.name, r.group, r.shortfall, r.area_index) for r in figures.sign_up_next]
    # The list follows the gaps above it: 16 to 24 although Daneshouse needs 30 Asian members, then
    # Asian residents, then the rest by members needed (black residents are 0.5% of East's).
    assert ranked == [("Queensgate", "16-24", 4, 0), ("Daneshouse with Stoneyholme", "asian", 30, 21),
                      ("Queensgate", "asian", 9, 21), ("Queensgate", "black", 1, 0)]  # fmt: skip


def test_it_explains_the_ranking_on_the_page(world, client):
    _east_with_gaps(world)
    client.force_login(world.chief_inspector)
    page = client.get(URL).content.decode()
    explained = page.split('id="sign-up-heading"')[1].split("<table")[0]
    assert "most under-represented among members across East Division" in explained
    assert "first 16 to 24, then Asian" in explained
    first = page.split('<tr data-ward="')[1]
    assert first.startswith('E05005160" data-group="16-24"') and "most under-represented" in first.split("</tr>")[0]


def test_it_lists_wards_with_too_few_described_members_apart(world):
    population(_ward(world.queensgate), white_british=50, asian_pakistani=50)
    members(_ward(world.queensgate), 3, ethnic_group="white_british")
    figures = _figures(world.inspector)
    assert figures.sign_up_next == [] and [(w.name, n) for w, n in figures.thin_wards] == [("Queensgate", 3)]


def test_it_leaves_out_wards_without_census_figures(world):
    population(_ward(world.daneshouse), white_british=50, asian_pakistani=50)
    members(_ward(world.daneshouse), 10, ethnic_group="asian_pakistani")
    members(_ward(world.queensgate), 30, ethnic_group="white_british")
    assert _row(_figures(world.inspector), "asian").member_index == 200


def test_it_shows_a_pcso_their_own_area_with_sign_up_links(world, client, django_assert_max_num_queries):
    population(_ward(world.daneshouse), white_british=600, asian_pakistani=400)
    members(_ward(world.daneshouse), 100, ethnic_group="white_british")
    survey(world)
    client.force_login(world.pcso)
    # session, user, memberships, wards, surveys, population, members, respondents
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200 and "Whom we hear from: Daneshouse" in page
    assert 'data-ward="E05005155" data-group="asian"' in page
    assert reverse("messaging:field-signup") + "?ward=E05005155" in page


def test_it_keeps_its_query_count_for_a_whole_force(world, client, django_assert_max_num_queries):
    for neighbourhood in (world.daneshouse, world.queensgate, world.fleetwood):
        population(_ward(neighbourhood), white_british=60, asian_pakistani=40)
        members(_ward(neighbourhood), 20, ethnic_group="white_british")
    wave = survey(world)
    client.force_login(world.hq)
    with django_assert_max_num_queries(7):  # session, user, wards, surveys, population, members, respondents
        response = client.get(URL, {"survey": wave.pk})
    assert response.status_code == 200 and response.content.decode().count("<tr data-ward=") == 3
    assert reverse("messaging:field-signup") not in response.content.decode()


def test_it_drills_into_a_neighbourhood_or_ward_in_the_users_area(world, client):
    client.force_login(world.chief_inspector)
    assert "Whom we hear from: Queensgate" in client.get(URL, {"neighbourhood": "queensgate"}).content.decode()
    assert client.get(URL, {"ward": "E05005155"}).status_code == 200
    assert client.get(URL, {"neighbourhood": "fleetwood"}).status_code == 404


def test_it_answers_404_outside_the_users_area(world, client):
    client.force_login(world.pcso_other)
    assert client.get(URL).status_code == 200
    assert client.get(URL, {"neighbourhood": "daneshouse"}).status_code == 404
    assert client.get(URL, {"ward": "E05005155"}).status_code == 404
    assert client.get(URL, {"survey": "999"}).status_code == 404


@pytest.mark.parametrize("who", ["partner", "resident"])
def test_it_refuses_partners_and_residents(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 403
