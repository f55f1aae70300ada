# The two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CH := $(BIN)/chapterhouse
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
BLOCKING_THREADS ?= 1

.PHONY: run serve worker test lint format bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## run: install, migrate, load the demo, then serve http://$(HOST):$(PORT) with a worker
run: $(VENV)/.installed
	$(CH) migrate --noinput
	$(CH) collectstatic --noinput --verbosity 0
	$(CH) demo
	@$(CH) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --blocking-threads $(BLOCKING_THREADS) config.wsgi:application

# ical.js, for the tests that read our calendars as web calendar apps do.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## test: ruff, then the whole suite (SQLite, or DATABASE_URL when set)
test: $(VENV)/.installed-test node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-test
	@failed=""; for script in bench/*.py; do echo "== $$script"; \
		$(BIN)/python $$script || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "Goals missed in:$$failed"; exit 1; fi

## messages: collect every marked string (Python and Jinja2 templates) into locale/django.pot;
## start a language with `pybabel init -D django -d locale -i locale/django.pot -l fr`
messages: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext_lazy -k ngettext_lazy:1,2 \
		--ignore-dirs='.venv node_modules var tests bench' -o locale/django.pot .
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		$(BIN)/pybabel update -D django -d locale -i locale/django.pot; \
		$(BIN)/pybabel compile -D django -d locale; fi

clean:
	rm -rf $(VENV) var/static .pytest_cache
