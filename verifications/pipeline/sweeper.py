"""The sweeper (beat, every ``PIPELINE_SWEEP_INTERVAL`` s): nothing accepted is ever lost.

- ``queued`` jobs never handed to the broker (it was down at commit) for
  ``PIPELINE_SWEEP_QUEUED_AFTER`` s, or handed over ``PIPELINE_SWEEP_ENQUEUED_AFTER`` s ago and
  still not picked up while their queue is empty (message lost, e.g. Redis restarted without
  persistence): enqueue again. A job behind a backlog is left alone.
  Duplicate messages are harmless: the run's claim lets only one through.
- ``running`` jobs started more than ``PIPELINE_SWEEP_RUNNING_AFTER`` s ago (above the task's hard
  time limit, so the worker is certainly gone and Celery did not redeliver): the verification goes
  back to ``pending`` (audited) and the job is enqueued again. After
  ``PIPELINE_JOB_MAX_ATTEMPTS`` attempts the job is ``dead`` and the verification ``error``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from verifications import metrics
from verifications.models import (
    BusinessVerification,
    JobKind,
    JobStatus,
    PipelineJob,
    VerificationStatus,
)
from verifications.pipeline.run import job_give_up
from verifications.services import pipeline_job_enqueue, verification_transition

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    revived: int
    dead: int


def broker_queue_depth(queue: str) -> int | None:
    """Messages waiting in ``queue`` on the broker, or None if it cannot be asked."""
    from kyb.celery import app

    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=0)  # broker down: fail fast, send again
            channel: Any = connection.default_channel  # kombu's stubs lack queue_declare
            declared = channel.queue_declare(queue=queue, passive=True)
            return int(declared.message_count)
    except Exception:  # unknown depth: behave as before (send again)
        logger.warning("sweeper: cannot read the depth of queue %s", queue, exc_info=True)
        return None


def _sweep_queued(now: datetime) -> int:
    never_sent = Q(
        enqueued_at__isnull=True,
        created_at__lt=now - timedelta(seconds=settings.PIPELINE_SWEEP_QUEUED_AFTER),
    )
    lost = Q(enqueued_at__lt=now - timedelta(seconds=settings.PIPELINE_SWEEP_ENQUEUED_AFTER))
    jobs = PipelineJob.objects.filter(
        never_sent | lost, kind=JobKind.VERIFICATION, status=JobStatus.QUEUED
    ).order_by("created_at")[: settings.PIPELINE_SWEEP_BATCH]
    count = 0
    depths: dict[str, int | None] = {}
    for job in jobs:
        if job.enqueued_at is not None:
            if job.queue not in depths:
                depths[job.queue] = broker_queue_depth(job.queue)
            if depths[job.queue]:
                # Messages are waiting in its queue: the job's is most likely one of them, behind
                # a backlog. Sending another would only lengthen the backlog (one more message
                # every PIPELINE_SWEEP_ENQUEUED_AFTER); lost messages leave an empty queue.
                continue
        if not pipeline_job_enqueue(job=job):
            logger.warning(
                "sweeper: broker unavailable, %s queued job(s) wait for the next sweep",
                len(jobs) - count,
            )
            break
        count += 1
    metrics.JOBS_SWEPT.labels(action="requeued").inc(count)
    return count


def _revive(job_id: int, now: datetime) -> str | None:
    """Reset one stale running job under locks; ``revived``/``dead``, or None if it moved on."""
    cutoff = now - timedelta(seconds=settings.PIPELINE_SWEEP_RUNNING_AFTER)
    with transaction.atomic():
        job = (
            PipelineJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, status=JobStatus.RUNNING, started_at__lt=cutoff)
            .first()
        )
        if job is None:
            return None
        verification = BusinessVerification.objects.select_for_update().get(pk=job.subject_id)
        if job.attempts >= settings.PIPELINE_JOB_MAX_ATTEMPTS:
            job_give_up(
                job=job,
                verification=verification,
                reason=f"worker lost on all {job.attempts} attempts",
            )
            return "dead"
        if verification.status == VerificationStatus.PROCESSING:
            verification_transition(
                verification_id=verification.pk,
                to_status=VerificationStatus.PENDING,
                reason=(
                    f"no result {settings.PIPELINE_SWEEP_RUNNING_AFTER}s after attempt "
                    f"{job.attempts} started (worker lost); re-enqueued"
                ),
            )
        job.status = JobStatus.QUEUED
        job.task_id = ""
        job.save(update_fields=["status", "task_id", "updated_at"])
        transaction.on_commit(lambda: pipeline_job_enqueue(job=job))
    return "revived"


def pipeline_jobs_sweep(*, now: datetime | None = None) -> SweepResult:
    """One sweep over both kinds of stuck jobs (bounded by ``PIPELINE_SWEEP_BATCH`` each)."""
    now = now or timezone.now()
    requeued = _sweep_queued(now)
    cutoff = now - timedelta(seconds=settings.PIPELINE_SWEEP_RUNNING_AFTER)
    stale = list(
        PipelineJob.objects.filter(
            kind=JobKind.VERIFICATION, status=JobStatus.RUNNING, started_at__lt=cutoff
        )
        .order_by("started_at")
        .values_list("pk", flat=True)[: settings.PIPELINE_SWEEP_BATCH]
    )
    actions = [_revive(pk, now) for pk in stale]
    revived, dead = actions.count("revived"), actions.count("dead")
    metrics.JOBS_SWEPT.labels(action="revived").inc(revived)
    metrics.JOBS_SWEPT.labels(action="dead").inc(dead)
    if requeued or revived or dead:
        logger.info("sweeper: requeued %s, revived %s, dead %s", requeued, revived, dead)
    return SweepResult(requeued=requeued, revived=revived, dead=dead)
