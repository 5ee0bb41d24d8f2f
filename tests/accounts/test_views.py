import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def sign_in(client, user, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN, {"username": user.email, "password": password, **extra})


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_it_signs_in_with_email_and_lands_staff_on_their_area(client, world):
    response = sign_in(client, world.pcso)
    assert response.status_code == 302
    assert client.get(response.url, follow=True).request["PATH_INFO"] == reverse("neighbourhoods:officer-home")


def test_it_accepts_the_email_in_any_case(client, world):
    response = client.post(LOGIN, {"username": world.pcso.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_it_refuses_a_wrong_password_with_a_clear_message(client, world):
    response = sign_in(client, world.pcso, password="wrong-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_ignores_an_offsite_next_url(client, world):
    response = sign_in(client, world.pcso, next="https://evil.example/steal")
    assert response.url == reverse("accounts:home")


def test_it_locks_an_account_after_five_failures_even_for_the_right_password(client, world):
    for _ in range(5):
        sign_in(client, world.pcso, password="wrong-password")
    response = sign_in(client, world.pcso)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_does_not_lock_after_four_failures(client, world):
    for _ in range(4):
        sign_in(client, world.pcso, password="wrong-password")
    assert sign_in(client, world.pcso).status_code == 302


def test_it_signs_out_on_post_only(client, world):
    client.force_login(world.pcso)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_it_enrols_a_second_factor_and_then_requires_it(client, world):
    client.force_login(world.sergeant)
    page = client.get(reverse("accounts:two-factor"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.sergeant, confirmed=False)
    client.post(reverse("accounts:two-factor"), {"token": current_code(device)})
    assert TOTPDevice.objects.get(user=world.sergeant).confirmed
    client.post(reverse("accounts:logout"))

    response = sign_in(client, world.sergeant)
    assert response.url == reverse("accounts:login-verify")
    assert "_auth_user_id" not in client.session
    assert client.post(response.url, {"token": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0
    device.save()
    assert client.post(response.url, {"token": current_code(device)}).status_code == 302
    assert client.session["_auth_user_id"] == str(world.sergeant.pk)


def test_it_refuses_a_wrong_code_when_enrolling(client, world):
    client.force_login(world.sergeant)
    client.get(reverse("accounts:two-factor"))
    response = client.post(reverse("accounts:two-factor"), {"token": "12345"})
    assert "Enter the six digits" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=world.sergeant, confirmed=True).exists()


def test_it_offers_two_factor_to_staff_but_not_residents(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("accounts:two-factor")).status_code == 403


def test_it_skips_the_code_step_for_someone_without_a_pending_sign_in(client, world):
    assert client.get(reverse("accounts:login-verify")).url == LOGIN


def test_it_resets_a_forgotten_password_by_email(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"email": world.pcso.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    new_password = "a-brand-new-passphrase"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    world.pcso.refresh_from_db()
    assert world.pcso.check_password(new_password)


def test_it_says_the_same_thing_for_an_unknown_reset_address(client, world):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []


def test_it_sends_home_residents_to_the_public_map(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("accounts:home")).url == reverse("neighbourhoods:public-home")


def test_it_keeps_the_admin_to_staff_accounts(client, world):
    client.force_login(world.hq)
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(world.admin)
    assert client.get(reverse("admin:neighbourhoods_ward_changelist")).status_code == 200


def test_it_ignores_a_forged_forwarded_for_header_without_a_proxy(client, world):
    for i in range(5):
        sign_in(client, world.pcso, password="wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert sign_in(client, world.pcso).status_code == 429


def test_it_locks_by_the_forwarded_client_address_behind_a_proxy(client, world, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0  # one reverse proxy, as PROXY_COUNT=1 configures
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    for _ in range(5):
        client.post(LOGIN, {"username": world.pcso.email, "password": "nope"}, HTTP_X_FORWARDED_FOR="198.51.100.7")
    other_client = {"HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert (
        client.post(LOGIN, {"username": world.pcso.email, "password": TEST_PASSWORD}, **other_client).status_code == 302
    )
