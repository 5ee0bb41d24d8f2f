"""The catalogues are not stale: a string marked in a resident file but never extracted (someone forgot
`make messages`) would be shown in English to every reader, and the completeness test, which reads the
committed catalogues, could not see it."""

import shutil

import polib
from django.core.management import call_command

from tests.i18n.conftest import LOCALE
from tests.i18n.scope import BASE_DIR, resident_sources


def _resident_ids(catalogue: polib.POFile) -> set[tuple[str, str]]:
    sources = resident_sources()
    return {
        (entry.msgctxt or "", entry.msgid)
        for entry in catalogue
        if not entry.obsolete and any(path in sources for path, _ in entry.occurrences)
    }


def test_running_make_messages_would_add_no_resident_string(settings, tmp_path, monkeypatch):
    # makemessages writes to the locale/ folder nearest the files it reads, so it reads copies of the
    # resident files, away from the source tree: the committed catalogues are never touched.
    source, out = tmp_path / "source", tmp_path / "locale"
    for name in resident_sources():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BASE_DIR / name, source / name)
    settings.LOCALE_PATHS = [out]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["cy"], add_location="file", no_obsolete=True, verbosity=0)
    fresh = polib.pofile(str(out / "cy" / "LC_MESSAGES" / "django.po"))
    committed = polib.pofile(str(LOCALE / "cy" / "LC_MESSAGES" / "django.po"))
    assert len(_resident_ids(fresh)) > 200
    missing = _resident_ids(fresh) - {(entry.msgctxt or "", entry.msgid) for entry in committed}
    assert not missing, f"Run `make messages` and translate: {sorted(missing)[:10]}"
