"""Attachment checks: the type is read from the file's first bytes, not trusted from its name or
the browser, because minutes are published to the public and must be what they claim."""

import re
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from meetings.models import AttachmentKind

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Audio minutes of a two-hour meeting at speech quality fit comfortably in 60 MB.
MAX_AUDIO_BYTES = 60 * 1024 * 1024

# extension -> (content type, magic-byte test)
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda head: head.startswith(b"PK\x03\x04"),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", lambda head: head.startswith(b"PK\x03\x04")),
    "txt": ("text/plain", lambda head: _is_text(head)),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
}
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}
# Beyond this an image is a decompression bomb for whoever opens it, not a photo of a meeting.
MAX_IMAGE_PIXELS = 40_000_000
# The member each kind of zipped document must have: a ZIP with anything else inside is not one.
ZIP_MEMBERS = {"docx": "word/document.xml", "odt": "content.xml"}
# Unpacked, a zipped document may weigh at most this: a 10 MB file of minutes with photos unpacks
# to little more than 10 MB (photos are compressed already), while a few kilobytes of one repeated
# byte can unpack to gigabytes in the reader's word processor.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
# Text XML packs about 10:1; beyond 100:1 the contents are padding. Tiny files are left alone.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
# Tags a browser runs if it ever treats a file as a page. A file that is a PDF or an image and a
# web page at once (a polyglot) is refused wherever in it the page hides. Each tag is long enough
# that compressed data almost never spells it by chance; PDF hex strings use only 0-9 and a-f.
MARKUP = re.compile(
    rb"<(?:script|html[\s>]|!doctype\s+html|iframe|object[\s>]|embed[\s>]|svg[\s>]|body[\s>]|\?php)", re.IGNORECASE
)
MARKUP_OVERLAP = 32
MARKUP_MESSAGE = gettext_lazy(
    "The file contains web page code (HTML or script), so it cannot be published; save it as a plain document."
)
AUDIO_TYPES = {
    "mp3": (
        "audio/mpeg",
        lambda head: head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0),
    ),
    "m4a": ("audio/mp4", lambda head: head[4:8] == b"ftyp"),
    "wav": ("audio/wav", lambda head: head.startswith(b"RIFF") and head[8:12] == b"WAVE"),
    "ogg": ("audio/ogg", lambda head: head.startswith(b"OggS")),
}


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def contains_markup(uploaded_file, *, chunk_size: int = 1024 * 1024) -> bool:
    """Whether the file holds HTML or script anywhere, read in chunks that overlap so that no tag
    is split unseen between two of them."""
    uploaded_file.seek(0)
    tail = b""
    try:
        while chunk := uploaded_file.read(chunk_size):
            if MARKUP.search(tail + chunk):
                return True
            tail = chunk[-MARKUP_OVERLAP:]
        return False
    finally:
        uploaded_file.seek(0)


def _image_problem(uploaded_file, extension: str) -> str | None:
    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return _("The image is too large in pixels; save a smaller copy.")
            if image.format != IMAGE_FORMATS[extension]:
                return _("The file's contents are not a real .%(extension)s file.") % {"extension": extension}
            image.verify()
    except Image.DecompressionBombError:
        return _("The image is too large in pixels; save a smaller copy.")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return _("The file's contents are not a real .%(extension)s file.") % {"extension": extension}
    finally:
        uploaded_file.seek(0)
    return None


def _zip_problem(uploaded_file, extension: str) -> str | None:
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            members = archive.infolist()
            if ZIP_MEMBERS[extension] not in archive.namelist():
                return _("The file's contents are not a real .%(extension)s file.") % {"extension": extension}
            return _unpacked_problem(archive, members, extension)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        # RuntimeError: a member is encrypted; NotImplementedError: an unknown compression.
        return _("The file's contents are not a real .%(extension)s file.") % {"extension": extension}
    finally:
        uploaded_file.seek(0)


def _unpacked_problem(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], extension: str) -> str | None:
    """A zipped document that unpacks to far more than it weighs is a bomb for whoever opens it."""
    too_large = _("The file unpacks to more than %(size)s; save a smaller copy.") % {
        "size": _megabytes(MAX_UNPACKED_BYTES)
    }
    if len(members) > MAX_ZIP_MEMBERS:
        return _("The file holds %(count)s parts; a real .%(extension)s file has far fewer. Save a plain copy.") % {
            "count": len(members),
            "extension": extension,
        }
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNPACKED_BYTES:
        return too_large
    packed = sum(member.compress_size for member in members)
    if declared > RATIO_CHECKED_FROM and declared > packed * MAX_COMPRESSION_RATIO:
        return _("The file is packed far more tightly than a real document (a ZIP bomb); save a plain copy.")
    # The sizes a ZIP declares can lie: unpack it, counting, and stop at the limit. (zipfile stops
    # a member at its declared size and then fails its checksum, so a lie is refused as well.)
    unpacked = 0
    for member in members:
        with archive.open(member) as stream:
            while chunk := stream.read(1024 * 1024):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED_BYTES:
                    return too_large
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def check_attachment(*, uploaded_file, kind: str) -> str:
    """Return the checked content type, or raise ValidationError saying what is wrong."""
    audio = kind == AttachmentKind.AUDIO_MINUTES
    allowed = AUDIO_TYPES if audio else DOCUMENT_TYPES
    limit = MAX_AUDIO_BYTES if audio else MAX_DOCUMENT_BYTES
    extension = uploaded_file.name.rsplit(".", 1)[-1].lower() if "." in uploaded_file.name else ""
    if extension not in allowed:
        names = ", ".join(sorted(allowed))
        if audio:
            raise ValidationError({"file": _("Audio minutes must be one of: %(names)s.") % {"names": names}})
        raise ValidationError({"file": _("Documents must be one of: %(names)s.") % {"names": names}})
    if uploaded_file.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if uploaded_file.size > limit:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the limit is %(limit)s.")
                % {"size": _megabytes(uploaded_file.size), "limit": _megabytes(limit)}
            }
        )
    content_type, looks_right = allowed[extension]
    uploaded_file.seek(0)
    head = uploaded_file.read(512)
    uploaded_file.seek(0)
    if not looks_right(head):
        raise ValidationError(
            {"file": _("The file's contents are not a real .%(extension)s file.") % {"extension": extension}}
        )
    problem = None
    if extension in IMAGE_FORMATS:
        problem = _image_problem(uploaded_file, extension)
    elif extension in ZIP_MEMBERS:
        problem = _zip_problem(uploaded_file, extension)
    if problem is None and contains_markup(uploaded_file):
        problem = MARKUP_MESSAGE
    if problem:
        raise ValidationError({"file": problem})
    return content_type
