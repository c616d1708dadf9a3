"""The beat schedule: periodic tasks and how often they run."""

from __future__ import annotations

from typing import Any

from kyb.queues import Queue

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "monitoring-metrics-snapshot": {
        "task": "kyb.monitoring.metrics_snapshot",
        "schedule": 60.0,
        "options": {"queue": Queue.MAINTENANCE.value, "expires": 55},
    },
}
