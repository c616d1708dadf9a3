"""gunicorn configuration: ``gunicorn -c kyb/gunicorn_conf.py kyb.wsgi``.

gthread workers: the app is I/O-bound (PostgreSQL, Redis) and each thread holds at most one
pooled DB connection, so GUNICORN_THREADS must not exceed DB_POOL_MAX_SIZE.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gthread by measurement: behind the front, sync workers (GUNICORN_WORKER_CLASS=sync, 3 or 4 of
# them) served the same mix and 5-15 % fewer cached GETs, since nginx must then open a connection
# per request (docs/benchmarks.md, 2026-12-03). Threads default to 1 for any other class.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Two threads, by measurement (docs/benchmarks.md, 2026-12-02): against four, the same closed-loop
# and POST throughput through the front (the GIL runs one at a time either way) and a web worker
# 5-6 MB lighter after screening and classifying, since fewer requests are in flight at once.
threads = int(os.environ.get("GUNICORN_THREADS", "2" if worker_class == "gthread" else "1"))
# Worker recycling is off by default, by measurement (docs/benchmarks.md): at 2,000 a worker
# restarted every few seconds under load, each boot cost ~0.9 CPU-s, and RSS stayed flat over a
# whole load test without it. Set GUNICORN_MAX_REQUESTS (with its jitter) if a leak shows up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# "-" (stdout) unless GUNICORN_ACCESS_LOG says otherwise; empty turns it off, as docker-compose.yml
# does behind the front, which logs every request itself (deploy/nginx/kyb.conf).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The access log must not carry PII: GET /api/v1/merchants?tax_id=... is a search by tax id.
logger_class = "kyb.access_log.RedactingLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 24+ opens a control socket under $HOME by default: two servers on one machine would
# fight over it, and a read-only container home makes it fail. Signals are our control interface.
control_socket_disable = True

# Prometheus multiprocess mode: every worker writes its samples to files in this folder and
# /metrics aggregates them, so a scrape sees all workers, not whichever one answered.
PROMETHEUS_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", str(Path(__file__).resolve().parent.parent / "var" / "prometheus")
)


def on_starting(server: Any) -> None:
    """Start from an empty metrics folder: files of dead processes from a previous run would
    otherwise be summed forever."""
    shutil.rmtree(PROMETHEUS_DIR, ignore_errors=True)
    os.makedirs(PROMETHEUS_DIR, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
