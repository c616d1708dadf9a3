"""Beat-driven monitoring tasks."""

from __future__ import annotations

from celery import shared_task

from monitoring.services import metrics_snapshot_take


@shared_task(name="kyb.monitoring.metrics_snapshot", soft_time_limit=30, time_limit=45)
def metrics_snapshot() -> int:
    """Snapshot key figures into monitoring_metrics; returns the number of rows written."""
    return len(metrics_snapshot_take())
