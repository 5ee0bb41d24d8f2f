import pytest
from django.urls import reverse

from tests.factories import NeighbourhoodFactory, WardFactory

pytestmark = pytest.mark.django_db


def test_it_lists_only_neighbourhoods_in_the_officers_area(client, world):
    client.force_login(world.pcso)
    data = client.get(reverse("api-neighbourhood-list")).json()
    assert [n["code"] for n in data["results"]] == ["daneshouse"]
    assert data["results"][0]["wards"][0]["code"] == "E05005155"


def test_it_hides_a_neighbourhood_outside_the_area(client, world):
    client.force_login(world.pcso)
    assert client.get(reverse("api-neighbourhood-detail", kwargs={"code": "fleetwood"})).status_code == 404
    assert client.get(reverse("api-neighbourhood-detail", kwargs={"code": "daneshouse"})).status_code == 200


def test_it_refuses_the_staff_api_to_residents_and_visitors(client, world):
    assert client.get(reverse("api-neighbourhood-list")).status_code == 403
    client.force_login(world.resident)
    assert client.get(reverse("api-neighbourhood-list")).status_code == 403


def test_it_locates_a_point_for_anyone(client, world):
    data = client.get(reverse("api-ward-locate"), {"lat": "53.795", "lng": "-2.245"}).json()
    assert data["ward"]["code"] == "E05005155"
    assert data["neighbourhood"]["code"] == "daneshouse"


def test_it_answers_404_at_sea_and_400_for_bad_coordinates(client, world):
    assert client.get(reverse("api-ward-locate"), {"lat": "53.9", "lng": "-3.4"}).status_code == 404
    response = client.get(reverse("api-ward-locate"), {"lat": "95", "lng": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"lat", "lng"}


def test_it_publishes_an_openapi_schema(client, world):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert "/api/wards/locate/" in response.json()["paths"]


def test_it_lists_only_wards_in_the_officers_area(client, world):
    client.force_login(world.inspector)
    data = client.get(reverse("api-ward-list")).json()
    assert [(w["code"], w["neighbourhood"]) for w in data["results"]] == [
        ("E05005155", "daneshouse"),
        ("E05005160", "queensgate"),
    ]
    filtered = client.get(reverse("api-ward-list"), {"neighbourhood": "queensgate"}).json()["results"]
    assert [w["code"] for w in filtered] == ["E05005160"]


def test_it_hides_a_ward_outside_the_area(client, world):
    client.force_login(world.pcso)
    assert client.get(reverse("api-ward-detail", kwargs={"code": "E05005400"})).status_code == 404
    assert client.get(reverse("api-ward-detail", kwargs={"code": "E05005155"})).json()["name"].startswith("Daneshouse")


def test_it_refuses_wards_to_residents_and_visitors(client, world):
    assert client.get(reverse("api-ward-list")).status_code == 403
    client.force_login(world.resident)
    assert client.get(reverse("api-ward-list")).status_code == 403
    assert client.get(reverse("api-ward-detail", kwargs={"code": "E05005155"})).status_code == 403


def test_it_refuses_a_bad_ward_filter(client, world):
    client.force_login(world.hq)
    response = client.get(
        reverse("api-ward-list"), {"risk_category": "apocalyptic", "is_priority_neighbourhood": "maybe"}
    )
    assert response.status_code == 400 and set(response.json()) == {"risk_category", "is_priority_neighbourhood"}
    assert client.get(reverse("api-ward-list"), {"is_priority_neighbourhood": "false"}).json()["count"] == 3


def test_it_lists_wards_and_neighbourhoods_in_constant_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.hq)
    for n in range(5):
        WardFactory(neighbourhood=NeighbourhoodFactory(division=world.east, code=f"extra-{n}"))
    # session, user, count, wards
    with django_assert_max_num_queries(4):
        assert len(client.get(reverse("api-ward-list")).json()["results"]) == 8
    # session, user, count, neighbourhoods, their wards, the wards' districts
    with django_assert_max_num_queries(6):
        data = client.get(reverse("api-neighbourhood-list"), {"division": "east"}).json()
    assert len(data["results"]) == 7


def test_it_refuses_a_neighbourhood_to_residents(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("api-neighbourhood-detail", kwargs={"code": "daneshouse"})).status_code == 403
