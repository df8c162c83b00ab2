# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

# Coverage of the production code, printed after the tests (files at 100 % left out).
COVERAGE_ARGS ?= --cov --cov-report=term:skip-covered

.PHONY: run test install lint typecheck bench

$(STAMP): requirements.txt requirements-dev.txt
	scripts/install-system-deps.sh base
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_reference
	$(PY) manage.py generate_directory
	$(PY) manage.py seed_demo
	@echo "Espace Assuré: http://127.0.0.1:8000/  (back-office: http://127.0.0.1:8000/gestion/)"
	@echo "E-mails (activation, codes de connexion) are written to var/emails/"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

test: install lint typecheck
	scripts/install-system-deps.sh browser
	$(PY) -m pytest $(COVERAGE_ARGS) $(PYTEST_ARGS)

bench: install
	$(PY) manage.py bench
