#!/usr/bin/env bash
# `make run`: bring the whole platform up on this machine (web + worker + beat).
# Uses DATABASE_URL / REDIS_URL / CELERY_BROKER_URL when set; otherwise starts embedded
# PostgreSQL and Redis under var/. Ctrl-C stops everything this script started, and only that.
#
# While it runs, var/run/run.env holds the exports a second shell needs (`source var/run/run.env`,
# or `make manage ARGS="..."`, which reads it); it is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RUN_DIR=var/run
LOCK="$RUN_DIR/make-run.pid"
RUN_ENV="$RUN_DIR/run.env"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8000}"
# As deployed: a POST commits and returns, beat's outbox relay sends the job (docs/pipeline.md).
export PIPELINE_PUBLISH="${PIPELINE_PUBLISH:-relay}"
METRICS_PORT="${CELERY_METRICS_PORT:-9808}"

fail() { echo "make run: $*" >&2; exit 1; }

# --- refuse early: one make run per checkout, and free ports --------------------------------
mkdir -p "$RUN_DIR"
if ! (set -o noclobber; echo $$ >"$LOCK") 2>/dev/null; then
    other=$(cat "$LOCK" 2>/dev/null || true)
    if [ -n "$other" ] && ps -p "$other" -o command= 2>/dev/null | grep -q "run.sh"; then
        fail "another make run (pid $other) is already running in this checkout; use it (source $RUN_ENV in this shell) or stop it first"
    fi
    rm -f "$LOCK"  # stale: its make run died without cleaning up
    (set -o noclobber; echo $$ >"$LOCK") 2>/dev/null || fail "another make run is starting; try again"
fi
started_services=""
pids=()
declare -A component=()
cleaned=""
cleanup() {
    [ -n "$cleaned" ] && return
    cleaned=1
    # Ignore further INT/TERM while cleaning up: make delivers the signal to us again, and
    # dying here would leave the embedded PostgreSQL/Redis running.
    trap '' INT TERM
    if [ ${#pids[@]} -gt 0 ]; then
        echo "stopping web, worker and beat..."
        kill "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
    # Only what this run started: services another run or `make test` started stay up.
    if [ -n "$started_services" ] && [ -z "${KEEP_SERVICES:-}" ]; then
        # shellcheck disable=SC2086  # a list of names
        $PY scripts/devservices.py down $started_services || true
    fi
    rm -f "$RUN_ENV" "$LOCK" "$RUN_DIR"/celerybeat-schedule*
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

$PY scripts/devservices.py port-free "$GUNICORN_BIND" ||
    fail "GUNICORN_BIND $GUNICORN_BIND is in use (another make run in another checkout?); choose another, e.g. GUNICORN_BIND=127.0.0.1:8001 make run"
if [ "$METRICS_PORT" != "0" ]; then
    $PY scripts/devservices.py port-free "127.0.0.1:$METRICS_PORT" ||
        fail "CELERY_METRICS_PORT $METRICS_PORT is in use; choose another (CELERY_METRICS_PORT=9809) or 0 to turn the worker's metrics off"
fi

# --- services, then the env file a second shell sources -------------------------------------
eval "$($PY scripts/devservices.py up)"
started_services="$KYB_STARTED_SERVICES"
export DEBUG="${DEBUG:-true}"
(
    umask 077
    {
        echo "# Written by make run (pid $$) for a second shell; removed when it stops."
        for name in DATABASE_URL REDIS_URL CELERY_BROKER_URL CACHE_KEY_PREFIX CACHE_VERSION DEBUG; do
            if [ -n "${!name:-}" ]; then printf 'export %s=%q\n' "$name" "${!name}"; fi
        done
        printf 'export KYB_API=%q\n' "http://$GUNICORN_BIND"
    } >"$RUN_ENV"
)

# Only gunicorn runs in Prometheus multiprocess mode (its config empties the folder at start).
PROM_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}"
unset PROMETHEUS_MULTIPROC_DIR

$PY manage.py migrate --no-input
$PY manage.py kyb_bootstrap
# DEMO=1: demo integrators, merchants and verifications in every state, and analyst logins.
if [ -n "${DEMO:-}" ]; then $PY manage.py seed_demo --skip-bootstrap; fi

start() {  # start NAME COMMAND...: run it in the background, remembered by name
    local name=$1
    shift
    "$@" &
    pids+=($!)
    component[$!]=$name
}
# Job control while starting them: each component gets its own process group, so a Ctrl-C
# reaches only this script, which stops them itself (and does not take their exit for a crash).
set -m
start "web (gunicorn)" env PROMETHEUS_MULTIPROC_DIR="$PROM_DIR" \
    .venv/bin/gunicorn -c kyb/gunicorn_conf.py kyb.wsgi
# The worker serves its pool processes' metrics itself (kyb/worker_metrics.py).
start "Celery worker" env PROMETHEUS_MULTIPROC_DIR="$PWD/var/prometheus-worker" \
    CELERY_METRICS_PORT="$METRICS_PORT" CELERY_METRICS_ADDR=127.0.0.1 \
    .venv/bin/celery -A kyb worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" \
    -Q verifications,bulk,webhooks,maintenance,default
# A fresh beat schedule each run: it only records when periodic tasks last ran, and a file left
# by a killed run (dbm) can be corrupt and stop beat at start.
rm -f "$RUN_DIR"/celerybeat-schedule*
start "Celery beat" .venv/bin/celery -A kyb beat --loglevel=INFO \
    --schedule="$RUN_DIR/celerybeat-schedule"
set +m

# The banner means "ready": the web answers /readyz and a warmed-up worker process answered.
echo "waiting for the web and a warmed-up worker (it loads the classifier and watchlists)..."
$PY scripts/wait_ready.py "http://${GUNICORN_BIND}" || echo "make run: not ready yet; see the log above" >&2

echo
echo "KYB platform is up:"
echo "  API        http://${GUNICORN_BIND}/api/v1/      docs: http://${GUNICORN_BIND}/api/docs/"
echo "  admin      http://${GUNICORN_BIND}/admin/       (make manage ARGS=createsuperuser; DEMO=1 seeds logins)"
echo "  health     http://${GUNICORN_BIND}/healthz  http://${GUNICORN_BIND}/readyz"
echo "  metrics    http://${GUNICORN_BIND}/metrics   worker: http://127.0.0.1:${METRICS_PORT}/metrics"
echo "  2nd shell  source $RUN_ENV    (or make manage ARGS=\"create_api_key --integrator Acme\")"
echo "Ctrl-C stops everything."

set +e
wait -n -p died "${pids[@]}"
status=$?
set -e
echo >&2
echo "make run: ${component[$died]:-a component} (pid $died) stopped with exit status $status;" \
    "its log is above. Stopping the rest." >&2
exit 1
