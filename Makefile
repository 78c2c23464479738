# Payesh — the two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# A Python >= 3.12: the one pyenv gives for .python-version, else the first found on PATH.
PYTHON_FOR_VENV := $(shell for c in "$$(pyenv which python3.12 2>/dev/null)" python3.14 python3.13 python3.12 \
	"$$HOME/.pyenv/versions/3.12.1/bin/python" python3; do \
	  if [ -n "$$c" ] && command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    command -v "$$c"; break; fi; done)

.PHONY: help venv demo test test-fast lint bench clean

help:
	@echo "make demo   build the demo data set and serve http://$(HOST):$(PORT)"
	@echo "make test   lint, type-check and run the whole test suite (SQLite; PostgreSQL too when reachable)"
	@echo "make lint   ruff and mypy only"
	@echo "make bench  benchmarks against the peers, measured in the same run"

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON_FOR_VENV)" ]; then \
	  echo "Payesh needs Python 3.12 or newer and none was found (tried pyenv, python3.14 … python3)."; \
	  echo "Install one, e.g. 'pyenv install 3.12' or 'apt-get install python3.12-venv', then re-run make."; exit 1; fi
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  echo "Creating $(VENV) with $(PYTHON_FOR_VENV)"; rm -rf $(VENV); $(PYTHON_FOR_VENV) -m venv $(VENV); fi
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev,spark]'
	@touch $@

venv: $(VENV)/.installed

demo: venv
	$(VENV)/bin/payesh demo --host $(HOST) --port $(PORT)

lint: venv
	$(VENV)/bin/ruff check payesh tests benchmarks
	$(VENV)/bin/mypy payesh
	$(VENV)/bin/lint-imports --no-cache

test: venv lint
	bash scripts/test.sh

bench: venv  ## BENCH_ROWS=2000000 make bench for a quick run
	$(PIP) install --quiet -e '.[dev,spark,bench]'
	bash scripts/bench.sh

clean:
	rm -rf var test-artifacts .pytest_cache .mypy_cache .ruff_cache

# Regenerate the Persian catalog after changing interface text (then translate the new entries).
messages: venv
	$(PY) manage.py makemessages -l fa --ignore=.venv --ignore=tests --ignore=benchmarks --no-obsolete
	$(PY) manage.py compilemessages -l fa
