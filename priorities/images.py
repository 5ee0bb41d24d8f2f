"""Photo checks for residents' reports: decoded by Pillow, so only a real image is accepted,
whatever its name or declared type says."""

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
# A photo bigger than this in pixels is a decompression bomb, not a phone picture.
MAX_PHOTO_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def check_photo(photo) -> str:
    """Return the photo's content type, or raise ValidationError saying what is wrong."""
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": f"The photo is {photo.size / 1024 / 1024:.1f} MB; the limit is 8 MB."})
    photo.seek(0)
    try:
        with Image.open(photo) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_PHOTO_PIXELS:
                raise ValidationError({"photo": "The photo is too large in pixels; send a smaller copy."})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError({"photo": "That file is not a photo we can read (use JPEG, PNG or WebP)."}) from exc
    finally:
        photo.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError({"photo": "Use a JPEG, PNG or WebP photo."})
    return ALLOWED_FORMATS[image_format]
