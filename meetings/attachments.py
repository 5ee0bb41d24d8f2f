"""Attachment checks: the type is read from the file's first bytes, not trusted from its name or
the browser, because minutes are published to the public and must be what they claim."""

from django.core.exceptions import ValidationError

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
        raise ValidationError({"file": f"{'Audio minutes' if audio else 'Documents'} must be one of: {names}."})
    if uploaded_file.size == 0:
        raise ValidationError({"file": "The file is empty."})
    if uploaded_file.size > limit:
        raise ValidationError(
            {"file": f"The file is {_megabytes(uploaded_file.size)}; the limit is {_megabytes(limit)}."}
        )
    content_type, looks_right = allowed[extension]
    uploaded_file.seek(0)
    head = uploaded_file.read(512)
    uploaded_file.seek(0)
    if not looks_right(head):
        raise ValidationError({"file": f"The file's contents are not a real .{extension} file."})
    return content_type
