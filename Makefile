# Essaim — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/essaim

.PHONY: install run serve test test-sqlite test-postgres test-fast bench lint fmt lock messages check clean

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Essaim needs Python 3.11 or newer.")'
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian/Ubuntu run 'sudo apt-get install python3-venv' first."; exit 1; }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

## run: install, migrate, load demo data, serve on http://$(HOST):$(PORT) with the task worker
## and a local ProConnect stand-in (everything stops with Ctrl-C)
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py devserver --host $(HOST) --port $(PORT)

## test: the whole suite (unit, integration, browser) on SQLite, or on PostgreSQL when
## DATABASE_URL points there
test: install
	ESSAIM_ENV=test $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: install
	ESSAIM_ENV=test DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	ESSAIM_ENV=test DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	ESSAIM_ENV=test $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint essaim/templates --lint
	$(VENV)/bin/mypy essaim
	$(VENV)/bin/bandit -c pyproject.toml -r essaim -ll -q
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install
	cd essaim && ../$(PY) ../manage.py makemessages -l en --no-obsolete && ../$(PY) ../manage.py compilemessages -l en

lock: install
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o base.txt base.in
	cd requirements && ../$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o dev.txt dev.in

clean:
	rm -rf $(VENV) var
