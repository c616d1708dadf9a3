"""Celery tasks of batches, all on the bulk queue (settings.CELERY_TASK_ROUTES) except the
sweeper. Thin: take ids or JSON, call one service. Every one is idempotent, so at-least-once
delivery (``acks_late``) is safe.

Stable task names (docs/batches.md "Internal submission"): ``kyb.batches.submit``; internal
ones: ``kyb.batches.fan_out``, ``kyb.batches.materialize``, ``kyb.batches.sweep``.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from batches.services import (
    batch_chunk_materialize,
    batch_fan_out,
    batch_submit,
    batch_sweep,
)
from kyb.queues import IDEMPOTENT_DB_TASK as RELIABLE


@shared_task(
    name="kyb.batches.fan_out", ignore_result=True, soft_time_limit=50, time_limit=60, **RELIABLE
)
def fan_out(batch_id: str) -> int:
    """Send one ``kyb.batches.materialize`` per chunk that still has accepted items."""
    return batch_fan_out(batch_id=batch_id)


@shared_task(
    name="kyb.batches.materialize",
    ignore_result=True,
    soft_time_limit=110,
    time_limit=120,
    **RELIABLE,
)
def materialize(batch_id: str, start: int, stop: int) -> int:
    """Create the merchants, verifications and jobs of items ``start <= index < stop`` and
    enqueue their runs; a second delivery finds them done and creates nothing."""
    return batch_chunk_materialize(batch_id=batch_id, start=start, stop=stop)


@shared_task(
    bind=True,
    name="kyb.batches.submit",
    # Internal callers may read the batch id when they configure a result backend.
    ignore_result=False,
    soft_time_limit=110,
    time_limit=120,
    **RELIABLE,
)
def submit(
    self: Any, items: list[Any], integrator: str, idempotency_key: str | None = None
) -> dict[str, Any]:
    """Internal batch submission: the API's items and rules; returns ``{"batch_id", "invalid":
    [{"index", "error"}]}``. Without ``idempotency_key`` the task id is the key, so a
    redelivered message returns the same batch instead of creating a second one."""
    batch, errors = batch_submit(
        integrator=integrator,
        items=items,
        idempotency_key=idempotency_key or f"task:{self.request.id}",
    )
    return {"batch_id": str(batch.id), "invalid": errors[:1000]}


@shared_task(name="kyb.batches.sweep", ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep() -> int:
    """Beat: send the fan-out again for batches whose materialisation stalled."""
    return batch_sweep()
