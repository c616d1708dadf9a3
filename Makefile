# The two commands: `make run` (run the platform) and `make test` (lint, types, tests).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test venv lint typecheck bench bench-classify bench-screen bench-pipeline bench-rescreen clean-services

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	scripts/run.sh

test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy .

# Benchmarks print their figures; they never run inside `make test` (no timing assertions).
bench: bench-classify bench-screen bench-pipeline

bench-classify: $(STAMP)
	scripts/bench.sh bench_classify

bench-screen: $(STAMP)
	scripts/bench.sh bench_screen

bench-pipeline: $(STAMP)
	scripts/bench.sh bench_pipeline

# Ongoing monitoring: 100,000 merchants x 2 people against a 500-entry list change (rolled back).
bench-rescreen: $(STAMP)
	scripts/bench.sh bench_rescreen

clean-services:
	$(PY) scripts/devservices.py down
