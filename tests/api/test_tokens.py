import datetime

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import api_tokens
from accounts.models import ApiToken

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:api-token")
CREATE = reverse("accounts:api-token-create")
REVOKE_ALL = reverse("accounts:api-token-revoke-all")
MEETINGS = reverse("api-meeting-list")
T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def _revoke(token):
    return reverse("accounts:api-token-revoke", kwargs={"pk": token.pk})


def _key_from(response) -> str:
    return response.context["new_key"]


def test_it_shows_a_new_key_once_and_the_key_works(client, api, world):
    client.force_login(world.pcso)
    assert "You have no tokens" in client.get(PAGE).content.decode()
    response = client.post(CREATE, {"name": "Ward briefing script"})
    key = _key_from(response)
    assert key in response.content.decode()
    page = client.get(PAGE).content.decode()
    assert key not in page and "Ward briefing script" in page
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(MEETINGS).status_code == 200


def test_it_stores_only_a_digest_of_the_key(client, world):
    client.force_login(world.pcso)
    key = _key_from(client.post(CREATE, {"name": "Briefing"}))
    stored = ApiToken.objects.values().get(user=world.pcso)
    assert key not in {str(value) for value in stored.values()}


def test_it_lists_several_tokens_and_revokes_one(client, api, world):
    client.force_login(world.sergeant)
    first = _key_from(client.post(CREATE, {"name": "Laptop"}))
    second = _key_from(client.post(CREATE, {"name": "Server"}))
    client.post(_revoke(ApiToken.objects.get(name="Laptop")))
    api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api.get(MEETINGS).status_code == 403
    api.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api.get(MEETINGS).status_code == 200


def test_it_revokes_all_of_a_users_tokens_and_no_one_elses(client, world):
    _theirs, _ = api_tokens.api_token_create(user=world.inspector, name="Theirs")
    client.force_login(world.pcso)
    client.post(CREATE, {"name": "One"})
    client.post(CREATE, {"name": "Two"})
    client.post(REVOKE_ALL)
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["Theirs"]


def test_it_will_not_revoke_another_persons_token(client, world):
    theirs, _ = api_tokens.api_token_create(user=world.inspector, name="Theirs")
    client.force_login(world.pcso)
    assert client.post(_revoke(theirs)).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_a_token_expires_after_the_configured_days(client, api, world):
    with override_settings(API_TOKEN_TTL_DAYS=30), time_machine.travel(T0, tick=False):
        token, key = api_tokens.api_token_create(user=world.pcso, name="Briefing")
    assert token.expiry == T0 + datetime.timedelta(days=30)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with time_machine.travel(T0 + datetime.timedelta(days=29), tick=False):
        assert api.get(MEETINGS).status_code == 200
    with time_machine.travel(T0 + datetime.timedelta(days=31), tick=False):
        assert api.get(MEETINGS).status_code == 403


def test_it_notes_when_a_token_was_last_used(api, world):
    token, key = api_tokens.api_token_create(user=world.pcso, name="Briefing")
    assert token.last_used is None
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api.get(MEETINGS)
    token.refresh_from_db()
    assert token.last_used is not None and timezone.now() - token.last_used < datetime.timedelta(minutes=1)


def test_it_asks_for_a_name_and_makes_nothing_without_one(client, world):
    client.force_login(world.pcso)
    response = client.post(CREATE, {"name": "  "})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_caps_the_tokens_a_person_holds(client, world):
    for n in range(api_tokens.TOKENS_PER_USER):
        api_tokens.api_token_create(user=world.pcso, name=f"Script {n}")
    client.force_login(world.pcso)
    response = client.post(CREATE, {"name": "One too many"})
    assert "Revoke one you no longer use first" in response.content.decode()
    assert ApiToken.objects.filter(user=world.pcso).count() == api_tokens.TOKENS_PER_USER


def test_the_token_page_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(5):
        api_tokens.api_token_create(user=world.pcso, name=f"Script {n}")
    client.force_login(world.pcso)
    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200


def test_it_refuses_the_token_page_to_residents(client, world):
    client.force_login(world.resident)
    assert client.get(PAGE).status_code == 403
    assert client.post(CREATE, {"name": "Mine"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_changes_tokens_by_post_only(client, world):
    token, _ = api_tokens.api_token_create(user=world.pcso, name="Briefing")
    client.force_login(world.pcso)
    assert client.get(CREATE).status_code == 405
    assert client.get(_revoke(token)).status_code == 405
    assert client.get(REVOKE_ALL).status_code == 405
    assert ApiToken.objects.count() == 1


def test_a_token_carries_only_its_owners_access(api, world):
    _, key = api_tokens.api_token_create(user=world.resident, name="Mine")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(MEETINGS).status_code == 403
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert api.get(MEETINGS).status_code == 403
