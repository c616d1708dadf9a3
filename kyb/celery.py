"""The Celery app. Configuration lives in settings under the ``CELERY_`` namespace."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyb.settings")

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
