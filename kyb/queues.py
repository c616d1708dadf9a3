"""Celery queues, named in one place and routed by kind of work so each pool scales alone."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db import InterfaceError, OperationalError
from kombu import Queue as KombuQueue


class Queue(StrEnum):
    """Every queue a task may be routed to."""

    # Integrator-facing verifications: latency matters, scaled first.
    VERIFICATIONS = "verifications"
    # Bulk/batch verifications and internal submissions without a waiting caller.
    BULK = "bulk"
    # Outbound webhook deliveries: slow remote ends must not hold up verifications.
    WEBHOOKS = "webhooks"
    # Beat-driven housekeeping: sweeper, metric snapshots.
    MAINTENANCE = "maintenance"
    DEFAULT = "default"


CELERY_TASK_QUEUES = tuple(KombuQueue(q.value, routing_key=q.value) for q in Queue)


# Only what is transient is retried: the database or its pool briefly unavailable.
TRANSIENT = (OperationalError, InterfaceError)
# The delivery and retry options of an idempotent task that touches the database: acknowledged
# after it ran (a lost worker's message is delivered again), transient errors retried with
# exponential backoff, a cap and jitter. Spread into ``shared_task(...)``. Celery's jitter is
# "full" (each wait anywhere from 0 to its backoff): five retries (2..32 s) spent 31 s on average
# and ran out during a 45-s outage; eight (2..32, then 60, 60, 60 s) wait 121 s on average and
# 242 s at most, so a restart of PostgreSQL is bridged and the sweeper is the fallback.
IDEMPOTENT_DB_TASK: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "max_retries": 8,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}
