"""The officer dashboard is kept per officer and browser until a table it was built from is
written; the sign-in checks, the permission check and revocation still happen on every request."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from messaging.alerts import services as services_alerts
from messaging.models import AlertStatus
from neighbourhoods.models import Neighbourhood
from neighbourhoods.selectors import OFFICER_DASHBOARD
from pact_portal import generations
from priorities.models import Issue, IssueStatus
from tests.messaging.factories import alert, subscriber
from tests.priorities.factories import propose, raise_issue

pytestmark = pytest.mark.django_db
HOME = reverse("neighbourhoods:officer-home")
DASHBOARD_TABLE = Neighbourhood._meta.db_table


@pytest.fixture(autouse=True)
def _signed_in_cache(settings):
    settings.SIGNED_IN_CACHE_SECONDS = 60


def warm(client, user):
    """Signs in and loads the dashboard twice: the first response gives the browser its CSRF
    cookie, the second is rendered for it and kept."""
    client.force_login(user)
    client.get(HOME)
    return client.get(HOME).content.decode()


def dashboard_built(client) -> tuple[bool, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(HOME).content.decode()
    return any(DASHBOARD_TABLE in q["sql"] for q in queries.captured_queries), page


def test_it_serves_the_dashboard_again_without_building_it(client, world):
    first = warm(client, world.pcso)
    built, again = dashboard_built(client)
    assert not built
    assert again == first and "Daneshouse" in again


def test_it_shows_an_officers_own_change_at_once_even_one_written_by_a_queryset_update(client, world):
    issue = raise_issue(world)
    assert 'aria-label="1 new issue to triage in Daneshouse"' in warm(client, world.pcso)
    # Linking issues to a priority marks them with QuerySet.update(), which sends no signal.
    propose(world, issues=[issue])
    built, page = dashboard_built(client)
    assert built
    assert 'aria-label="0 new issues to triage in Daneshouse"' in page
    assert 'aria-label="1 open priority in Daneshouse"' in page


def test_it_shows_a_change_made_by_someone_else_at_once(client, world):
    warm(client, world.pcso)
    Issue.objects.filter(status=IssueStatus.NEW).delete()
    raise_issue(world, description="Reported online a moment ago")
    assert 'aria-label="1 new issue to triage in Daneshouse"' in client.get(HOME).content.decode()


def test_it_shows_an_alert_submitted_for_approval_after_the_home_was_kept(client, world):
    assert 'data-count="awaiting-approval">0<' in warm(client, world.comms)
    subscriber(world)
    made = alert(world, author=world.hq, level="force", title="Flood warning")
    services_alerts.alert_submit(alert=made, actor=world.hq)
    built, page = dashboard_built(client)
    assert built
    assert 'data-count="awaiting-approval">1<' in page and "Flood warning" in page


def test_it_builds_the_communications_officers_home_only_from_watched_tables(client, world):
    alert(world, author=world.hq, level="force", status=AlertStatus.AWAITING_APPROVAL)
    client.force_login(world.comms)
    with CaptureQueriesContext(connection) as queries:
        assert "Burglaries on Elm Street" in client.get(HOME).content.decode()
    read = {table for q in queries.captured_queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
    assert read - {"django_session"} <= generations.watched_tables(OFFICER_DASHBOARD)


def test_it_never_serves_one_officers_page_to_another(client, world):
    warm(client, world.pcso)
    other = Client()
    page = warm(other, world.pcso_other)
    assert "Fleetwood" in page and "Daneshouse" not in page
    assert "Daneshouse" in client.get(HOME).content.decode()


def test_it_keeps_a_page_per_browser_so_each_carries_its_own_csrf_token(client, world):
    warm(client, world.pcso)
    laptop = Client()
    page = warm(laptop, world.pcso)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = laptop.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.parametrize("csrf_cookie", [None, "not-a-csrf-secret"])
def test_it_does_not_keep_a_page_for_a_browser_without_a_valid_csrf_cookie(client, world, csrf_cookie, monkeypatch):
    kept = []
    monkeypatch.setattr(generations, "store", lambda key, *args, **kwargs: kept.append(key))
    client.force_login(world.pcso)
    for _ in range(3):
        # Each response sets a new secret; this browser never keeps it.
        client.cookies.pop("csrftoken", None)
        if csrf_cookie:
            client.cookies["csrftoken"] = csrf_cookie
        built, _ = dashboard_built(client)
        assert built
    assert not [key for key in kept if key.startswith("signed-in-page")]


def test_it_never_keeps_a_flash_message_in_the_page(client, world):
    warm(client, world.pcso)
    client.cookies["messages"] = CookieStorage(HttpRequest())._encode([Message(messages.SUCCESS, "Saved the meeting")])
    assert "Saved the meeting" in client.get(HOME).content.decode()
    assert "Saved the meeting" not in client.get(HOME).content.decode()


def test_it_builds_every_time_when_the_cache_is_off(client, world, settings):
    settings.SIGNED_IN_CACHE_SECONDS = 0
    warm(client, world.pcso)
    assert dashboard_built(client)[0]


def test_it_still_refuses_a_resident_and_a_signed_out_browser(client, world):
    warm(client, world.pcso)
    client.post(reverse("accounts:logout"))
    assert client.get(HOME).status_code == 302
    client.force_login(world.resident)
    assert client.get(HOME).status_code == 403


def test_it_signs_out_an_old_session_cookie_after_sign_out(client, world):
    warm(client, world.pcso)
    stolen = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    client.cookies["sessionid"] = stolen
    assert client.get(HOME).url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "revoke",
    [
        pytest.param(lambda user: User.objects.filter(pk=user.pk).update(is_active=False), id="deactivated"),
        pytest.param(lambda user: (user.set_password("a new long password"), user.save()), id="new-password"),
    ],
)
def test_it_signs_out_a_revoked_officer_on_their_next_request(client, world, revoke):
    warm(client, world.pcso)
    revoke(world.pcso)
    assert client.get(HOME).url.startswith(reverse("accounts:login"))


def test_it_builds_the_dashboard_only_from_tables_its_generation_watches(client, world):
    raise_issue(world)
    client.force_login(world.hq)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    read = {table for q in queries.captured_queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])}
    assert DASHBOARD_TABLE in read
    assert read - {"django_session"} <= generations.watched_tables(OFFICER_DASHBOARD)
