"""docs/translations.md says how much of the resident strings each catalogue translates; a test keeps it
honest: the documented share may be lower than the real one (a catalogue grew since) but never higher."""

import math
import re

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from tests.i18n.conftest import LOCALE
from tests.i18n.scope import BASE_DIR, COMPLETE_LANGUAGES, resident_sources

TABLE_ROW = re.compile(r"^\|[^|]+\| `(?P<code>[a-z-]+)` \| (?P<share>\d+)% \|", re.MULTILINE)


def coverage(language: str) -> float:
    """The percentage of the resident strings translated (not fuzzy) in the language's catalogue."""
    sources = resident_sources()
    catalogue = polib.pofile(str(LOCALE / to_locale(language) / "LC_MESSAGES" / "django.po"))
    resident = [e for e in catalogue if not e.obsolete and any(path in sources for path, _ in e.occurrences)]
    done = [e for e in resident if e.translated() and "fuzzy" not in e.flags]
    return 100 * len(done) / len(resident)


def documented() -> dict[str, int]:
    text = (BASE_DIR / "docs" / "translations.md").read_text(encoding="utf-8")
    return {match["code"]: int(match["share"]) for match in TABLE_ROW.finditer(text)}


def test_the_table_names_every_translated_language():
    assert set(documented()) == {code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE}


@pytest.mark.parametrize("language", sorted(documented()))
def test_the_documented_share_is_not_higher_than_the_real_one(language):
    assert documented()[language] <= math.floor(coverage(language)), f"{language}: {coverage(language):.1f}%"


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_the_complete_languages_are_documented_as_complete(language):
    assert documented()[language] == 100
