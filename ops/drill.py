"""The restore drill: back up a PostgreSQL database with ops/backup.sh, restore it with
ops/restore.sh into a new database beside it, and compare the two table by table (row count and a
checksum of every row) and sequence by sequence, then drop the copy. Prints the timings.

    DATABASE_URL=postgres://... python -m ops.drill [--keep-backup DIR]

Run it on a database nothing is writing to (the demo seed, a staging copy): on a live one the
rows written after pg_dump's snapshot make the comparison differ, though the backup is sound.
Exits 1 when anything differs.
"""

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

OPS = Path(__file__).resolve().parent

TABLES = """
    SELECT schemaname, tablename FROM pg_tables
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2
"""
SEQUENCES = """
    SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
"""
# One md5 per row, sorted and hashed again: an order that needs no primary key, and memory that
# grows by 32 bytes a row rather than by the rows' whole text.
TABLE_CHECKSUM = """
    SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h COLLATE "C"), ''))
    FROM (SELECT md5(t::text) AS h FROM {table} AS t) AS rows
"""


def postgres_url(url: str) -> str:
    """libpq reads postgres:// and postgresql://; django-environ also writes pgsql://."""
    return "postgresql://" + url.split("://", 1)[1] if url.startswith("pgsql://") else url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_fingerprint(url: str) -> dict[str, tuple]:
    """{"schema.table": (rows, checksum)} for every table, and {"seq:name": (last_value,)}."""
    fingerprint = {}
    with psycopg.connect(url) as connection:
        for schema, table in connection.execute(TABLES).fetchall():
            query = sql.SQL(TABLE_CHECKSUM).format(table=sql.Identifier(schema, table))
            fingerprint[f"{schema}.{table}"] = tuple(connection.execute(query).fetchone())
        for name, last_value in connection.execute(SEQUENCES).fetchall():
            fingerprint[f"seq:{name}"] = (last_value,)
    return fingerprint


def folder_fingerprint(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def differences(before: dict, after: dict) -> list[str]:
    return [
        f"{key}: {before.get(key, 'missing')} before, {after.get(key, 'missing')} after"
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]


def _run(script: str, *args: str, env: dict, timeout: float | None) -> str:
    # Our own scripts, with arguments this module made: nothing comes from outside.
    done = subprocess.run(  # noqa: S603
        [str(OPS / script), *args], env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def drill(
    *, database_url: str, media_root: Path, backup_dir: Path, out=None, timeout: float | None = None
) -> list[str]:
    """Back up, restore into a new database and compare; the list of differences (empty: a pass).
    Each script is stopped after `timeout` seconds (a hung restore fails the drill)."""
    out = out or sys.stdout
    source = postgres_url(database_url)
    copy_name = f"{urlsplit(source).path.lstrip('/')}_drill_{os.getpid()}"
    copy_url = with_database(source, copy_name)
    timings = {}
    env = {**os.environ, "DATABASE_URL": source, "MEDIA_ROOT": str(media_root), "BACKUP_DIR": str(backup_dir)}

    started = time.monotonic()
    before = database_fingerprint(source)
    timings["fingerprint the database"] = time.monotonic() - started

    started = time.monotonic()
    backup = _run("backup.sh", env=env, timeout=timeout).strip().splitlines()[-1]
    timings["back up"] = time.monotonic() - started
    size = sum(f.stat().st_size for f in Path(backup).iterdir())

    with psycopg.connect(source, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(copy_name)))
    try:
        with tempfile.TemporaryDirectory(prefix="pact-drill-media-") as restored_media:
            started = time.monotonic()
            _run(
                "restore.sh",
                backup,
                env={**env, "DATABASE_URL": copy_url, "MEDIA_ROOT": restored_media},
                timeout=timeout,
            )
            timings["restore"] = time.monotonic() - started
            started = time.monotonic()
            after = database_fingerprint(copy_url)
            timings["fingerprint the copy"] = time.monotonic() - started
            found = differences(before, after)
            found += differences(folder_fingerprint(media_root), folder_fingerprint(Path(restored_media)))
    finally:
        with psycopg.connect(source, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy_name)))

    tables = sum(1 for key in before if not key.startswith("seq:"))
    rows = sum(value[0] for key, value in before.items() if not key.startswith("seq:"))
    print(f"backup {backup}: {size / 1e6:.1f} MB", file=out)
    print(f"compared {tables} tables, {rows} rows, {len(before) - tables} sequences", file=out)
    for step, seconds in timings.items():
        print(f"  {step}: {seconds:.2f} s", file=out)
    print("  total:", f"{sum(timings.values()):.2f} s", file=out)
    print("restore drill: " + ("FAILED\n  " + "\n  ".join(found) if found else "passed"), file=out)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--keep-backup", metavar="DIR", help="write the backup here and keep it (default: a temporary folder)"
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("The restore drill runs on PostgreSQL: set DATABASE_URL to a postgres:// address.", file=sys.stderr)
        return 2
    media_root = Path(os.environ.get("MEDIA_ROOT") or OPS.parent / "media")
    if args.keep_backup:
        return 1 if drill(database_url=url, media_root=media_root, backup_dir=Path(args.keep_backup)) else 0
    with tempfile.TemporaryDirectory(prefix="pact-drill-backups-") as backup_dir:
        return 1 if drill(database_url=url, media_root=media_root, backup_dir=Path(backup_dir)) else 0


if __name__ == "__main__":
    sys.exit(main())
