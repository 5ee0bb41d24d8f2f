from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from shapely.geometry import shape

from accounts.models import User
from accounts.roles import Role
from neighbourhoods.demo import DEMO_PASSWORD, demo_logins
from neighbourhoods.models import Division, Neighbourhood, TeamMembership, Ward
from tests.support import module_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seed once for the module (it takes a few seconds); rolled back afterwards."""
    with module_data(django_db_blocker):
        call_command("seed_demo", stdout=StringIO())
        yield


def test_it_builds_three_divisions_from_all_wards(demo):
    assert sorted(Division.objects.values_list("name", flat=True)) == [
        "East Division",
        "South Division",
        "West Division",
    ]
    assert Ward.objects.filter(neighbourhood__isnull=True).count() == 0
    assert Ward.objects.count() == 302


def test_it_groups_one_to_three_adjacent_wards_per_neighbourhood(demo):
    for neighbourhood in Neighbourhood.objects.prefetch_related("wards"):
        wards = list(neighbourhood.wards.all())
        assert 1 <= len(wards) <= 3
        assert len({w.district_id for w in wards}) == 1
        shapes = [shape(w.boundary).buffer(0.0006) for w in wards]
        for i, ward_shape in enumerate(shapes[1:], start=1):
            assert any(ward_shape.intersects(other) for other in shapes[:i]), f"{neighbourhood} is not contiguous"


def test_it_gives_every_neighbourhood_a_pcso_a_cbm_and_a_sergeant(demo):
    current = TeamMembership.objects.current()
    for role in (Role.PCSO, Role.CONSTABLE, Role.SERGEANT):
        covered = set(current.filter(role=role).values_list("neighbourhood_id", flat=True))
        assert covered == set(Neighbourhood.objects.values_list("pk", flat=True))


def test_it_lets_every_demo_login_sign_in(demo):
    logins = demo_logins()
    assert {role for role, _, _ in logins} == set(Role.labels)
    for _, email, _ in logins:
        assert authenticate(RequestFactory().post("/"), username=email, password=DEMO_PASSWORD) is not None, email


def test_it_is_idempotent(demo):
    counts = (Ward.objects.count(), Neighbourhood.objects.count(), User.objects.count(), TeamMembership.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (
        Ward.objects.count(),
        Neighbourhood.objects.count(),
        User.objects.count(),
        TeamMembership.objects.count(),
    ) == counts


def test_it_leaves_a_loaded_database_alone_with_if_empty(demo):
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "already holds a force" in out.getvalue()
