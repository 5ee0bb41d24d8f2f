from unittest import mock

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_reports_healthy_when_database_and_cache_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_it_reports_503_when_the_cache_is_down(client):
    with mock.patch("pact_portal.views.cache.set", side_effect=ConnectionError("redis gone")):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["cache"] == "error: ConnectionError"
