"""The translation catalogues: one per supported language, each compiling cleanly, and complete for the
languages the force publishes in full (scope.COMPLETE_LANGUAGES) over the resident-facing files."""

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tests.i18n.conftest import LOCALE, compile_catalogue
from tests.i18n.scope import COMPLETE_LANGUAGES, resident_sources

TRANSLATED_LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po"))


def _resident_entries(catalogue: polib.POFile) -> list[polib.POEntry]:
    sources = resident_sources()
    return [entry for entry in catalogue if any(path in sources for path, _ in entry.occurrences)]


def _untranslated(catalogue: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in _resident_entries(catalogue)
        if entry.obsolete or "fuzzy" in entry.flags or not entry.translated()
    ]


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_supported_language_has_a_catalogue_that_compiles_cleanly(language, tmp_path):
    po = LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po"
    result = compile_catalogue(po, tmp_path / "django.mo")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_resident_strings_are_all_translated(language):
    catalogue = _catalogue(language)
    assert len(_resident_entries(catalogue)) > 200
    assert _untranslated(catalogue) == []


def test_it_counts_a_fuzzy_or_empty_translation_as_missing(tmp_path):
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="Sign in", msgstr="", occurrences=[("templates/accounts/login.html", "")]))
    catalogue.append(
        polib.POEntry(msgid="Search", msgstr="Chwilio", flags=["fuzzy"], occurrences=[("templates/base.html", "")])
    )
    catalogue.append(polib.POEntry(msgid="Meetings", msgstr="Cyfarfodydd", occurrences=[("templates/base.html", "")]))
    assert _untranslated(catalogue) == ["Sign in", "Search"]


def test_it_holds_only_the_supported_languages():
    on_disk = {path.name for path in LOCALE.iterdir() if path.is_dir()}
    assert on_disk == {to_locale(code) for code in TRANSLATED_LANGUAGES}
