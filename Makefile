# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails and texts sent by background tasks are built on SITE_URL, so it follows the
# address runserver listens on (`make run PORT=8080`); set it yourself when HOST is 0.0.0.0.
SITE_URL ?= http://$(HOST):$(PORT)
# The embedded default: SQLite, tasks run in-process, a development secret key.
RUN_ENV := DEBUG=$${DEBUG:-1} SITE_URL=$(SITE_URL)

.PHONY: install run demo test test-shuffled test-fast lint format bench clean messages compilemessages backup restore restore-drill lock audit

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Installs exactly what the lock files name, every file checked against its SHA-256: a package
# changed on the index after it was locked is refused. requirements*.txt list what the portal asks
# for (pinned); `make lock` resolves them, with every dependency, into requirements*.lock.
$(VENV)/.installed: $(BIN)/activate requirements.lock requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

# After adding or changing a pin in requirements.txt or requirements-dev.txt (needs the package
# index). Versions already locked stay unless a pin moves them; the development lock is held to the
# runtime one, so tests run on what production installs. tests/ops/test_lock.py fails while a pin
# and its lock disagree. UV_UPGRADE=1 moves every unpinned dependency to its newest release.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $${UV_UPGRADE:+--upgrade}
# Needs only uv, not a working install: after a merge that conflicted in the lock files, take
# either side's and run `make lock`.
$(BIN)/uv: $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check "$$(grep '^uv==' requirements-dev.txt)"
lock: $(BIN)/uv
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock

# Known vulnerabilities in the locked packages, from PyPI's JSON API (pip-audit's default service,
# the Python Packaging Advisory Database): fails on any, and (--strict) on any package it could not
# look up, so a machine that reaches only a package mirror fails rather than passing unaudited.
# Not in .ci/run for that reason: CI's machines reach package indexes but not that API. Run it where
# the internet is reachable, before each release and after `make lock` (README "Dependencies").
audit: install
	$(BIN)/pip-audit --strict --disable-pip --require-hashes --progress-spinner off -r requirements-dev.lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install compilemessages
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py seed_demo --if-empty
	@$(RUN_ENV) $(PY) manage.py demo_logins
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

demo: install
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py seed_demo

# Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, SQLite and in-process tasks otherwise.
# --dist loadfile keeps a module together: the demo tests share one seeded database per module.
test: install lint compilemessages
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} --dist loadfile $(PYTEST_ARGS)

# The same suite in a shuffled order (file order and the order inside each file), to show no test
# depends on what ran before it; SEED=N repeats a run's order, which it prints at the top.
test-shuffled: install compilemessages
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} --dist loadfile -p randomly $${SEED:+--randomly-seed=$${SEED}} $(PYTEST_ARGS)

test-fast: install compilemessages
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translations: locale/<language>/LC_MESSAGES/django.po, one per language in settings.LANGUAGES but the
# source language (en-GB). `make messages` adds newly marked strings to every catalogue and drops those
# no longer used (--no-obsolete); locations name the file but not the line (--add-location=file), so a
# catalogue's diff shows changed text, not moved lines, yet tests/test_i18n_catalogues.py can still tell
# which strings come from resident-facing files. The .mo files are built, never committed (.gitignore).
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media --ignore=tests
LOCALES = $$(DEBUG=1 $(PY) -c 'import django, os; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pact_portal.settings"); django.setup(); from django.conf import settings; from django.utils.translation import to_locale; print(" ".join("--locale=" + to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE))')
messages: install
	DEBUG=1 $(PY) manage.py makemessages $(LOCALES) --no-obsolete --add-location=file $(I18N_IGNORE)

compilemessages: install
	DEBUG=1 $(PY) manage.py compilemessages $(I18N_IGNORE)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache db.sqlite3 db.sqlite3-*

# Speed figures live here, not in timed tests. Runs on its own SQLite file unless DATABASE_URL is set.
# The fan-out bench adds BENCH_SUBSCRIBERS (a million) subscribers for one alert, then removes them.
# The emergency bench sends a bulk alert to BENCH_EMERGENCY_BULK members at BENCH_EMERGENCY_RATE a
# second and an emergency to BENCH_EMERGENCY_MEMBERS others, on PostgreSQL and Redis only.
BENCH_ENV := DEBUG=1 DATABASE_URL=$${DATABASE_URL:-sqlite:////tmp/pact-bench.sqlite3}
bench: install
	$(BENCH_ENV) $(PY) manage.py migrate --no-input -v0
	$(BENCH_ENV) $(PY) manage.py seed_demo
	$(BENCH_ENV) $(PY) manage.py bench_ward_lookup
	$(BENCH_ENV) $(PY) manage.py bench_fanout --subscribers $${BENCH_SUBSCRIBERS:-1000000}
	$(BENCH_ENV) $(PY) manage.py bench_send --rate $${BENCH_SEND_RATE:-200} --seconds $${BENCH_SEND_SECONDS:-30} --channel sms
	$(BENCH_ENV) $(PY) manage.py bench_reports
	$(BENCH_ENV) $(PY) manage.py bench_metrics --deliveries $${BENCH_METRICS_DELIVERIES:-200000}
	$(BENCH_ENV) $(PY) manage.py bench_audit_trail --members $${BENCH_AUDIT_MEMBERS:-50000}
	$(BENCH_ENV) $(PY) manage.py bench_signed_in_cache
	@# Its workers are processes of their own, which need PostgreSQL and Redis.
	@case "$${DATABASE_URL:-}" in postgres*) \
	  REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BENCH_ENV) $(PY) manage.py bench_emergency \
	    --bulk $${BENCH_EMERGENCY_BULK:-100000} --emergency $${BENCH_EMERGENCY_MEMBERS:-2000} --rate $${BENCH_EMERGENCY_RATE:-200} ;; \
	  *) echo '{"benchmark": "emergency_first_send_seconds", "skipped": "needs PostgreSQL (DATABASE_URL) and Redis"}' ;; \
	esac
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BENCH_ENV) $(PY) manage.py bench_web

# Backups (README "Backups and restore"): the database and the uploads folder, named by the time, in
# BACKUP_DIR (backups/ here) with a SHA-256 manifest. Both read DATABASE_URL and MEDIA_ROOT as the
# portal does (the embedded SQLite database and media/ when unset). `make restore BACKUP=<folder>`
# checks the manifest and restores into an empty database and uploads folder only.
backup:
	PYTHON=$(PY) ops/backup.sh

restore:
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=backups/pact-20261206T230000Z" >&2; exit 2; }
	PYTHON=$(PY) ops/restore.sh "$(BACKUP)"

# PostgreSQL only: backs up DATABASE_URL, restores it into a new database beside it, compares every
# table's row count and checksum and every sequence, drops the copy and prints the timings.
restore-drill: install
	$(PY) -m ops.drill
