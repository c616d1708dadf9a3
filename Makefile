# The two commands: `make run` (run the platform) and `make test` (lint, types, tests).
# `make manage ARGS="..."` runs manage.py against make run's services from any shell.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run manage test venv lint typecheck bench bench-classify bench-screen bench-reference bench-pipeline bench-rescreen bench-batch bench-api bench-memory loadtest clean-services

$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	scripts/run.sh

# e.g. make -s manage ARGS="create_api_key --integrator Acme" (the key is the last line)
manage: $(STAMP)
	@scripts/manage.sh $(ARGS)

test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy .

# Benchmarks print their figures; they never run inside `make test` (no timing assertions).
bench: bench-classify bench-screen bench-pipeline

bench-classify: $(STAMP)
	scripts/bench.sh bench_classify

bench-screen: $(STAMP)
	scripts/bench.sh bench_screen

# The same real name pairs scored by OpenSanctions' nomenklatura matchers, in a virtualenv of
# their own (docs/screening.md, "A reference matcher").
REF_VENV := .venv-reference
$(REF_VENV)/.installed: requirements-reference.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=...)"; exit 1; }
	test -x $(REF_VENV)/bin/python || $(PYTHON) -m venv $(REF_VENV)
	$(REF_VENV)/bin/python -m pip install --quiet -r requirements-reference.txt
	touch $@

bench-reference: $(REF_VENV)/.installed
	$(REF_VENV)/bin/python scripts/bench_reference.py $(ARGS)

bench-pipeline: $(STAMP)
	scripts/bench.sh bench_pipeline

# In-process CPU per API request as a multiple of /healthz (production settings, DEBUG off).
bench-api: $(STAMP)
	PIPELINE_PUBLISH=$${PIPELINE_PUBLISH:-relay} DEBUG=false SECRET_KEY="$${SECRET_KEY:-bench-only-$$(openssl rand -hex 24)}" \
	FIELD_ENCRYPTION_KEY="$${FIELD_ENCRYPTION_KEY:-ZmFrZS10ZXN0LWtleS1mb3ItZmVybmV0LTMyYnl0ZXM=}" \
	SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=localhost scripts/bench.sh bench_api $(ARGS)

# RSS of one worker process, stage by stage: boot, classifier in use, screening index in use,
# then after 20,000 names screened and 5,000 businesses classified (ARGS="--names N").
bench-memory: $(STAMP)
	MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 \
	DEBUG=false SECRET_KEY="$${SECRET_KEY:-bench-only-$$(openssl rand -hex 24)}" \
	FIELD_ENCRYPTION_KEY="$${FIELD_ENCRYPTION_KEY:-ZmFrZS10ZXN0LWtleS1mb3ItZmVybmV0LTMyYnl0ZXM=}" \
	SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=localhost scripts/bench.sh bench_memory $(ARGS)

# The plan's load scenarios through nginx + gunicorn (needs wrk and nginx: see docs/benchmarks.md).
loadtest: $(STAMP)
	scripts/loadtest.sh

# Ongoing monitoring: 100,000 merchants x 2 people against a 500-entry list change (rolled back).
bench-rescreen: $(STAMP)
	scripts/bench.sh bench_rescreen

# Accept and decide one 10,000-item batch (docs/batches.md); ARGS="--items 1000" for a quick one.
bench-batch: $(STAMP)
	scripts/bench.sh bench_batch $(ARGS)

# Stop the embedded PostgreSQL and Redis (make run stops those it started; this stops any).
clean-services:
	$(PY) scripts/devservices.py down
