# Sunlight — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/sunlight
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install messages catalogues migrate demo run test test-sqlite test-postgres lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev,reference]"
	touch $@

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# Refresh locale/*/django.po from the source; then translate the new and fuzzy entries.
catalogues: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=node_modules

migrate: install messages
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py loaddemo --if-empty

# The embedded default: one local worker for background jobs (no broker), next to the web server.
run: demo
	$(PY) manage.py monitoring_worker & trap 'kill $$!' EXIT; \
	SUNLIGHT_DEBUG=$${SUNLIGHT_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test-sqlite: install messages
	$(PY) -m pytest -n 2 -q

# The Django suite again on PostgreSQL when a server answers (the engine has no database).
test-postgres: install messages
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "PostgreSQL reachable: running the Django suite on it"; \
		DATABASE_URL=$(PG_URL) $(PY) -m pytest -n 2 -q sunlight; \
	else echo "PostgreSQL not reachable at $(PG_URL): skipped"; fi

test: lint test-sqlite test-postgres

bench: install
	$(PY) -m controls.bench
	$(PY) -m sunlight.monitoring.bench --pg-url $(PG_URL)

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
