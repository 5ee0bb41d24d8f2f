"""Generation numbers move on every write to a watched table, however the write was made."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import USERS
from accounts.middleware import TWO_FACTOR_DEVICES
from neighbourhoods.models import Neighbourhood
from neighbourhoods.selectors import OFFICER_DASHBOARD
from pact_portal import generations
from priorities.models import Issue
from tests.factories import NeighbourhoodFactory, UserFactory
from tests.priorities.factories import raise_issue

pytestmark = pytest.mark.django_db


def now(group=OFFICER_DASHBOARD) -> int:
    _, stamp = generations.cached("nothing-kept-here", groups=(group,))
    return stamp[0]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('INSERT INTO "priorities_issue" ("description") VALUES (%s)', {OFFICER_DASHBOARD}),
        ('UPDATE "priorities_issue" SET "status" = %s', {OFFICER_DASHBOARD}),
        ('  delete from "priorities_issue" WHERE "id" = 1', {OFFICER_DASHBOARD}),
        ('UPDATE "accounts_user" SET "last_login" = %s', {OFFICER_DASHBOARD, USERS}),
        ('SELECT * FROM "priorities_issue"', set()),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', set()),
        ('TRUNCATE "django_session", "accounts_user" CASCADE', {OFFICER_DASHBOARD, USERS, TWO_FACTOR_DEVICES}),
        (b"UPDATE accounts_user SET is_active = false", set()),
    ],
)
def test_it_names_the_groups_a_statement_writes(sql, expected):
    assert generations.groups_written(sql) == expected


def test_it_moves_on_a_queryset_update_that_sends_no_signal(world):
    raise_issue(world)
    before = now()
    Issue.objects.update(description="Edited in bulk")
    assert now() != before


def test_it_leaves_other_groups_alone(world):
    before = now(USERS)
    raise_issue(world)
    assert now(USERS) == before


def test_it_moves_at_the_write_and_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    # Not a transactional test: one in a file of ordinary ones would run among them and empty the
    # database, data migrations included, for every test file after it on that worker.
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        neighbourhood = NeighbourhoodFactory()
        before = now()
        Neighbourhood.objects.filter(pk=neighbourhood.pk).update(name="Daneshouse East")
        Neighbourhood.objects.filter(pk=neighbourhood.pk).update(name="Daneshouse")
        at_write = now()
        assert at_write != before
    # One hook per group per transaction, however many statements wrote to it; run at commit.
    assert len(hooks) == 1
    assert now() != at_write


def test_it_gives_back_a_value_only_at_the_generation_it_was_built_at(world):
    value, stamp = generations.cached("example", groups=(OFFICER_DASHBOARD,))
    assert value is None
    generations.store("example", "built", stamp=stamp, timeout=60)
    assert generations.cached("example", groups=(OFFICER_DASHBOARD,))[0] == "built"
    raise_issue(world)
    assert generations.cached("example", groups=(OFFICER_DASHBOARD,))[0] is None


def test_it_never_matches_an_old_value_after_the_cache_forgets_the_generation(world):
    _, stamp = generations.cached("example", groups=(OFFICER_DASHBOARD,))
    generations.store("example", "built", stamp=stamp, timeout=60)
    cache.delete("generation:" + OFFICER_DASHBOARD)
    assert generations.cached("example", groups=(OFFICER_DASHBOARD,))[0] is None


def test_it_reads_the_signed_in_user_from_the_cache_until_a_user_is_written(client, world, settings):
    settings.SIGNED_IN_CACHE_SECONDS = 60
    client.force_login(world.pcso)
    client.get("/accounts/home/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/home/")
    assert not [q for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    UserFactory()
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/home/")
    assert [q for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]


def test_it_never_fails_a_write_because_the_cache_is_unreachable(world, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "incr", unreachable)
    raise_issue(world)
    assert Issue.objects.count() == 1
    assert "cache is unreachable" in caplog.text
