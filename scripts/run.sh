#!/usr/bin/env bash
# `make run`: bring the whole platform up on this machine (web + worker + beat).
# Uses DATABASE_URL / REDIS_URL / CELERY_BROKER_URL when set; otherwise starts embedded
# PostgreSQL and Redis under var/. Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

eval "$($PY scripts/devservices.py up)"
export DEBUG="${DEBUG:-true}"
# Only gunicorn runs in Prometheus multiprocess mode (its config empties the folder at start).
PROM_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}"
unset PROMETHEUS_MULTIPROC_DIR
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8000}"

$PY manage.py migrate --no-input
$PY manage.py kyb_bootstrap
# DEMO=1: demo integrators, merchants and verifications in every state, and analyst logins.
if [ -n "${DEMO:-}" ]; then $PY manage.py seed_demo --skip-bootstrap; fi

pids=()
cleanup() {
    # Ignore further INT/TERM while cleaning up: make (or a process-group kill) delivers the
    # signal to us again, and dying here would leave the embedded PostgreSQL/Redis running.
    trap '' INT TERM
    trap - EXIT
    echo "stopping web, worker and beat..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    if [ -z "${KEEP_SERVICES:-}" ]; then $PY scripts/devservices.py down || true; fi
}
trap cleanup INT TERM EXIT

PROMETHEUS_MULTIPROC_DIR="$PROM_DIR" .venv/bin/gunicorn -c kyb/gunicorn_conf.py kyb.wsgi & pids+=($!)
# The worker serves its pool processes' metrics itself (kyb/worker_metrics.py).
PROMETHEUS_MULTIPROC_DIR="$PWD/var/prometheus-worker" CELERY_METRICS_PORT="${CELERY_METRICS_PORT:-9808}" \
    .venv/bin/celery -A kyb worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" \
    -Q verifications,bulk,webhooks,maintenance,default & pids+=($!)
mkdir -p var
.venv/bin/celery -A kyb beat --loglevel=INFO --schedule=var/celerybeat-schedule & pids+=($!)

echo
echo "KYB platform is up:"
echo "  API        http://${GUNICORN_BIND}/api/v1/      docs: http://${GUNICORN_BIND}/api/docs/"
echo "  admin      http://${GUNICORN_BIND}/admin/       (python manage.py createsuperuser; DEMO=1 seeds logins)"
echo "  health     http://${GUNICORN_BIND}/healthz  http://${GUNICORN_BIND}/readyz"
echo "  metrics    http://${GUNICORN_BIND}/metrics   worker: http://127.0.0.1:${CELERY_METRICS_PORT:-9808}/metrics"
echo "Ctrl-C stops everything."
wait -n "${pids[@]}"
