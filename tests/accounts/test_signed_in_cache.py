"""The signed-in cache keeps no password hash, and a cache that does not answer costs a database
read, never a failed page or a stale user."""

import pickle

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from pact_portal import generations
from pact_portal.observability.metrics import SIGNED_IN_CACHE
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture(autouse=True)
def _cache_back_up():
    generations._cache_down_until = 0.0
    generations._unmoved.clear()
    yield
    generations._cache_down_until = 0.0
    generations._unmoved.clear()


def lookups(kind: str, result: str) -> float:
    return SIGNED_IN_CACHE.labels(kind, result)._value.get()


def test_the_cached_user_holds_no_password_hash(client, world, settings):
    settings.SIGNED_IN_CACHE_SECONDS = 60
    client.force_login(world.pcso)
    hits = lookups("signed-in-user", "hit")
    client.get("/accounts/home/")
    client.get("/accounts/home/")
    assert lookups("signed-in-user", "hit") > hits
    stamp, kept = cache.get(f"signed-in-user:{world.pcso.pk}")
    world.pcso.refresh_from_db()
    assert "password" not in kept.__dict__
    assert world.pcso.password.encode() not in pickle.dumps(kept)
    assert kept.email == world.pcso.email and kept.role == world.pcso.role


def test_changing_a_password_from_a_cached_user_keeps_the_session(client, world, settings):
    settings.SIGNED_IN_CACHE_SECONDS = 60
    client.force_login(world.pcso)
    client.get("/accounts/home/")  # from now on request.user is the cache's copy
    new = "a-new-long-passphrase-7"
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert client.get("/accounts/home/").wsgi_request.user == world.pcso


@pytest.fixture
def cache_down():
    # Not the settings fixture: that is undone after conftest's cache clearing, which needs a cache.
    with override_settings(
        CACHES={"default": {"BACKEND": "pact_portal.observability.metrics.RedisCache", "LOCATION": UNREACHABLE}},
        SESSION_ENGINE="pact_portal.sessions",
        SIGNED_IN_CACHE_SECONDS=60,
    ):
        yield


def test_with_the_cache_down_an_officer_still_signs_in_and_sees_the_dashboard(client, world, cache_down):
    errors = lookups("signed-in-user", "error")
    response = client.post(reverse("accounts:login"), {"username": world.pcso.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    dashboard = client.get(reverse("neighbourhoods:officer-home"))
    assert dashboard.status_code == 200 and dashboard.wsgi_request.user == world.pcso
    assert lookups("signed-in-user", "error") > errors
    client.post(reverse("accounts:logout"))
    assert not client.get(reverse("neighbourhoods:officer-home")).wsgi_request.user.is_authenticated


def test_with_the_cache_down_the_public_page_still_answers(client, world, cache_down):
    assert client.get(world.daneshouse.get_absolute_url()).status_code == 200


def test_a_generation_that_could_not_move_moves_once_the_cache_is_back(world, monkeypatch):
    from accounts.backends import USERS

    _, (before,) = generations.cached("nothing", groups=(USERS,))

    def down(*args, **kwargs):
        raise ConnectionError("cache is down")

    with monkeypatch.context() as patched:
        patched.setattr(cache, "incr", down)
        world.pcso.save()  # a write while the cache is down: the move is remembered
    assert USERS in generations._unmoved
    generations.lookup("signed-in-user:1", groups=(USERS,))
    _, (after,) = generations.cached("nothing", groups=(USERS,))
    assert after != before and not generations._unmoved
