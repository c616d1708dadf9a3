"""Celery tasks of the plumbing package. Thin: call one function."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from kyb.retention import retention_purge


@shared_task(
    name="kyb.retention.purge",
    ignore_result=True,
    soft_time_limit=int(settings.RETENTION_TIME_BUDGET_SECONDS) + 60,
    time_limit=int(settings.RETENTION_TIME_BUDGET_SECONDS) + 90,
)
def retention() -> dict[str, int]:
    """Beat: delete rows past their retention, in batches, within the time budget."""
    return retention_purge()
