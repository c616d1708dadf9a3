"""Celery tasks of the verification engine. Thin: take ids or JSON, call one service.

Stable task names (other services call them with ``send_task``; docs/api.md "Internal submission"):
``kyb.verifications.submit``, ``kyb.verifications.run``, ``kyb.verifications.sweep``.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from kyb.queues import IDEMPOTENT_DB_TASK
from verifications.pipeline import pipeline_jobs_sweep, verification_run
from verifications.submissions import verification_submit


@shared_task(
    bind=True,
    name="kyb.verifications.run",
    ignore_result=True,  # nobody reads it: the verification row is the result
    **IDEMPOTENT_DB_TASK,
    soft_time_limit=settings.VERIFICATION_SOFT_TIME_LIMIT,
    time_limit=settings.VERIFICATION_TIME_LIMIT,
)
def run(self: Any, verification_id: str) -> str:
    """Run the checks of one verification and decide; returns the outcome or ``skipped``.
    Idempotent: a duplicate delivery finds the run claimed or decided and skips."""
    return verification_run(verification_id=verification_id, task_id=self.request.id)


@shared_task(
    bind=True,
    name="kyb.verifications.submit",
    # Internal callers may read the new verification's id when they configure a result backend
    # (CELERY_RESULT_BACKEND); without one it is dropped.
    ignore_result=False,
    **IDEMPOTENT_DB_TASK,
    soft_time_limit=20,
    time_limit=30,
)
def submit(
    self: Any,
    merchant: dict[str, Any],
    integrator: str,
    idempotency_key: str | None = None,
    priority: str = "bulk",
) -> str:
    """Internal submission: create the merchant and its verification; returns the verification
    id. Without ``idempotency_key`` the task id is the key, so a redelivered message (worker
    lost after commit) returns the same verification instead of creating a second one."""
    verification = verification_submit(
        integrator=integrator,
        merchant=merchant,
        idempotency_key=idempotency_key or f"task:{self.request.id}",
        priority=priority,
    )
    return str(verification.id)


@shared_task(name="kyb.verifications.sweep", ignore_result=True, soft_time_limit=50, time_limit=60)
def sweep() -> dict[str, int]:
    """Beat: re-enqueue lost or never-sent verification jobs, revive runs whose worker died."""
    result = pipeline_jobs_sweep()
    return {"requeued": result.requeued, "revived": result.revived, "dead": result.dead}
