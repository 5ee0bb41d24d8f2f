"""django-otp's middleware, with the session's verified device read from the shared cache."""

from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
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


# The pages an unverified staff member may still reach: setting up or giving the second factor, and
# leaving. Everything else that needs a sign-in waits until the session is verified.
TWO_FACTOR_EXEMPT = {"accounts:two-factor", "accounts:login-verify", "accounts:logout", "accounts:login"}


class StaffTwoFactorMiddleware:
    """With STAFF_REQUIRE_2FA on, a staff member's session counts only once it is verified with a
    second factor: before any staff page (any view that needs a sign-in) and any Django admin page,
    one without a confirmed TOTP device is sent to set one up, and one with a device to enter a code.
    Public pages stay open to them, as to everyone. Admin pages hold every user the admin admits
    (is_staff) to it, whatever their role, as the admin can change anyone's access. After
    CachedOTPMiddleware, which says whether the session is verified, and after
    LoginRequiredMiddleware, which has sent strangers to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not settings.STAFF_REQUIRE_2FA or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match.view_name in TWO_FACTOR_EXEMPT:
            return None
        if match.app_name == "admin":
            # Anyone the admin lets in, whatever their role; others it sends to its own sign-in.
            needed = user.is_staff
        else:
            needed = user.is_staff_member and getattr(view_func, "login_required", True)
        return second_factor_redirect(request) if needed else None


def second_factor_redirect(request):
    from accounts import selectors  # the models are not loaded when middleware modules are imported

    query = urlencode({"next": request.get_full_path()})
    if selectors.user_has_two_factor(user=request.user):
        return redirect(f"{reverse('accounts:login-verify')}?{query}")
    return redirect(f"{reverse('accounts:two-factor')}?{query}")
