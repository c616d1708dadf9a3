"""Celery queues, named in one place and routed by kind of work so each pool scales alone."""

from __future__ import annotations

from enum import StrEnum

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
