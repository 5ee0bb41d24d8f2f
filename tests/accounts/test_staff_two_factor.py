"""STAFF_REQUIRE_2FA: staff pages and the Django admin need a session verified with a second factor."""

import subprocess
import sys

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.test_views import current_code, sign_in
from tests.factories import TEST_PASSWORD
from tests.test_deploy_settings import BASE_DIR, MANAGE, _production_env

pytestmark = pytest.mark.django_db

STAFF_PAGE = reverse("neighbourhoods:officer-home")
ADMIN_PAGE = reverse("admin:neighbourhoods_ward_changelist")
SETUP = reverse("accounts:two-factor")
VERIFY = reverse("accounts:login-verify")


@pytest.fixture
def required(settings):
    settings.STAFF_REQUIRE_2FA = True


def _enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def test_it_sends_staff_without_a_device_to_set_one_up(client, world, required):
    client.force_login(world.pcso)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302
    assert response.url == f"{SETUP}?next=%2Fofficer%2F"
    assert client.get(response.url).status_code == 200


def test_setting_up_the_device_verifies_the_session_and_carries_on(client, world, required):
    client.force_login(world.pcso)
    setup = client.get(STAFF_PAGE).url
    client.get(setup)
    device = TOTPDevice.objects.get(user=world.pcso, confirmed=False)
    response = client.post(setup, {"token": current_code(device)})
    assert response.url == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_it_asks_staff_with_a_device_but_an_unverified_session_for_a_code(client, world, required):
    device = _enrol(world.sergeant)
    client.force_login(world.sergeant)
    response = client.get(STAFF_PAGE)
    assert response.url.startswith(f"{VERIFY}?next=")
    assert client.post(response.url, {"token": current_code(device)}).url == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_it_lets_staff_who_signed_in_with_both_factors_through(client, world, required):
    device = _enrol(world.sergeant)
    response = sign_in(client, world.sergeant)
    client.post(response.url, {"token": current_code(device)})
    assert client.get(STAFF_PAGE).status_code == 200


def test_it_leaves_public_pages_and_residents_alone(client, world, required):
    client.force_login(world.pcso)
    assert client.get(reverse("neighbourhoods:public-home")).status_code == 200
    client.force_login(world.resident)
    assert client.get(reverse("neighbourhoods:public-home")).status_code == 200
    assert client.get(reverse("accounts:home")).status_code == 302


def test_the_admin_needs_a_verified_second_factor(client, world, required):
    client.force_login(world.admin)
    assert client.get(ADMIN_PAGE).url.startswith(f"{SETUP}?next=")
    device = _enrol(world.admin)
    assert client.get(ADMIN_PAGE).url.startswith(f"{VERIFY}?next=")
    client.post(f"{VERIFY}?next={ADMIN_PAGE}", {"token": current_code(device)})
    assert client.get(ADMIN_PAGE).status_code == 200


def test_signing_in_through_the_admin_form_does_not_skip_the_code(client, world, required):
    _enrol(world.admin)
    client.post(reverse("admin:login"), {"username": world.admin.email, "password": TEST_PASSWORD})
    assert client.session["_auth_user_id"] == str(world.admin.pk)
    assert client.get(ADMIN_PAGE).url.startswith(f"{VERIFY}?next=")


def test_it_will_not_turn_the_second_factor_off_while_required(client, world, required):
    device = _enrol(world.sergeant)
    response = sign_in(client, world.sergeant)
    client.post(response.url, {"token": current_code(device)})
    page = client.post(SETUP, {"token": "123456"})
    assert "cannot be turned off" in page.content.decode()
    assert TOTPDevice.objects.filter(user=world.sergeant, confirmed=True).exists()


def test_staff_pages_need_no_second_factor_when_the_setting_is_off(client, world, settings):
    settings.STAFF_REQUIRE_2FA = False
    client.force_login(world.pcso)
    assert client.get(STAFF_PAGE).status_code == 200
    client.force_login(world.admin)
    assert client.get(ADMIN_PAGE).status_code == 200


def _setting_in(env) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "-c",
            MANAGE,
            "shell",
            "-c",
            "from django.conf import settings; print(settings.STAFF_REQUIRE_2FA)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_it_is_on_in_production_unless_turned_off(tmp_path):
    assert _setting_in(_production_env(tmp_path)) == "True"
    assert _setting_in(_production_env(tmp_path, STAFF_REQUIRE_2FA="0")) == "False"


def test_the_api_refuses_an_unverified_staff_session_and_serves_a_verified_one(client, world, required):
    meetings = reverse("api-meeting-list")
    device = _enrol(world.sergeant)
    client.force_login(world.sergeant)
    assert client.get(meetings).status_code == 403
    client.post(VERIFY, {"token": current_code(device)})
    assert client.get(meetings).status_code == 200


def test_a_resident_at_the_admin_meets_the_admins_own_sign_in_not_the_second_factor(client, world, required):
    client.force_login(world.resident)
    assert client.get(ADMIN_PAGE).url.startswith(reverse("admin:login"))
