#!/bin/sh
# One backup of the portal: the database and the uploads folder, in a new timestamped folder under
# BACKUP_DIR with a SHA-256 manifest. Reads the variables the portal reads (DATABASE_URL, MEDIA_ROOT);
# with neither set it backs up the embedded default (db.sqlite3 and media/ in the project folder).
#
#   PostgreSQL: pg_dump's custom format, taken in one transaction, so every table comes from the same
#               snapshot while the portal keeps running; pg_restore reads it (ops/restore.sh).
#   SQLite:     SQLite's online backup API (Python's sqlite3.Connection.backup), which copies a
#               consistent database while the embedded server writes; copying the file (with its
#               write-ahead log beside it) could catch a half-written page.
# The folder is written under a temporary name and renamed when complete, so a backup that failed
# half way never looks like one that can be restored.
set -eu

PROJECT_DIR=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
DATABASE_URL=${DATABASE_URL:-sqlite:///$PROJECT_DIR/db.sqlite3}
MEDIA_ROOT=${MEDIA_ROOT:-$PROJECT_DIR/media}
BACKUP_DIR=${BACKUP_DIR:-$PROJECT_DIR/backups}
PYTHON=${PYTHON:-python3}

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/pact-$stamp"
partial="$BACKUP_DIR/.pact-$stamp.partial"
if [ -e "$target" ]; then
    echo "backup: $target already exists; wait a second and run it again." >&2
    exit 1
fi
mkdir -p "$partial"
trap 'rm -rf "$partial"' EXIT

case "$DATABASE_URL" in
    postgres://* | postgresql://* | pgsql://*)
        # libpq reads postgres:// and postgresql:// addresses itself; environ's pgsql:// it does not.
        url=$(printf '%s' "$DATABASE_URL" | sed 's#^pgsql://#postgresql://#')
        pg_dump --format=custom --no-owner --no-privileges --file="$partial/database.pgdump" --dbname="$url"
        ;;
    sqlite://*)
        # environ's sqlite:////abs/path is /abs/path; sqlite:///relative is relative to the project.
        path=${DATABASE_URL#sqlite:///}
        case "$path" in /*) ;; *) path="$PROJECT_DIR/$path" ;; esac
        if [ ! -f "$path" ]; then
            echo "backup: no SQLite database at $path" >&2
            exit 1
        fi
        "$PYTHON" - "$path" "$partial/database.sqlite3" <<'PY'
import sqlite3, sys
source, copy = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
with copy:
    source.backup(copy)
source.close()
copy.close()
PY
        ;;
    *)
        echo "backup: cannot back up a database at ${DATABASE_URL%%:*}:// (PostgreSQL or SQLite only)" >&2
        exit 1
        ;;
esac

# Uploads: an empty archive when there are none yet, so every backup has the same two files.
if [ -d "$MEDIA_ROOT" ]; then
    tar -C "$MEDIA_ROOT" -czf "$partial/media.tar.gz" .
else
    tar -czf "$partial/media.tar.gz" -T /dev/null
fi

(cd "$partial" && sha256sum database.* media.tar.gz > SHA256SUMS)
mv "$partial" "$target"
trap - EXIT
echo "$target"
