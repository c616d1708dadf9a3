#!/usr/bin/env bash
# `make loadtest`: the configured (or embedded) PostgreSQL and Redis, then scripts/loadtest/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(.venv/bin/python scripts/devservices.py up)"
exec .venv/bin/python scripts/loadtest/run.py "$@"
