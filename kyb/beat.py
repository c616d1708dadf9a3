"""The beat schedule: periodic tasks and how often they run."""

from __future__ import annotations

from typing import Any

from kyb.env import env_float
from kyb.queues import Queue

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "monitoring-metrics-snapshot": {
        "task": "kyb.monitoring.metrics_snapshot",
        "schedule": 60.0,
        "options": {"queue": Queue.MAINTENANCE.value, "expires": 55},
    },
    # Webhook retries on their backoff schedule, and deliveries whose message was lost.
    "webhooks-dispatch-due": {
        "task": "kyb.webhooks.dispatch_due",
        "schedule": 15.0,
        "options": {"queue": Queue.WEBHOOKS.value, "expires": 14},
    },
    # Erased merchants' skeletons past ERASURE_RETENTION_DAYS (merchants.erasure).
    "merchants-purge-erased": {
        "task": "kyb.merchants.purge_erased",
        "schedule": 86400.0,
        "options": {"queue": Queue.MAINTENANCE.value, "expires": 3600},
    },
    # Rows past their retention (kyb/retention.py): metric snapshots, idempotency records,
    # verification events, webhook attempts; bounded batches within a time budget.
    "retention-purge": {
        "task": "kyb.retention.purge",
        "schedule": env_float("RETENTION_INTERVAL", 3600.0),
        "options": {"queue": Queue.MAINTENANCE.value, "expires": 1800},
    },
    # Re-enqueue verification jobs the broker never took or a dead worker dropped.
    "verifications-sweep": {
        "task": "kyb.verifications.sweep",
        "schedule": env_float("PIPELINE_SWEEP_INTERVAL", 30.0),
        "options": {"queue": Queue.MAINTENANCE.value, "expires": 25},
    },
    # Re-send the fan-out of batches whose materialisation stalled (docs/batches.md).
    "batches-sweep": {
        "task": "kyb.batches.sweep",
        "schedule": 60.0,
        "options": {"queue": Queue.MAINTENANCE.value, "expires": 55},
    },
    # Official sanctions lists: conditional download, validate, load (docs/screening-lists.md).
    "screening-refresh-watchlists": {
        "task": "kyb.screening.refresh_watchlists",
        "schedule": env_float("SCREENING_REFRESH_INTERVAL", 86400.0),
        "options": {"queue": Queue.MAINTENANCE.value, "expires": 3600},
    },
}
