#!/bin/sh
# Restore one backup made by ops/backup.sh into an EMPTY database and an empty uploads folder:
#
#   ops/restore.sh backups/pact-20261206T230000Z
#
# The SHA-256 manifest is checked first; a file that does not match stops the restore before
# anything is written. It refuses a database that already holds tables, and a non-empty MEDIA_ROOT,
# rather than mix two states of the portal: create a new database (createdb) or drop the old one.
# PostgreSQL: pg_restore in a single transaction, so a failure half way leaves the database empty.
set -eu

PROJECT_DIR=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
DATABASE_URL=${DATABASE_URL:-sqlite:///$PROJECT_DIR/db.sqlite3}
MEDIA_ROOT=${MEDIA_ROOT:-$PROJECT_DIR/media}
PYTHON=${PYTHON:-python3}

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: ops/restore.sh BACKUP_FOLDER  (a folder made by ops/backup.sh)" >&2
    exit 2
fi
source=$(CDPATH= cd -- "$1" && pwd)
if [ ! -f "$source/SHA256SUMS" ]; then
    echo "restore: $source has no SHA256SUMS manifest; it is not a backup made by ops/backup.sh." >&2
    exit 1
fi
if ! (cd "$source" && sha256sum --check --strict --quiet SHA256SUMS); then
    echo "restore: $source does not match its checksums; nothing was restored." >&2
    exit 1
fi

if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
    echo "restore: the uploads folder $MEDIA_ROOT is not empty; restore into an empty one. Nothing was restored." >&2
    exit 1
fi

case "$DATABASE_URL" in
    postgres://* | postgresql://* | pgsql://*)
        url=$(printf '%s' "$DATABASE_URL" | sed 's#^pgsql://#postgresql://#')
        if [ ! -f "$source/database.pgdump" ]; then
            echo "restore: $source holds no PostgreSQL dump (database.pgdump)." >&2
            exit 1
        fi
        tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" --command \
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
        if [ "$tables" != "0" ]; then
            echo "restore: the database is not empty ($tables tables); restore into a new, empty database. Nothing was restored." >&2
            exit 1
        fi
        pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$source/database.pgdump"
        ;;
    sqlite://*)
        path=${DATABASE_URL#sqlite:///}
        case "$path" in /*) ;; *) path="$PROJECT_DIR/$path" ;; esac
        if [ ! -f "$source/database.sqlite3" ]; then
            echo "restore: $source holds no SQLite database (database.sqlite3)." >&2
            exit 1
        fi
        "$PYTHON" - "$source/database.sqlite3" "$path" <<'PY'
import sqlite3, sys
target = sqlite3.connect(sys.argv[2])
tables = target.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
if tables:
    sys.exit(f"restore: the database {sys.argv[2]} is not empty ({tables} tables); restore into a new, empty database. Nothing was restored.")
source = sqlite3.connect(sys.argv[1])
source.backup(target)
source.close()
target.close()
PY
        ;;
    *)
        echo "restore: cannot restore into a database at ${DATABASE_URL%%:*}:// (PostgreSQL or SQLite only)" >&2
        exit 1
        ;;
esac

mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$source/media.tar.gz"
echo "restore: $source restored."
