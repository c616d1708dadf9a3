#!/usr/bin/env bash
# `make manage ARGS="..."`: manage.py against the services of the running `make run` (from its
# var/run/run.env), or, with none running, against the configured or embedded services with
# make run's defaults (DEBUG=true), so it works on a fresh clone with nothing configured.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_ENV="${KYB_RUN_ENV:-var/run/run.env}"
if [ -f "$RUN_ENV" ]; then
    # shellcheck disable=SC1090  # written by scripts/run.sh
    . "$RUN_ENV"
else
    eval "$(.venv/bin/python scripts/devservices.py up)"
    if [ -n "$KYB_STARTED_SERVICES" ]; then
        echo "make manage: started embedded $KYB_STARTED_SERVICES; make clean-services stops them" >&2
    fi
    export DEBUG="${DEBUG:-true}"
fi
exec .venv/bin/python manage.py "$@"
