"""The outbox relay: sends new verification jobs from the outbox table to the broker.

With ``PIPELINE_PUBLISH=relay`` a POST writes its verification and its job (``pipeline_jobs``,
``queued``, never sent) in one transaction and returns; nothing in the request talks to the
broker. The relay looks for unsent jobs every ``PIPELINE_RELAY_INTERVAL`` seconds and sends them,
each under the trace of the request that wrote it. It runs as a thread of ``celery beat`` (one
per deployment, like the schedule) or standalone (``manage.py relay_jobs``); several relays may
run at once: each takes the jobs the others have not locked.

Nothing is lost if it stops: the sweeper sends jobs left unsent for
``PIPELINE_SWEEP_QUEUED_AFTER`` seconds, as it always has for a broker that was down at commit.
A job is marked sent (its message id, ``enqueued_at``) in the transaction that locked it, after
the broker took the message; a worker that receives the message first waits on that lock, and
a relay that dies before committing leaves the jobs unsent for the next pass (the message may
then go twice: the run's claim lets one through).
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone

from kyb.tracing import trace_resumed
from verifications import metrics
from verifications.models import JobKind, JobStatus, PipelineJob
from verifications.services import pipeline_job_enqueue

logger = logging.getLogger(__name__)

# The sent jobs' message ids and send time, by id.
_MARK_SENT = (
    'UPDATE "pipeline_jobs" AS j SET "task_id" = v.task_id, "enqueued_at" = %s'
    " FROM unnest(%s::bigint[], %s::text[]) AS v(id, task_id) WHERE j.id = v.id"
)


def pipeline_jobs_relay(*, limit: int | None = None) -> int:
    """Send up to ``limit`` (``PIPELINE_RELAY_BATCH``) unsent verification jobs, oldest first;
    how many the broker took. Stops at the first refusal (broker down): those left stay unsent
    for the next pass, or the sweeper."""
    limit = limit or settings.PIPELINE_RELAY_BATCH
    with transaction.atomic():
        jobs = list(
            PipelineJob.objects.select_for_update(skip_locked=True)
            .filter(kind=JobKind.VERIFICATION, status=JobStatus.QUEUED, enqueued_at__isnull=True)
            .order_by("created_at")[:limit]
        )
        sent: list[PipelineJob] = []
        for job in jobs:
            job.task_id = str(uuid.uuid4())
            with trace_resumed(job.payload if isinstance(job.payload, dict) else {}):
                # premarked: sent under job.task_id; the mark is written below, once it went.
                if not pipeline_job_enqueue(job=job, premarked=True):
                    logger.warning(
                        "relay: broker unavailable, %s job(s) wait", len(jobs) - len(sent)
                    )
                    break
            sent.append(job)
        if sent:
            now = timezone.now()
            for job in sent:
                job.enqueued_at = now
            with connection.cursor() as cursor:
                # One statement of fixed SQL: bulk_update's CASE expressions were half the
                # relay's CPU per job (its ORM compilation, not PostgreSQL's work).
                cursor.execute(_MARK_SENT, [now, [j.pk for j in sent], [j.task_id for j in sent]])
    if sent:
        metrics.JOBS_RELAYED.inc(len(sent))
    return len(sent)


def relay_forever(stop: threading.Event) -> None:
    """Relay until ``stop`` is set: a pass, then a pause of ``PIPELINE_RELAY_INTERVAL`` unless
    the pass was full. A failed pass is logged and retried after the pause: the thread must
    outlive a database restart (or anything else), or beat would run on without a relay."""
    try:
        while not stop.is_set():
            close_old_connections()  # drop a connection the database or the pool closed
            try:
                full = pipeline_jobs_relay() >= settings.PIPELINE_RELAY_BATCH
            except DatabaseError:
                logger.warning("relay: database unavailable, retrying", exc_info=True)
                full = False
            except Exception:  # logged; the next pass tries again
                logger.exception("relay: pass failed, retrying")
                full = False
            if not full:
                stop.wait(settings.PIPELINE_RELAY_INTERVAL)
    finally:
        connection.close()


def relay_thread() -> tuple[threading.Thread, threading.Event]:
    """A started daemon thread running :func:`relay_forever`, and the event that stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=relay_forever, args=(stop,), name="kyb-relay", daemon=True)
    thread.start()
    return thread, stop


def relay_in_beat(**_: Any) -> None:
    """``beat_init`` receiver: celery beat, one per deployment, runs the relay beside its
    schedule when ``PIPELINE_PUBLISH`` is ``relay``."""
    if settings.PIPELINE_PUBLISH == "relay":
        relay_thread()
        logger.info("outbox relay started in beat")
