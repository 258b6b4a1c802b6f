# Fulian — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PORT ?= 8000
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
export UV_PYTHON := 3.11

.PHONY: demo test venv lint types pytest pytest-postgres bench run-web run-worker messages clean

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

venv: $(UV)
	$(UV) sync --frozen --quiet

## demo: virtual environment, install, migrate, demo data, web server + worker on http://127.0.0.1:$(PORT)
demo: venv
	PORT=$(PORT) bin/demo

## test: everything — lint, types, tests (SQLite; .ci/run repeats the suite on PostgreSQL)
test: venv lint types pytest

lint:
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

types:
	$(UV) run --frozen mypy

pytest:
	$(UV) run --frozen pytest

pytest-postgres:
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fulian} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} $(UV) run --frozen pytest

bench: venv
	$(UV) run --frozen python bench/portal_speed.py

messages:
	$(UV) run --frozen python manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --ignore=var --ignore=bench --ignore=tests
	cd fulian/locale/en/LC_MESSAGES && msgfmt --check -o django.mo django.po

clean:
	rm -rf var/ staticfiles/ .pytest_cache .mypy_cache .ruff_cache
