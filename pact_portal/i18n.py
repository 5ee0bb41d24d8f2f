"""Language helpers shared by the apps."""

from django.conf import settings
from django.utils import translation


def in_source_language(text) -> str:
    """A marked string (a choice's label) in English, the source language, whatever language the
    request or task is in: exports, stored return documents and matches against imported files read
    labels as plain text, and those stay English for every reader."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)
