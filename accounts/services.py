from functools import partial

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_DEVICE_NAME = "Authenticator app"


@transaction.atomic
def two_factor_begin(*, user) -> TOTPDevice:
    """Start TOTP enrolment: one unconfirmed device, replaced on each new attempt."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def two_factor_confirm(*, user, token: str) -> bool:
    """Confirm enrolment with a code from the app; the second factor is required from then on."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def two_factor_disable(*, user, token: str) -> bool:
    """Remove the second factor, but only for someone who can still produce a current code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True


PASSWORD_RESET_TEMPLATES = {
    "subject_template_name": "accounts/emails/password_reset_subject.txt",
    "email_template_name": "accounts/emails/password_reset_body.txt",
    "html_email_template_name": "accounts/emails/password_reset_body.html",
}


def password_reset_request(
    *, email: str, domain: str, site_name: str, use_https: bool, language: str | None = None
) -> None:
    """Queue a reset link for each active account with this address, sent once the request has
    committed: sending inside it held the page on the mail server and tied a worker up per request.
    The email is written in `language`, the one the page was asked in (the worker has none of its own)."""
    from accounts.tasks import password_reset_email_task  # the tasks module imports this one

    # Django's own rule for who may reset: active, with a usable password, the address matching.
    for user in PasswordResetForm().get_users(email):
        send = partial(
            password_reset_email_task.delay,
            user_id=user.pk,
            domain=domain,
            site_name=site_name,
            use_https=use_https,
            language=language,
        )
        transaction.on_commit(send)


def password_reset_email_send(
    *, user, domain: str, site_name: str, use_https: bool, language: str | None = None
) -> None:
    """Send one reset link; its token is made now, so it is valid for PASSWORD_RESET_TIMEOUT from sending."""
    context = {
        "email": user.email,
        "domain": domain,
        "site_name": site_name,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if use_https else "http",
    }
    templates = PASSWORD_RESET_TEMPLATES
    with translation.override(language or settings.LANGUAGE_CODE):
        PasswordResetForm().send_mail(
            templates["subject_template_name"],
            templates["email_template_name"],
            context,
            None,
            user.email,
            html_email_template_name=templates["html_email_template_name"],
        )
