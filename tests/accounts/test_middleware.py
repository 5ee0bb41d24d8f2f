"""A two-factor session's device comes from the cache until a device is written."""

import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from pact_portal import generations

pytestmark = pytest.mark.django_db
HOME = reverse("neighbourhoods:officer-home")
DEVICES = TOTPDevice._meta.db_table


def sign_in_with_two_factors(client, user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def device_reads(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return sum(DEVICES in q["sql"] for q in queries.captured_queries)


def test_it_reads_the_sessions_device_from_the_cache(client, world, settings):
    settings.SIGNED_IN_CACHE_SECONDS = 60
    sign_in_with_two_factors(client, world.sergeant)
    assert device_reads(client) == 1
    assert device_reads(client) == 0
    assert DEVICE_ID_SESSION_KEY in client.session


def test_it_stops_counting_the_session_as_verified_once_the_device_is_removed(client, world, settings):
    settings.SIGNED_IN_CACHE_SECONDS = 60
    device = sign_in_with_two_factors(client, world.sergeant)
    device_reads(client)
    TOTPDevice.objects.filter(pk=device.pk).delete()
    assert device_reads(client) == 1
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_it_reads_the_device_every_time_when_the_cache_is_off(client, world, settings):
    settings.SIGNED_IN_CACHE_SECONDS = 0
    sign_in_with_two_factors(client, world.sergeant)
    assert device_reads(client) == 1
    assert device_reads(client) == 1


def test_it_never_puts_the_devices_secret_in_the_cache(client, world, settings, monkeypatch):
    settings.SIGNED_IN_CACHE_SECONDS = 60
    kept = []
    monkeypatch.setattr(generations, "store", lambda key, value, **kwargs: kept.append(value))
    device = sign_in_with_two_factors(client, world.sergeant)
    device_reads(client)
    [cached] = [value for value in kept if isinstance(value, TOTPDevice)]
    assert "key" not in cached.__dict__ and device.key not in repr(pickle.dumps(cached))
    assert (cached.pk, cached.user_id, cached.confirmed) == (device.pk, world.sergeant.pk, True)
    assert cached.key == device.key  # read from the database when asked
