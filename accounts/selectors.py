from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice


def two_factor_device(*, user, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def user_has_two_factor(*, user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(*, user) -> bool:
    """Whether this user may not go without a second factor (STAFF_REQUIRE_2FA, for staff and admins)."""
    return settings.STAFF_REQUIRE_2FA and (user.is_staff_member or user.is_staff)


def totp_qr_svg(*, device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG, drawn on the server so no secret leaves for a third party."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    # Drop the XML declaration: the SVG is embedded in an HTML page.
    return svg[svg.index("<svg") :]


def totp_manual_key(*, device: TOTPDevice) -> str:
    """The secret in the grouped base32 form authenticator apps accept when typed in."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
