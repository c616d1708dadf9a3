#!/usr/bin/env bash
# `make test`: ruff, mypy, import contracts, makemigrations --check, then pytest against real PostgreSQL and
# Redis (the configured ones, or embedded ones under var/ when none is configured).
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin

eval "$($V/python scripts/devservices.py up)"
# Stop only the embedded services this run started (a running `make run` keeps its own).
if [ -n "$KYB_STARTED_SERVICES" ]; then
    # shellcheck disable=SC2064,SC2086  # expand now; a list of names
    trap "$V/python scripts/devservices.py down $KYB_STARTED_SERVICES" EXIT
fi
# Test-only secrets; real deployments set their own (see docs/configuration.md).
export SECRET_KEY="${SECRET_KEY:-test-only-secret-key-not-for-production-0123456789abcdef}"
export FIELD_ENCRYPTION_KEY="${FIELD_ENCRYPTION_KEY:-ZmFrZS10ZXN0LWtleS1mb3ItZmVybmV0LTMyYnl0ZXM=}"

echo "== ruff";       $V/ruff check . && $V/ruff format --check .
echo "== mypy";       $V/mypy .
echo "== imports";    $V/lint-imports --no-cache  # layering contracts: pyproject.toml
echo "== migrations"; $V/python manage.py makemigrations --check --dry-run
echo "== pytest";     $V/pytest -n "${PYTEST_WORKERS:-2}" "$@"
