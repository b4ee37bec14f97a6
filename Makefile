# The two commands in README: `make run` and `make test`. Everything installs into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check install system-deps system-deps-test lock migrate seed worker beat web clean bench

$(STAMP): requirements.lock pyproject.toml bin/bootstrap
	bin/bootstrap $(PYTHON) $(VENV)
	touch $(STAMP)

install: $(STAMP)

system-deps:
	bin/system-deps run

system-deps-test:
	bin/system-deps test

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: install system-deps seed
	bin/run-all

test: install system-deps-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy crm contacts prospects callcapture emailfeed drips

check: lint test

# Re-pin the dependencies after editing pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements.lock

web: install
	$(BIN)/python manage.py runserver 127.0.0.1:8000

worker: install
	$(BIN)/celery -A crm worker --loglevel=INFO

beat: install
	$(BIN)/celery -A crm beat --loglevel=INFO

# The contacts benchmark (meant for Postgres: set DATABASE_URL): seeds 100,000 people into
# the demo account unless it has them already, then times the list, search and hygiene pages.
bench: migrate
	$(BIN)/python manage.py bench_contacts --has-people 100000 || $(BIN)/python manage.py seed_demo --contacts 100000
	$(BIN)/python manage.py bench_contacts

clean:
	rm -rf $(VENV) var/broker var/staticfiles .pytest_cache
