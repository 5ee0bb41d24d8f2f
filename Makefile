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

.PHONY: install run demo test test-shuffled test-fast lint format bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
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
test: install lint
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} --dist loadfile $(PYTEST_ARGS)

# The same suite in a shuffled order (file order and the order inside each file), to show no test
# depends on what ran before it; SEED=N repeats a run's order, which it prints at the top.
test-shuffled: install
	$(BIN)/pytest -n $${PYTEST_WORKERS:-2} --dist loadfile -p randomly $${SEED:+--randomly-seed=$${SEED}} $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

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
	@# Its workers are processes of their own, which need PostgreSQL and Redis.
	@case "$${DATABASE_URL:-}" in postgres*) \
	  REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BENCH_ENV) $(PY) manage.py bench_emergency \
	    --bulk $${BENCH_EMERGENCY_BULK:-100000} --emergency $${BENCH_EMERGENCY_MEMBERS:-2000} --rate $${BENCH_EMERGENCY_RATE:-200} ;; \
	  *) echo '{"benchmark": "emergency_first_send_seconds", "skipped": "needs PostgreSQL (DATABASE_URL) and Redis"}' ;; \
	esac
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BENCH_ENV) $(PY) manage.py bench_web
