"""The read replica's router and the planner setting kept on the database."""

from datetime import date

import pytest
from django.db import connection, transaction

from accounts.models import User
from pact_portal.databases import routers, tuning
from pact_portal.databases.routers import PRIMARY, REPLICA, ReplicaRouter, replica_reads

ROUTER = ReplicaRouter()
# Kept before any test replaces it: a test that records the router's choices wraps this one.
READ_ALIAS = routers.read_alias


@pytest.fixture
def with_replica(monkeypatch):
    # As with DATABASE_REPLICA_URL set: a "replica" alias in settings.DATABASES.
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    routers.writes_forget()
    yield
    routers.writes_forget()


def test_it_reads_the_primary_outside_replica_reads(with_replica):
    assert ROUTER.db_for_read(User) == PRIMARY


def test_it_sends_reads_inside_replica_reads_to_the_replica(with_replica):
    with replica_reads():
        assert ROUTER.db_for_read(User) == REPLICA
    assert ROUTER.db_for_read(User) == PRIMARY


def test_it_reads_the_primary_without_a_replica():
    assert not routers.replica_configured()
    with replica_reads():
        assert ROUTER.db_for_read(User) == PRIMARY


@pytest.mark.django_db(transaction=True)
def test_it_reads_the_primary_inside_a_transaction(with_replica):
    with transaction.atomic(), replica_reads():
        assert ROUTER.db_for_read(User) == PRIMARY


@pytest.mark.django_db(transaction=True)
def test_after_its_own_write_a_request_reads_the_primary(with_replica):
    routers.install(connection=connection)
    try:
        with replica_reads():
            User.objects.filter(pk=0).update(is_active=True)
            assert ROUTER.db_for_read(User) == PRIMARY
        routers.writes_forget()  # the next request or task starts afresh
        with replica_reads():
            assert ROUTER.db_for_read(User) == REPLICA
    finally:
        connection.execute_wrappers.remove(routers.writes_note)


def test_it_writes_and_migrates_the_primary_only(with_replica):
    with replica_reads():
        assert ROUTER.db_for_write(User) == PRIMARY
    assert ROUTER.allow_migrate(PRIMARY, "accounts") and not ROUTER.allow_migrate(REPLICA, "accounts")


@pytest.mark.django_db(transaction=True)  # a test's own transaction would keep every read on the primary
def test_a_returns_figures_are_read_from_the_replica(with_replica, settings, monkeypatch):
    from reports.selectors import return_figures
    from tests.factories import WardFactory

    settings.DATABASE_ROUTERS = ["pact_portal.databases.routers.ReplicaRouter"]
    ward = WardFactory()
    routers.writes_forget()  # the figures are asked for by a request that has written nothing
    chosen = []
    decide = routers.read_alias

    def recorded():
        chosen.append(decide())
        return PRIMARY  # one test database: the replica's alias has no connection of its own here

    monkeypatch.setattr(routers, "read_alias", recorded)
    return_figures(
        division=ward.neighbourhood.division,
        period_kind="month",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
    )
    assert len(chosen) >= 10 and set(chosen) == {REPLICA}
    User.objects.count()
    assert chosen[-1] == PRIMARY


def _aliases_chosen_by(read, settings, monkeypatch) -> list[str]:
    """The aliases the router picks while `read()` runs, as a request that has written nothing."""
    settings.DATABASE_ROUTERS = ["pact_portal.databases.routers.ReplicaRouter"]
    routers.writes_forget()
    chosen = []

    def recorded():
        chosen.append(READ_ALIAS())
        return PRIMARY  # one test database: the replica's alias has no connection of its own here

    monkeypatch.setattr(routers, "read_alias", recorded)
    read()
    return chosen


@pytest.mark.django_db(transaction=True)
def test_engagement_analytics_are_read_from_the_replica(with_replica, settings, monkeypatch):
    from meetings.analytics import selectors as analytics
    from tests.factories import WardFactory

    neighbourhood = WardFactory().neighbourhood
    period = analytics.period_of_full_months(months=3)
    for read in (
        lambda: analytics.neighbourhood_engagement(neighbourhood=neighbourhood, period=period),
        lambda: analytics.division_engagement(division=neighbourhood.division, period=period),
        lambda: analytics.force_engagement(
            force=neighbourhood.division.force, divisions=[neighbourhood.division], period=period
        ),
    ):
        chosen = _aliases_chosen_by(read, settings, monkeypatch)
        assert chosen and set(chosen) == {REPLICA}


@pytest.mark.django_db(transaction=True)
def test_a_surveys_export_is_read_from_the_replica(with_replica, settings, monkeypatch):
    from surveys.exports import export_rows
    from tests.conftest import build_world
    from tests.surveys.factories import respond, survey

    world = build_world()
    made = survey(world)
    respond(made, ward=world.daneshouse.wards.get(), police_good_job="good")
    chosen = _aliases_chosen_by(lambda: export_rows(survey=made, viewer=world.admin), settings, monkeypatch)
    assert len(chosen) >= 3 and set(chosen) == {REPLICA}


@pytest.mark.django_db(transaction=True)
def test_random_page_cost_is_kept_on_the_database():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    name = tuning.random_page_cost_apply(value=1.7)
    assert name == connection.settings_dict["NAME"]
    options = connection.settings_dict["OPTIONS"]
    try:
        # A new session, sending no option of its own (as through PgBouncer), gets the database's.
        connection.settings_dict["OPTIONS"] = {k: v for k, v in options.items() if k != "options"}
        connection.close()
        assert tuning.random_page_cost_current() == 1.7
    finally:
        connection.settings_dict["OPTIONS"] = options
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_connection_opened_inside_the_audit_context_keeps_working_after_it():
    """Our execute wrappers go in first, so the audit context's wrapper is the one taken off at its
    exit: appended last, ours were popped instead and pghistory's stayed, failing every later query
    of the thread. A new thread has a new connection, opened inside the context as a request's is."""
    if connection.vendor != "postgresql":
        pytest.skip("the audit context travels in front of PostgreSQL statements only")
    import threading

    import pghistory
    from django.db import connection as thread_connection

    from tests.factories import UserFactory

    outcome = {}

    def request_like():
        try:
            with pghistory.context(user=None):
                User.objects.count()  # the thread's first query: connection_created runs in here
            outcome["left"] = [w.__name__ for w in thread_connection.execute_wrappers]
            UserFactory(email="after@example.org")  # AttributeError from pghistory's wrapper before
        except Exception as error:  # noqa: BLE001 - reported below, in the test's thread
            outcome["error"] = repr(error)
        finally:
            thread_connection.close()

    worker = threading.Thread(target=request_like)
    worker.start()
    worker.join()
    assert "error" not in outcome, outcome["error"]
    assert "_inject_history_context" not in outcome["left"]
    assert User.objects.filter(email="after@example.org").exists()
