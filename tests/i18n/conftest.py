import shutil
import subprocess

import pytest

from tests.i18n.scope import BASE_DIR

LOCALE = BASE_DIR / "locale"


def compile_catalogue(po, mo) -> subprocess.CompletedProcess:
    """msgfmt as compilemessages runs it, plus --check: header, format strings and domain."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed to compile the catalogues (apt-get install gettext)"
    return subprocess.run([msgfmt, "--check", "-o", str(mo), str(po)], capture_output=True, text=True)  # noqa: S603


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory):
    """The catalogues as they are now, compiled away from the source tree: the tests read what the
    .po files say, never a stale .mo, and parallel workers never write the same file."""
    root = tmp_path_factory.mktemp("locale")
    for po in LOCALE.glob("*/LC_MESSAGES/django.po"):
        mo = root / po.relative_to(LOCALE).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        result = compile_catalogue(po, mo)
        assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def translated(settings, compiled_locale):
    """Pages in this test read the compiled catalogues (changing LOCALE_PATHS resets Django's cache)."""
    settings.LOCALE_PATHS = [compiled_locale]
    return settings
