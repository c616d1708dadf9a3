"""Prometheus metrics of Celery workers: an HTTP endpoint in the worker's main process.

The checks, the pipeline and the outbound client record their metrics where they run, in the
prefork pool processes. With ``PROMETHEUS_MULTIPROC_DIR`` set (the Dockerfile and the k8s config
set it) every pool process writes its samples to files there; with ``CELERY_METRICS_PORT`` set
the worker's main process serves the sum of them at ``http://<pod>:<port>/metrics``, the way
``/metrics`` does for gunicorn's workers. Off by default (port 0).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)


def _pid_of(metric_file: Path) -> int | None:
    """``counter_1234.db`` -> 1234 (prometheus_client's multiprocess file names)."""
    tail = metric_file.stem.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else None


def clear_stale_files(path: Path) -> int:
    """Remove files of earlier processes (a restarted container keeps its /tmp): their
    counters would be summed forever. Files of this process stay. Returns how many went."""
    removed = 0
    for metric_file in path.glob("*.db"):
        if _pid_of(metric_file) != os.getpid():
            metric_file.unlink(missing_ok=True)
            removed += 1
    return removed


def serve(port: int, *, addr: str = "0.0.0.0") -> bool:  # noqa: S104  (a pod's metrics port)
    """Start the endpoint in a daemon thread of this (the worker's main) process. Never raises:
    metrics must not stop a worker from starting. Returns whether it is serving."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if not directory:
        logger.error("CELERY_METRICS_PORT is set but PROMETHEUS_MULTIPROC_DIR is not: no metrics")
        return False
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
        clear_stale_files(path)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(path))
        from kyb.process_metrics import ProcessesCollector

        registry.register(ProcessesCollector(str(path)))
        start_http_server(port, addr=addr, registry=registry)
    except OSError:
        logger.exception("worker metrics endpoint not started on port %s", port)
        return False
    logger.info("worker metrics on http://%s:%s/metrics", addr, port)
    return True


def mark_dead(pid: int) -> None:
    """A pool process exits: drop its live-gauge files (counters and histograms stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
