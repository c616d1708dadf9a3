"""Retention: tables that only grow (metric snapshots, idempotency records, verification events,
webhook attempts) are trimmed by one beat task, in bounded batches.

Each app registers the purge of its own table at ``ready()`` (this module imports no domain
app): the table's name, the setting that holds its retention in days (0 keeps rows forever) and
a function returning the rows older than a cutoff, oldest first, in an order an index serves.
``retention_purge`` deletes them ``RETENTION_BATCH_SIZE`` rows per statement (each its own
transaction, so locks and WAL stay small and replicas keep up), table after table, until none
is left or ``RETENTION_TIME_BUDGET_SECONDS`` is spent; the next run continues. Deleted rows are
counted in ``kyb_retention_rows_deleted_total{table}``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from prometheus_client import Counter

logger = logging.getLogger(__name__)

ROWS_DELETED = Counter(
    "kyb_retention_rows_deleted_total",
    "Rows deleted by the retention task, by table.",
    ["table"],
)


@dataclass(frozen=True, slots=True)
class Purge:
    table: str
    days_setting: str
    rows_before: Callable[[datetime], QuerySet[Any]]

    def cutoff(self, now: datetime) -> datetime | None:
        days = float(getattr(settings, self.days_setting))
        return None if days <= 0 else now - timedelta(days=days)


_purges: dict[str, Purge] = {}


def register(
    table: str, *, days_setting: str, rows_before: Callable[[datetime], QuerySet[Any]]
) -> None:
    """Purge ``table``'s rows older than ``settings.<days_setting>`` days (idempotent)."""
    _purges[table] = Purge(table, days_setting, rows_before)


def _delete_batch(rows: QuerySet[Any], size: int) -> int:
    """One ``DELETE ... WHERE pk IN (SELECT pk ... LIMIT size)`` statement."""
    model = rows.model
    _, per_model = model._base_manager.filter(pk__in=rows.values("pk")[:size]).delete()
    return per_model.get(model._meta.label, 0)


def retention_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past retention in every registered table; rows deleted per table."""
    now = now or timezone.now()
    size = max(1, settings.RETENTION_BATCH_SIZE)
    deadline = time.monotonic() + settings.RETENTION_TIME_BUDGET_SECONDS
    deleted: dict[str, int] = {}
    for purge in list(_purges.values()):
        cutoff = purge.cutoff(now)
        if cutoff is None:
            continue
        rows = purge.rows_before(cutoff)
        total = 0
        while time.monotonic() < deadline:
            batch = _delete_batch(rows, size)
            total += batch
            ROWS_DELETED.labels(table=purge.table).inc(batch)
            if batch < size:
                break
        deleted[purge.table] = total
        if total:
            logger.info("retention: %s rows deleted from %s", total, purge.table)
    return deleted


def idempotency_records_before(cutoff: datetime) -> QuerySet[Any]:
    """The plumbing's own table: idempotency records older than ``cutoff``, never one still
    inside ``IDEMPOTENCY_TTL`` (a retry may still replay it)."""
    from kyb.models import IdempotencyRecord

    ttl_cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL)
    oldest_first = IdempotencyRecord.objects.order_by("created_at")
    return oldest_first.filter(created_at__lt=min(cutoff, ttl_cutoff))
