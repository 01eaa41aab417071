# Essaim — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/essaim

.PHONY: install js run serve test test-sqlite test-postgres test-fast bench lint fmt lock messages check clean

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Essaim needs Python 3.11 or newer.")'
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian/Ubuntu run 'sudo apt-get install python3-venv' first."; exit 1; }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

## js: the independent Node.js tools the tests run (each folder under js/ pins its own with a
## committed package-lock.json; no browser or binary is downloaded). Skipped without npm:
## the tests that need them are then skipped locally and fail in CI.
js:
	@if command -v npm >/dev/null; then \
	  for dir in js/*/; do [ -f "$$dir/package-lock.json" ] || continue; \
	    [ "$$dir/node_modules/.package-lock.json" -nt "$$dir/package-lock.json" ] && continue; \
	    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix "$$dir" --no-audit --no-fund --loglevel=error || exit 1; done; \
	else echo "npm not found (apt-get install nodejs npm): tests that run Node.js tools will be skipped."; fi

## run: install, migrate, load demo data, serve on http://$(HOST):$(PORT) with the task worker
## and a local ProConnect stand-in (everything stops with Ctrl-C)
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py devserver --host $(HOST) --port $(PORT)

## test: the whole suite (unit, integration, browser) on SQLite, or on PostgreSQL when
## DATABASE_URL points there
test: install js
	ESSAIM_ENV=test $(PY) -m pytest $(PYTEST_ARGS)

test-sqlite: install js
	ESSAIM_ENV=test DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install js
	ESSAIM_ENV=test DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: install js
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
