"""The named people every test reuses, in a small force of two divisions.

East division: Daneshouse (the featured neighbourhood) and Queensgate. West division: Fleetwood.
"""

import json
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connections
from pytest_django.plugin import blocking_manager_key

from accounts.roles import Role
from pact_portal.celery import app as celery_app
from tests.factories import (
    DivisionFactory,
    ForceFactory,
    NeighbourhoodFactory,
    PartnerAgencyFactory,
    TeamMembershipFactory,
    UserFactory,
    WardFactory,
)


@pytest.fixture(autouse=True)
def _isolated_cache():
    _cache_clear()
    yield
    _cache_clear()


def _cache_clear():
    """Forget this test process's cache keys. On Redis, cache.clear() is FLUSHDB: it would also
    empty the other xdist worker's keys and the Celery broker's queues, which share the database."""
    if not isinstance(cache._cache if hasattr(cache, "_cache") else None, RedisCacheClient):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keep a copy of what the migrations wrote, for putting back after a transactional test."""
    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.pact_migrated_rows = connection.creation.serialize_db_to_string()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, real worker, commits) ends by emptying the database, the
    data migrations' rows included: default interests, rank costs. Put them back once every fixture
    is torn down, so the tests that run after it on this worker see the database they would alone."""
    yield
    # After the last test the session's fixtures are gone too, the test database with them.
    if nextitem is None or not _empties_the_database(item):
        return
    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            if rows := getattr(connection, "pact_migrated_rows", None):
                connection.creation.deserialize_db_from_string(_missing_from(connection, rows))


def _empties_the_database(item) -> bool:
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    return any(marker.kwargs.get("transaction") for marker in item.iter_markers("django_db"))


def _missing_from(connection, rows: str) -> str:
    """The flush's post_migrate makes content types and permissions again, under new ids, unless
    the test asked for serialized_rollback: then they are gone too and go back with the rest."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_content_type")
        if not cursor.fetchone()[0]:
            return rows
    remade = {"contenttypes.contenttype", "auth.permission"}
    return json.dumps([row for row in json.loads(rows) if row["model"] not in remade])


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Tasks run in-process in tests, even when CI sets REDIS_URL; tests marked
    `celery_worker` opt out to exercise a real worker."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    force: object
    east: object
    west: object
    daneshouse: object
    queensgate: object
    fleetwood: object
    resident: object
    pcso: object
    pcso_other: object
    sergeant: object
    inspector: object
    chief_inspector: object
    chief_inspector_other: object
    hq: object
    comms: object
    partner: object
    admin: object


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The named people and places; a plain function so module-scoped data can reuse it."""
    force = ForceFactory()
    east = DivisionFactory(force=force, code="east", name="East Division")
    west = DivisionFactory(force=force, code="west", name="West Division")
    daneshouse = NeighbourhoodFactory(division=east, code="daneshouse", name="Daneshouse")
    queensgate = NeighbourhoodFactory(division=east, code="queensgate", name="Queensgate")
    fleetwood = NeighbourhoodFactory(division=west, code="fleetwood", name="Fleetwood")
    WardFactory(neighbourhood=daneshouse, code="E05005155", name="Daneshouse with Stoneyholme", west=-2.25, south=53.79)
    WardFactory(neighbourhood=queensgate, code="E05005160", name="Queensgate", west=-2.24, south=53.79)
    WardFactory(neighbourhood=fleetwood, code="E05005400", name="Pharos", west=-3.02, south=53.92)

    def member(role, neighbourhoods, **extra):
        user = UserFactory(role=role, force=force, division=neighbourhoods[0].division, **extra)
        for neighbourhood in neighbourhoods:
            TeamMembershipFactory(user=user, neighbourhood=neighbourhood, role=role)
        return user

    return World(
        force=force,
        east=east,
        west=west,
        daneshouse=daneshouse,
        queensgate=queensgate,
        fleetwood=fleetwood,
        resident=UserFactory(role=Role.RESIDENT, full_name="Amina Resident"),
        pcso=member(Role.PCSO, [daneshouse], full_name="Priya PCSO", email="pcso@example.org"),
        pcso_other=member(Role.PCSO, [fleetwood], full_name="Oliver OtherPCSO"),
        sergeant=member(Role.SERGEANT, [daneshouse], full_name="Sam Sergeant"),
        inspector=member(Role.INSPECTOR, [daneshouse, queensgate], full_name="Ian Inspector"),
        chief_inspector=UserFactory(role=Role.CHIEF_INSPECTOR, force=force, division=east, full_name="Chris Chief"),
        chief_inspector_other=UserFactory(
            role=Role.CHIEF_INSPECTOR, force=force, division=west, full_name="Wendy West"
        ),
        hq=UserFactory(role=Role.HQ, force=force, full_name="Harriet HQ"),
        comms=UserFactory(role=Role.COMMUNICATIONS, force=force, full_name="Connor Comms"),
        partner=member(
            Role.PARTNER,
            [daneshouse],
            full_name="Pat Partner",
            agency=PartnerAgencyFactory(name="Burnley Borough Council"),
        ),
        admin=UserFactory(role=Role.SYSTEM_ADMIN, force=force, full_name="Ada Admin", is_staff=True, is_superuser=True),
    )
