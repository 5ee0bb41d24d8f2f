"""The lock files agree with the pins they were made from: a pin added or moved in requirements*.txt
without `make lock` fails here, before an install from the lock leaves it out."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    return {_name(m[1]): m[2] for line in path.read_text().splitlines() if (m := PIN.match(line))}


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """Name → (version, number of hashes) in a lock written by `uv pip compile --generate-hashes`."""
    locked, current = {}, None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            current = _name(match[1])
            locked[current] = (match[2], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = locked[current]
            locked[current] = (version, hashes + 1)
    return locked


@pytest.mark.parametrize(
    ("pins", "lock"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
)
def test_every_pin_is_locked_at_its_version(pins, lock):
    locked = _locked(ROOT / lock)
    unlocked = {name: version for name, version in _pins(ROOT / pins).items() if locked.get(name, ("",))[0] != version}
    assert unlocked == {}, "run `make lock`"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_has_a_hash(lock):
    locked = _locked(ROOT / lock)
    assert len(locked) > 50
    assert [name for name, (_, hashes) in locked.items() if not hashes] == []


def test_tests_run_on_what_production_installs():
    runtime, development = _locked(ROOT / "requirements.lock"), _locked(ROOT / "requirements-dev.lock")
    assert {name: development.get(name, ("",))[0] for name in runtime} == {n: v for n, (v, _) in runtime.items()}
