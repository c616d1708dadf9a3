"""Celery tasks of the screening app: thin wrappers around services (contract: JSON kwargs)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from screening import fetchers, services

logger = logging.getLogger(__name__)


@shared_task(
    name="kyb.screening.refresh_watchlists",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def refresh_watchlists(sources: list[str] | None = None) -> dict[str, Any]:
    """Beat (``SCREENING_REFRESH_INTERVAL``): fetch each official list, load what changed, then
    re-screen any list change whose re-screen never ran (a lost message)."""
    outcomes = {}
    for source in sources or fetchers.refresh_sources():
        outcomes[source] = fetchers.watchlist_refresh(source=source).outcome
    for change_id in services.watchlist_changes_pending():
        services.watchlist_change_rescreen(change_id=change_id)
    return outcomes


@shared_task(
    name=services.RESCREEN_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1800,
    time_limit=1900,
)
def rescreen_change(change_id: int) -> int | None:
    """Re-screen active merchants against one list change (idempotent: runs once per change)."""
    return services.watchlist_change_rescreen(change_id=change_id)
