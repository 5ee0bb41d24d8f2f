"""django-otp's middleware, with the session's verified device read from the shared cache."""

from functools import partial

from django.conf import settings
from django_otp.middleware import OTPMiddleware

from pact_portal import generations

TWO_FACTOR_DEVICES = "two-factor-devices"


class CachedOTPMiddleware(OTPMiddleware):
    """A session signed in with two factors names its device, which django-otp loads from the
    database on every request. Read from the cache, checked against the generation of the devices
    table, it costs one cache round trip; removing or replacing a device moves the generation, so
    the next request no longer counts the session as verified."""

    def _device_from_persistent_id(self, persistent_id: str):
        return generations.get_or_build(
            f"two-factor-device:{persistent_id}",
            groups=(TWO_FACTOR_DEVICES,),
            build=partial(super()._device_from_persistent_id, persistent_id),
            timeout=settings.SIGNED_IN_CACHE_SECONDS,
            kept=_without_secrets,
        )


# What telling a verified session from an unverified one needs. The rest, the TOTP secret above
# all, never goes to the cache: the copy kept there loads any other field from the database if
# asked, and saving it writes only these.
KEPT_FIELDS = ("id", "user_id", "name", "confirmed")


def _without_secrets(device):
    return type(device).from_db(device._state.db, KEPT_FIELDS, [getattr(device, f) for f in KEPT_FIELDS])
