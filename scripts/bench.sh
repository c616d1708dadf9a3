#!/usr/bin/env bash
# `make bench-*`: run one benchmark command against the configured (or embedded) services.
# Usage: scripts/bench.sh <manage.py command> [args...]
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(.venv/bin/python scripts/devservices.py up)"
export DEBUG="${DEBUG:-true}"
.venv/bin/python manage.py migrate --no-input -v 0
exec .venv/bin/python manage.py "$@"
