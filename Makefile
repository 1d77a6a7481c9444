# The two set-up commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The first Python >= 3.12 found: on PATH, then in pyenv's versions (Django 6 needs 3.12).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 $$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo $$p; break; fi; done)
HOST ?= 127.0.0.1
PORT ?= 8000
# The address the mails link to: where `make run` serves (`make run PORT=8123` gives
# http://127.0.0.1:8123); set SITE_URL to override it. The worker writes the mails' links too.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test venv node worker beat lint format audit migrate seed clean bench

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (Django 6): install it, or set PYTHON=/path/to/python3.12"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

# axe-core for the accessibility checks of the browser tests (skipped when npm is missing).
node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $@; else echo "npm not found: browser accessibility checks will be skipped"; fi

node: node_modules/.installed

migrate: venv
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

run: seed
	SITE_URL=$(SITE_URL) DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on SQLite (services that are missing skip their tests), with the coverage of
# the apps: it fails under 95 % of statements (pyproject.toml, [tool.coverage.*]).
test: venv node
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

worker: venv
	SITE_URL=$(SITE_URL) $(BIN)/celery -A programme worker --loglevel=INFO --concurrency=2

beat: venv
	SITE_URL=$(SITE_URL) $(BIN)/celery -A programme beat --loglevel=INFO

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Security audit: bandit on our code (fails on a medium or high finding; a false positive is
# annotated `# nosec <id>` with its reason) and pip-audit on the installed dependencies, read by
# .ci/audit_dependencies.py: it fails on a known vulnerability, says plainly which dependencies
# pip-audit could not check (all of them where the index does not serve vulnerability data),
# and with --strict fails on those too. PIP_AUDIT_STRICT= lifts that (CI does, see .ci/run).
PIP_AUDIT_STRICT ?= --strict

audit: venv
	$(BIN)/bandit --quiet --recursive programme calls projects cohorts demo manage.py --exclude '*/migrations/*' --severity-level medium
	$(PY) .ci/audit_dependencies.py $(PIP_AUDIT_STRICT)

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Performance at scale (issue 7): a large data set in the configured database (PostgreSQL with
# DATABASE_URL, else SQLite), then gunicorn + locust over the pages, the ranking, the reminder
# scan and the worker. About 10 minutes; never part of `make test`. See README "Performance".
$(VENV)/.bench: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	touch $@

bench: $(VENV)/.bench
	$(PY) -m bench.ensure_db
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=0 SECRET_KEY=bench-only-secret-key-never-used-in-production-0123456789 $(PY) manage.py collectstatic --noinput -v0
	$(PY) -m bench.sizes

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-artifacts bench/out bench/last.json bench/plans.txt
