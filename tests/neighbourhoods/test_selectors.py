import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from neighbourhoods import selectors
from neighbourhoods.models import Ward
from tests.factories import TeamMembershipFactory, square

pytestmark = pytest.mark.django_db

WARD_DIR = Path(__file__).resolve().parents[2] / "neighbourhoods" / "data" / "lancashire-wards"


@pytest.fixture
def lancashire():
    call_command("import_wards", *sorted(WARD_DIR.glob("*.json")), stdout=StringIO())


def test_it_finds_daneshouse_with_stoneyholme_for_a_point_inside_it(lancashire):
    ward = selectors.ward_at_point(latitude=53.7984, longitude=-2.2468)
    assert ward.code == "E05005155"


def test_it_finds_no_ward_in_the_irish_sea(lancashire):
    assert selectors.ward_at_point(latitude=53.9, longitude=-3.4) is None


def test_it_finds_the_right_ward_where_bounding_boxes_overlap(lancashire):
    # Queensgate's box overlaps Daneshouse's; only the polygon test can tell them apart.
    queensgate = Ward.objects.get(code="E05005160")
    point = selectors.ward_at_point(latitude=queensgate.centroid_latitude, longitude=queensgate.centroid_longitude)
    assert point.code == "E05005160"


def test_it_looks_up_a_point_in_one_query_once_geometries_are_cached(lancashire, django_assert_num_queries):
    selectors.ward_at_point(latitude=53.7984, longitude=-2.2468)
    with django_assert_num_queries(1):
        selectors.ward_at_point(latitude=53.7984, longitude=-2.2468)


def test_it_uses_the_new_boundary_after_a_ward_is_redrawn(world):
    ward = Ward.objects.get(code="E05005155")
    assert selectors.ward_at_point(latitude=53.795, longitude=-2.245) == ward
    ward.boundary = square(west=-1.0, south=50.0)
    ward.min_longitude, ward.min_latitude, ward.max_longitude, ward.max_latitude = -1.0, 50.0, -0.99, 50.01
    ward.save()
    assert selectors.ward_at_point(latitude=53.795, longitude=-2.245) is None
    assert selectors.ward_at_point(latitude=50.005, longitude=-0.995) == ward


def test_it_searches_wards_by_ward_or_neighbourhood_name(world):
    assert [w.code for w in selectors.ward_search(query="danes")] == ["E05005155"]
    assert [w.code for w in selectors.ward_search(query="Fleetwood")] == ["E05005400"]
    assert list(selectors.ward_search(query="x")) == []


def test_it_lists_a_users_neighbourhoods_in_constant_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # memberships (scope), neighbourhoods with counts
        rows = list(selectors.neighbourhoods_for_user(user=world.inspector))
    assert {(n.code, n.ward_count) for n in rows} == {("daneshouse", 1), ("queensgate", 1)}
    assert {n.code for n in selectors.neighbourhoods_for_user(user=world.chief_inspector)} == {
        "daneshouse",
        "queensgate",
    }
    assert selectors.neighbourhoods_for_user(user=world.resident).count() == 0


def test_it_lists_the_public_team_by_role_without_former_members(world):
    former = TeamMembershipFactory(neighbourhood=world.daneshouse, start_date=datetime.date(2019, 1, 1))
    former.end_date = datetime.date(2020, 1, 1)
    former.save()
    groups = selectors.neighbourhood_public_team(neighbourhood=world.daneshouse)
    assert [g["role"] for g in groups] == ["pcso", "sergeant", "inspector", "partner"]
    assert groups[0]["members"] == [world.pcso]
