"""The Celery app. Configuration lives in settings under the ``CELERY_`` namespace."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, cast

from celery import Celery
from celery.signals import (
    task_postrun,
    worker_init,
    worker_process_init,
    worker_process_shutdown,
)

from kyb.broker import guard_closed_transport, reuse_publish_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyb.settings")
# In multiprocess mode prometheus_client writes each metric to a file in this folder as soon as
# the metric is defined (at import); a missing folder would stop the worker from starting.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

logger = logging.getLogger("kyb.celery")
# One immediate retry re-opens a pooled connection that a broker restart left stale; more would
# only hold the caller (a request thread, on commit) while the broker is down.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}

guard_closed_transport()  # a lost broker must not stop the worker for good (kyb/broker.py)
reuse_publish_client()  # one Redis client per channel, not per message (kyb/broker.py)


class _Celery(Celery):
    def prepare_config(self, c: Any) -> Any:
        """The ``CELERY_`` settings as a plain dict, read once when Celery first needs them.

        Celery looks every option up under several spellings in each of its sources; against
        Django's settings object each miss raised and caught an AttributeError, dozens per
        published message (a sixth of the publish's CPU on the POST path). Settings do not
        change while a process runs.
        """
        from django.conf import settings

        names = (key for key in dir(settings) if key.startswith("CELERY_"))
        return super().prepare_config(cast(Any, {key: getattr(settings, key) for key in names}))


app = _Celery("kyb")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _preload(**kwargs: object) -> None:
    """Run the fork-safe loaders (kyb/warmup.py; the classifier) in the worker's main process,
    before the pool forks: every pool process, replacements included, inherits what they load
    (shared copy-on-write) instead of loading it itself."""
    from kyb.pg_backend.base import DatabaseWrapper
    from kyb.warmup import warm_up_run

    # Each pool process keeps its database pool across tasks (kyb/pg_backend/base.py).
    DatabaseWrapper.keep_pool = True
    warm_up_run(before_fork=True)


@worker_process_init.connect
def _warm_up(**kwargs: object) -> None:
    """Run every registered loader (the screening index; the classifier, if the main process
    could not) in a background thread when a pool process starts, so the first verification it
    runs is not the one that pays for it.

    It must not run inline: Celery kills a new pool process that has not reported up within
    ``worker_proc_alive_timeout``, and four replacements warming at once on a busy host took
    15 s. Inline warm-up turned "all pool processes killed" into an endless kill/respawn loop.
    The loaders hold a lock, so a task that arrives first waits for the same load instead of
    doing it twice."""
    threading.Thread(target=warm_up_now, name="kyb-warm-up", daemon=True).start()


def warm_up_now() -> None:
    """Load the heavy engines now. Best effort: a failure only means the first run loads them."""
    from kyb.warmup import warm_up_run

    try:
        warm_up_run()
    finally:
        from django.db import connection

        connection.close()  # this thread's own connection: nobody else would close it


@task_postrun.connect
def drop_interrupted_connections(**_: Any) -> None:
    """Close a database connection a task left mid-query.

    A soft time limit (or any exception) raised while psycopg waited on PostgreSQL leaves the
    connection ACTIVE: the query's answer is never read, and the next task of the process then
    failed on it ("can't change 'autocommit' now: connection ... ACTIVE", found by a QA pass
    that paused and resumed the workers). Celery's Django fixup asks Django to close unusable
    connections, but Django sees no error on this one. Closing hands it back to the pool, which
    discards it; the next query opens a fresh one."""
    from django.db import connections
    from psycopg.pq import TransactionStatus

    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is not None and raw.info.transaction_status == TransactionStatus.ACTIVE:
            logger.warning("closing database connection %r left mid-query by a task", conn.alias)
            try:
                conn.close()
            except Exception:  # closing must not fail the worker; the pool drops it either way
                logger.warning("closing connection %r failed", conn.alias, exc_info=True)


def publish(name: str, *, kwargs: dict[str, Any], queue: str | None = None) -> str | None:
    """Send a task whose result nobody reads; the message id, or ``None`` when the broker did
    not take it. Costs milliseconds when the broker is down: one connection attempt under the
    short ``CELERY_BROKER_CONNECTION_TIMEOUT``, one quick retry for a pooled connection that went
    stale on a broker restart, no retry loop, and never a result backend. Callers keep their
    work in an outbox that a beat task sends again."""
    try:
        with app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=0)
            result = app.send_task(
                name,
                kwargs=kwargs,
                queue=queue,
                producer=producer,
                ignore_result=True,
                retry=True,
                retry_policy=PUBLISH_RETRY_POLICY,
            )
    except Exception:  # broker down, whatever the error: the caller's outbox keeps the work
        logger.info("publish of %s deferred: broker unavailable", name, exc_info=True)
        return None
    return str(result.id)


@worker_init.connect
def _serve_metrics(**kwargs: object) -> None:
    """``CELERY_METRICS_PORT``: serve the pool processes' metrics (kyb/worker_metrics.py) on
    ``CELERY_METRICS_ADDR`` (all interfaces by default: a pod is scraped by its IP)."""
    port = int(os.environ.get("CELERY_METRICS_PORT") or 0)
    if port:
        from kyb.worker_metrics import serve

        serve(port, addr=os.environ.get("CELERY_METRICS_ADDR") or "0.0.0.0")  # noqa: S104


@worker_process_shutdown.connect
def _metrics_process_dead(pid: int | None = None, **kwargs: object) -> None:
    from kyb.worker_metrics import mark_dead

    mark_dead(pid or os.getpid())
