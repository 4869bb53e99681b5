# The two commands of the README:
#   make run   — set up (venv, install, database, demo data) and serve on http://$(HOST):$(PORT)
#   make test  — set up with the test extra and run the whole suite (SQLite, then PostgreSQL when
#                TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?= -n auto

.PHONY: run test install install-test translations translations-update

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations:
	$(BIN)/pybabel compile --use-fuzzy -d quiz/translations

run: install
	$(BIN)/flask --app quiz db upgrade
	QUIZ_BASE_URL=$${QUIZ_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask --app quiz demo
	$(BIN)/flask --app quiz run --host $(HOST) --port $(PORT)

test: install-test
	@echo "== Test suite on SQLite"
	TEST_DATABASE_URL= $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== Test suite on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS); \
	else \
		echo "== PostgreSQL leg skipped: set TEST_DATABASE_URL=postgresql://user@host/db to run it"; \
	fi

# For maintainers: refresh the English catalog after adding or changing Vietnamese strings.
translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o quiz/translations/messages.pot .
	$(BIN)/pybabel update -i quiz/translations/messages.pot -d quiz/translations -w 100
