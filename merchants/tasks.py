"""Beat-driven merchant tasks."""

from __future__ import annotations

from celery import shared_task

from merchants.erasure import merchant_erasures_purge


@shared_task(name="kyb.merchants.purge_erased", soft_time_limit=300, time_limit=360)
def purge_erased() -> int:
    """Delete erased merchants' skeletons past ERASURE_RETENTION_DAYS; returns how many."""
    return merchant_erasures_purge()
