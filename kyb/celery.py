"""The Celery app. Configuration lives in settings under the ``CELERY_`` namespace."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_process_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyb.settings")
# In multiprocess mode prometheus_client writes each metric to a file in this folder as soon as
# the metric is defined (at import); a missing folder would stop the worker from starting.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

app = Celery("kyb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _warm_up(**kwargs: object) -> None:
    """Load the classifier and build the screening index when a pool process starts, so the
    first verification it runs is not the one that pays ~3 s for it. Best effort: a failure
    here only means the first run builds them itself."""
    import logging

    try:
        from classifications.engine import get_classifier
        from screening.engine import current_index

        get_classifier()
        current_index()
    except Exception:  # warm-up must never stop a worker from starting
        logging.getLogger("kyb.celery").warning("warm-up skipped", exc_info=True)


@worker_init.connect
def _serve_metrics(**kwargs: object) -> None:
    """``CELERY_METRICS_PORT``: serve the pool processes' metrics (kyb/worker_metrics.py)."""
    port = int(os.environ.get("CELERY_METRICS_PORT") or 0)
    if port:
        from kyb.worker_metrics import serve

        serve(port)


@worker_process_shutdown.connect
def _metrics_process_dead(pid: int | None = None, **kwargs: object) -> None:
    from kyb.worker_metrics import mark_dead

    mark_dead(pid or os.getpid())
