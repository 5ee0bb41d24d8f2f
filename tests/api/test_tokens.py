import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:api-token")
CREATE = reverse("accounts:api-token-create")
REVOKE = reverse("accounts:api-token-revoke")
MEETINGS = reverse("api-meeting-list")


def test_it_shows_a_new_key_once_and_the_key_works(client, api, world):
    client.force_login(world.pcso)
    assert "You have no token" in client.get(PAGE).content.decode()
    response = client.post(CREATE)
    key = Token.objects.get(user=world.pcso).key
    assert key in response.content.decode()
    assert key not in client.get(PAGE).content.decode()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(MEETINGS).status_code == 200


def test_it_replaces_and_revokes_a_token(client, api, world):
    client.force_login(world.sergeant)
    client.post(CREATE)
    old = Token.objects.get(user=world.sergeant).key
    client.post(CREATE)
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get(MEETINGS).status_code == 403
    new = Token.objects.get(user=world.sergeant).key
    client.post(REVOKE)
    api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api.get(MEETINGS).status_code == 403
    assert not Token.objects.filter(user=world.sergeant).exists()


def test_it_leaves_other_peoples_tokens_alone(client, world):
    theirs = Token.objects.create(user=world.inspector)
    client.force_login(world.pcso)
    client.post(CREATE)
    client.post(REVOKE)
    assert Token.objects.filter(pk=theirs.pk).exists()


def test_it_refuses_the_token_page_to_residents(client, world):
    client.force_login(world.resident)
    assert client.get(PAGE).status_code == 403
    assert client.post(CREATE).status_code == 403
    assert not Token.objects.exists()


def test_it_changes_tokens_by_post_only(client, world):
    client.force_login(world.pcso)
    assert client.get(CREATE).status_code == 405
    assert client.get(REVOKE).status_code == 405
    assert not Token.objects.exists()


def test_a_token_carries_only_its_owners_access(api, world):
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.resident).key}")
    assert api.get(MEETINGS).status_code == 403
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert api.get(MEETINGS).status_code == 403
