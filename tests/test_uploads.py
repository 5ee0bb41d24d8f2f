"""Uploads are judged by what they contain, never by their name: meeting attachments (published to
the public) and the photos residents send with a report. A PNG called .pdf, a web page called .png,
a file that is an image or a PDF and a web page at once, an oversized file and a decompression
bomb are each refused with a message saying what is wrong, and nothing is kept, on disk or in the
database."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from meetings.models import MeetingAttachment, MeetingStatus
from priorities.models import Issue
from tests.meetings.test_services import new_meeting

pytestmark = pytest.mark.django_db

PAGE = b"<!DOCTYPE html><html><body><script>fetch('/officer/').then(r => r.text())</script></body></html>"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png(size=(8, 8), image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format=image_format)
    return buffer.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb(width: int, height: int) -> bytes:
    """A real black-and-white PNG of width × height pixels: a few kilobytes that would take
    width × height bytes or more to open."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row * 1000) for _ in range(height // 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Minutes</w:document>")
    return buffer.getvalue()


def zipped(extension="docx", members=()) -> bytes:
    """A zipped document with the parts a real one needs, and `members` (name, bytes) besides."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml" if extension == "docx" else "content.xml", "<doc>Minutes</doc>")
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def lying_about_its_size(content: bytes, member: str, declared: int) -> bytes:
    """The ZIP with `member`'s unpacked size written as `declared` in both of its headers."""
    buffer = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", buffer, info.header_offset + 22, declared)
    for position in _central_entries(buffer):
        name_length = struct.unpack_from("<H", buffer, position + 28)[0]
        if bytes(buffer[position + 46 : position + 46 + name_length]).decode() == member:
            struct.pack_into("<I", buffer, position + 24, declared)
    return bytes(buffer)


def _central_entries(buffer: bytearray):
    position = buffer.find(b"PK\x01\x02")
    while position != -1:
        yield position
        position = buffer.find(b"PK\x01\x02", position + 4)


FIFTY_MB_OF_NOTHING = b"\x00" * (50 * 1024 * 1024)


def zip_of_a_page() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", PAGE)
    return buffer.getvalue()


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- meeting attachments ------------------------------------------------------------------------

BAD_ATTACHMENTS = {
    "a PNG called .pdf": ("minutes.pdf", png(), "not a real .pdf"),
    "a web page called .png": ("photo.png", PAGE, "not a real .png"),
    "a web page behind a JPEG's first bytes": ("photo.jpg", b"\xff\xd8\xff\xe0" + PAGE, "not a real .jpg"),
    "a PNG with a web page after it": ("photo.png", png() + PAGE, "contains web page code"),
    "a PNG with a web page in a text chunk": (
        "photo.png",
        png()[:33] + chunk(b"tEXt", b"Comment\x00" + PAGE) + png()[33:],
        "contains web page code",
    ),
    "a PDF that is also a web page": ("minutes.pdf", PDF[:9] + PAGE + PDF[9:], "contains web page code"),
    "a web page called .txt": ("minutes.txt", PAGE, "contains web page code"),
    "a ZIP of a web page called .docx": ("minutes.docx", zip_of_a_page(), "not a real .docx"),
    "a .docx that unpacks to 50 MB": (
        "minutes.docx",
        zipped("docx", [("word/media/padding.bin", FIFTY_MB_OF_NOTHING)]),
        "unpacks to more than 20 MB",
    ),
    "an .odt that unpacks to 50 MB in many parts": (
        "minutes.odt",
        zipped("odt", [(f"Pictures/{n}.bin", FIFTY_MB_OF_NOTHING[: 5 * 1024 * 1024]) for n in range(10)]),
        "unpacks to more than 20 MB",
    ),
    "a .docx packed 1,000 to 1": (
        "minutes.docx",
        zipped("docx", [("word/media/padding.bin", FIFTY_MB_OF_NOTHING[: 10 * 1024 * 1024])]),
        "packed far more tightly than a real document",
    ),
    "a .docx of 2,000 parts": (
        "minutes.docx",
        zipped("docx", [(f"word/part{n}.xml", b"<p/>") for n in range(2_000)]),
        "holds 2001 parts",
    ),
    "a .docx that says it unpacks to less than it does": (
        "minutes.docx",
        lying_about_its_size(
            zipped("docx", [("word/media/padding.bin", FIFTY_MB_OF_NOTHING[: 30 * 1024 * 1024])]),
            "word/media/padding.bin",
            declared=1024,
        ),
        "not a real .docx",
    ),
    "a PNG over 10 MB": ("photo.png", png() + b"\x00" * (10 * 1024 * 1024), "the limit is 10 MB"),
    "a 64-megapixel bomb": ("photo.png", bomb(8_000, 8_000), "too large in pixels"),
    "a 400-megapixel bomb": ("photo.png", bomb(20_000, 20_000), "too large in pixels"),
}


def attach(client, meeting, name, content, kind="minutes"):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(reverse("meetings:attachment-add", kwargs={"pk": meeting.pk}), {"kind": kind, "file": upload})


@pytest.mark.parametrize("case", BAD_ATTACHMENTS)
def test_it_refuses_a_meeting_attachment_that_is_not_what_it_claims(client, world, media, case):
    name, content, message = BAD_ATTACHMENTS[case]
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    response = attach(client, meeting, name, content, kind="photo" if name.endswith((".png", ".jpg")) else "minutes")
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not MeetingAttachment.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("minutes.pdf", PDF, "application/pdf"),
        ("photo.png", png(), "image/png"),
        ("photo.jpg", png(image_format="JPEG"), "image/jpeg"),
        (
            "minutes.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("minutes.txt", b"Minutes: residents raised parking on <Elm Street> & speeding.", "text/plain"),
    ],
)
def test_it_keeps_real_documents_and_images(client, world, media, name, content, content_type):
    meeting = new_meeting(world, status=MeetingStatus.PUBLISHED)
    client.force_login(world.pcso)
    assert attach(client, meeting, name, content).status_code == 302
    kept = MeetingAttachment.objects.get()
    assert kept.content_type == content_type and kept.file.read() == content


# --- residents' photos ------------------------------------------------------------------------

BAD_PHOTOS = {
    "a web page called .png": ("photo.png", PAGE, "not a photo we can read"),
    "a web page behind a JPEG's first bytes": ("photo.jpg", b"\xff\xd8\xff\xe0" + PAGE, "not a photo we can read"),
    "a PNG with a web page after it": ("photo.png", png() + PAGE, "web page code"),
    "a GIF": ("photo.gif", png(image_format="GIF"), "Use a JPEG, PNG or WebP photo"),
    "a photo over 8 MB": ("photo.jpg", png(image_format="JPEG") + b"\x00" * (8 * 1024 * 1024), "the limit is 8 MB"),
    "a 64-megapixel bomb": ("photo.png", bomb(8_000, 8_000), "too large in pixels"),
    "a 400-megapixel bomb": ("photo.png", bomb(20_000, 20_000), "too large in pixels"),
}


def report(client, name, content):
    data = {
        "category": "litter",
        "description": "Mattresses dumped behind the shops.",
        "ward": "E05005155",
        "photo": SimpleUploadedFile(name, content, content_type="image/png"),
    }
    return client.post(reverse("priorities:raise-issue"), data)


@pytest.mark.parametrize("case", BAD_PHOTOS)
def test_it_refuses_a_photo_that_is_not_a_safe_picture(client, world, media, case):
    name, content, message = BAD_PHOTOS[case]
    response = report(client, name, content)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert not Issue.objects.exists() and stored_files(media) == []


def test_it_judges_a_photo_by_its_pixels_not_its_name(client, world, media):
    # A real PNG under a document's name is a photo: kept as a re-encoded PNG with a random name.
    assert report(client, "my house at 12 Elm St.pdf", png()).status_code == 302
    [kept] = stored_files(media)
    assert kept.suffix == ".png" and "Elm" not in kept.name
    assert Image.open(kept).format == "PNG"
