"""Backups and the restore drill (ops/). The SQLite round trip runs everywhere; the drill runs only on
PostgreSQL, which is what CI's `make test` uses."""

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from ops import drill
from tests.factories import NeighbourhoodFactory, UserFactory

OPS = Path(drill.__file__).resolve().parent
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the restore drill runs on PostgreSQL")


def _run(script, *args, **env):
    done = subprocess.run(  # noqa: S603 - our own scripts
        [str(OPS / script), *map(str, args)],
        env={**os.environ, **{k: str(v) for k, v in env.items()}},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout.strip(), done.stderr.strip()


@pytest.fixture
def embedded(tmp_path):
    """A small SQLite database and uploads folder, as the embedded default keeps them."""
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE meeting (id INTEGER PRIMARY KEY, title TEXT)")
        db.executemany("INSERT INTO meeting (title) VALUES (?)", [("Daneshouse PACT",), ("Queensgate PACT",)])
    db.close()
    media = tmp_path / "media"
    (media / "minutes").mkdir(parents=True)
    (media / "minutes" / "march.pdf").write_bytes(b"%PDF minutes")
    return {"DATABASE_URL": f"sqlite:///{database}", "MEDIA_ROOT": media, "BACKUP_DIR": tmp_path / "backups"}


def test_it_backs_up_sqlite_and_restores_it_into_an_empty_database(embedded, tmp_path):
    code, backup, _ = _run("backup.sh", **embedded)
    assert code == 0
    assert sorted(p.name for p in Path(backup).iterdir()) == ["SHA256SUMS", "database.sqlite3", "media.tar.gz"]
    restored = tmp_path / "restored.sqlite3"
    code, _, err = _run("restore.sh", backup, DATABASE_URL=f"sqlite:///{restored}", MEDIA_ROOT=tmp_path / "new-media")
    assert code == 0, err
    with sqlite3.connect(restored) as db:
        assert [r[0] for r in db.execute("SELECT title FROM meeting ORDER BY id")] == [
            "Daneshouse PACT",
            "Queensgate PACT",
        ]
    db.close()
    assert (tmp_path / "new-media" / "minutes" / "march.pdf").read_bytes() == b"%PDF minutes"


def test_it_refuses_to_restore_into_a_database_that_is_not_empty(embedded, tmp_path):
    _, backup, _ = _run("backup.sh", **embedded)
    code, _, err = _run("restore.sh", backup, DATABASE_URL=embedded["DATABASE_URL"], MEDIA_ROOT=tmp_path / "new")
    assert code != 0
    assert "not empty" in err
    assert not (tmp_path / "new").exists()


def test_it_refuses_a_backup_that_does_not_match_its_checksums(embedded, tmp_path):
    _, backup, _ = _run("backup.sh", **embedded)
    with open(Path(backup) / "media.tar.gz", "ab") as archive:
        archive.write(b"tampered")
    restored = tmp_path / "restored.sqlite3"
    code, _, err = _run("restore.sh", backup, DATABASE_URL=f"sqlite:///{restored}", MEDIA_ROOT=tmp_path / "new")
    assert code != 0
    assert "does not match its checksums" in err
    assert not restored.exists()


def test_it_refuses_to_restore_over_uploads(embedded, tmp_path):
    _, backup, _ = _run("backup.sh", **embedded)
    code, _, err = _run(
        "restore.sh",
        backup,
        DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}",
        **{"MEDIA_ROOT": embedded["MEDIA_ROOT"]},
    )
    assert code != 0
    assert "uploads folder" in err


def test_the_comparison_names_every_table_that_differs():
    before = {"public.meeting": (2, "aa"), "public.ward": (1, "bb"), "seq:public.meeting_id_seq": (2,)}
    after = {"public.meeting": (2, "aa"), "public.ward": (1, "cc")}
    assert drill.differences(before, after) == [
        "public.ward: (1, 'bb') before, (1, 'cc') after",
        "seq:public.meeting_id_seq: (2,) before, missing after",
    ]


def _database_url():
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgresql://{s['USER']}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_restore_drill_restores_every_row_on_postgresql(tmp_path, capsys):
    NeighbourhoodFactory.create_batch(3)
    UserFactory(email="pcso@example.police.uk")
    media = tmp_path / "media"
    media.mkdir()
    (media / "photo.jpg").write_bytes(b"\xff\xd8 a pothole")
    found = drill.drill(database_url=_database_url(), media_root=media, backup_dir=tmp_path / "backups", timeout=120)
    assert found == []
    assert "restore drill: passed" in capsys.readouterr().out


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_restore_over_a_postgresql_database_with_tables(tmp_path):
    code, backup, _ = _run("backup.sh", DATABASE_URL=_database_url(), MEDIA_ROOT=tmp_path / "m", BACKUP_DIR=tmp_path)
    assert code == 0
    code, _, err = _run("restore.sh", backup, DATABASE_URL=_database_url(), MEDIA_ROOT=tmp_path / "new")
    assert code != 0
    assert "the database is not empty" in err
