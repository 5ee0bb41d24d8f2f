from django.db import transaction
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
