"""The gazetteer (neighbourhoods/data/lancashire-places) and the search by town, village or parish."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from shapely.geometry import Point, shape
from shapely.prepared import prep

from neighbourhoods import places, selectors
from tests.factories import NeighbourhoodFactory, WardFactory

HOME = reverse("neighbourhoods:public-home")
WARD_FILES = Path(places.__file__).parent / "data" / "lancashire-wards"


def test_it_puts_every_place_inside_a_ward_of_the_district_it_names():
    districts = {}
    for path in WARD_FILES.glob("E0*.json"):
        districts[path.stem] = [prep(shape(f["geometry"])) for f in json.loads(path.read_text())["features"]]
    outside = [
        p.name
        for p in places.gazetteer()
        if not any(ward.covers(Point(p.longitude, p.latitude)) for ward in districts[p.district_code])
    ]
    assert len(places.gazetteer()) > 250 and outside == []


def test_it_reads_each_place_once_with_a_known_kind():
    names = [(p.key, p.district_code) for p in places.gazetteer()]
    assert len(names) == len(set(names))
    assert {p.kind for p in places.gazetteer()} == {"town", "village", "area", "parish"}


@pytest.mark.parametrize(
    ("query", "first"),
    [("Padiham", "Padiham"), ("  padiham ", "Padiham"), ("knott end on sea", "Knott End-on-Sea"),
     ("Saint Anne's", "St Annes"), ("lyth", "Lytham")],
)  # fmt: skip
def test_it_matches_names_whatever_their_case_hyphens_and_apostrophes(query, first):
    assert places.places_matching(query)[0].name == first


def test_it_puts_exact_names_and_towns_first():
    found = [p.name for p in places.places_matching("Warton")]
    assert found[:2] == ["Warton", "Warton"]
    assert [p.name for p in places.places_matching("Accrington")] == ["Accrington"]
    assert places.places_matching("x") == [] and places.places_matching("Atlantis") == []


@pytest.fixture
def padiham(world):
    """A neighbourhood whose ward (a square in the test data) holds Padiham's point, 53.799 N 2.312 W."""
    neighbourhood = NeighbourhoodFactory(division=world.east, code="padiham", name="Padiham and Hapton")
    WardFactory(neighbourhood=neighbourhood, name="Gawthorpe", west=-2.318, south=53.794)
    return neighbourhood


@pytest.mark.django_db
def test_it_finds_the_neighbourhood_covering_a_town_the_wards_do_not_name(client, padiham):
    page = client.get(HOME, {"q": "Padiham"}).content.decode()
    assert 'data-place="Padiham"' in page
    assert f'href="{padiham.get_absolute_url()}">Padiham and Hapton neighbourhood</a>' in page
    assert "Its centre is in Gawthorpe ward" in page
    assert "No town, village, ward or neighbourhood matches" not in page


@pytest.mark.django_db
def test_it_leaves_out_a_place_outside_every_neighbourhood(client, world):
    # Padiham's point lies in no ward of the test force.
    assert selectors.place_search(query="Padiham") == []
    page = client.get(HOME, {"q": "Padiham"}, headers={"HX-Request": "true"}).content.decode()
    assert "No town, village, ward or neighbourhood matches “Padiham”" in page


@pytest.mark.django_db
def test_it_searches_places_and_wards_in_constant_queries(client, world, django_assert_max_num_queries):
    # Squares over the centres of every place with "ar" in its name: each search result finds a ward.
    for place in places.places_matching("ar", limit=100):
        WardFactory(neighbourhood=world.daneshouse, west=place.longitude - 0.005, south=place.latitude - 0.005)
    # wards by name, wards around the places' points, their boundaries (once per process)
    with django_assert_max_num_queries(3):
        response = client.get(HOME, {"q": "ar"})
    assert len(response.context["places"]) == 8


@pytest.mark.django_db
def test_it_finds_the_wards_at_many_points_in_one_query(world, django_assert_max_num_queries):
    points = [(53.795, -2.245), (53.795, -2.235), (53.925, -3.015), (50.0, -4.0)]
    selectors.wards_at_points(points)  # prepares the boundaries
    with django_assert_max_num_queries(1):
        found = selectors.wards_at_points(points)
    assert [w.name if w else None for w in found] == ["Daneshouse with Stoneyholme", "Queensgate", "Pharos", None]


@pytest.mark.django_db
def test_it_offers_use_my_location_through_a_static_script(client, world):
    response = client.get(HOME)
    page = response.content.decode()
    assert 'src="/static/js/use-my-location.js"' in page
    assert f'data-locate-url="{reverse("neighbourhoods:locate")}"' in page
    # Hidden until the script finds the browser can share a location; no inline script needed.
    assert '<button type="button" class="btn btn-outline-primary" hidden>Use my location</button>' in page
    assert "<script>" not in page and "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
