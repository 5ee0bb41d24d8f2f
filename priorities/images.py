"""Photo checks for residents' reports: decoded by Pillow, so only a real image is accepted,
whatever its name or declared type says."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from meetings.attachments import contains_markup

MAX_PHOTO_BYTES = 8 * 1024 * 1024
# A photo bigger than this in pixels is a decompression bomb, not a phone picture.
MAX_PHOTO_PIXELS = 40_000_000
TOO_MANY_PIXELS = gettext_lazy("The photo is too large in pixels; send a smaller copy.")
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# Enough to read a number plate or a fly-tip; a 48-megapixel original is only storage.
MAX_STORED_EDGE = 2560


def check_photo(photo) -> str:
    """Return the photo's content type, or raise ValidationError saying what is wrong."""
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "photo": _("The photo is %(size)s MB; the limit is 8 MB.")
                % {"size": number_format(round(photo.size / 1024 / 1024, 1), 1)}
            }
        )
    photo.seek(0)
    try:
        with Image.open(photo) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_PHOTO_PIXELS:
                raise ValidationError({"photo": TOO_MANY_PIXELS})
            image.verify()
    except Image.DecompressionBombError as exc:
        raise ValidationError({"photo": TOO_MANY_PIXELS}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({"photo": _("That file is not a photo we can read (use JPEG, PNG or WebP).")}) from exc
    finally:
        photo.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError({"photo": _("Use a JPEG, PNG or WebP photo.")})
    # Re-encoding would drop a page hidden in an image, but a file built to be both is an attack,
    # not a resident's photo: refuse it rather than quietly clean it.
    if contains_markup(photo):
        raise ValidationError(
            {"photo": _("That file holds web page code (HTML or script) as well as a picture; send the photo itself.")}
        )
    return ALLOWED_FORMATS[image_format]


def photo_for_storage(photo) -> ContentFile:
    """A copy of a checked photo that is safe to keep: re-encoded from its pixels, so no EXIF
    (a phone photo's GPS position is often the resident's home) or other metadata survives;
    turned upright as the camera recorded; no longer than MAX_STORED_EDGE; and named at random,
    because a resident's file name ("my house at 12 Elm St.jpg") is personal data too."""
    photo.seek(0)
    with Image.open(photo) as original:
        image_format = original.format
        image = ImageOps.exif_transpose(original)
        image.thumbnail((MAX_STORED_EDGE, MAX_STORED_EDGE))
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format=image_format, **({"quality": 88} if image_format != "PNG" else {}))
    photo.seek(0)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}{EXTENSIONS[image_format]}")
