"""Writes of the verifications app: creating runs (with their outbox job) and moving them
through the lifecycle. Every state change writes its audit row in the same transaction."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kyb.cache import invalidate_on_commit
from kyb.db import insert_statement, run_together
from kyb.errors import Conflict
from kyb.queues import Queue
from kyb.tracing import trace_carrier
from merchants.erasure import MERCHANT_ERASED_MESSAGE
from merchants.models import Merchant
from merchants.selectors import MERCHANT_NAMESPACE, merchant_profile
from verifications.effects import verification_changed
from verifications.models import (
    ALLOWED_TRANSITIONS,
    BusinessVerification,
    JobKind,
    JobStatus,
    PipelineJob,
    VerificationEvent,
    VerificationSource,
    VerificationStatus,
)

RUN_TASK_NAME = "kyb.verifications.run"
logger = logging.getLogger(__name__)
# Business judgements; ``error`` is not one (the checks could not run).
DECISIONS = frozenset(
    {VerificationStatus.APPROVED, VerificationStatus.IN_REVIEW, VerificationStatus.REJECTED}
)
SYSTEM_ACTOR = "system"
ENQUEUE_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


class IllegalTransition(Exception):
    """The state machine refuses this change (e.g. a duplicate delivery of a finished run)."""

    def __init__(self, verification_id: uuid.UUID, from_status: str, to_status: str) -> None:
        super().__init__(f"verification {verification_id}: {from_status} -> {to_status} refused")
        self.from_status = from_status
        self.to_status = to_status


def merchant_snapshot(merchant: Merchant) -> dict[str, Any]:
    """The input a run works on, frozen at submission. The tax id stays encrypted (the token and
    its keyed hash, never the value): the run decrypts this token, not whatever the merchant
    holds by the time a worker gets to it."""
    return {
        "merchant_id": str(merchant.id),
        "livemode": merchant.livemode,
        "legal_name": merchant.legal_name,
        "dba_name": merchant.dba_name,
        "registration_number": merchant.registration_number,
        "has_tax_id": bool(merchant.tax_id_encrypted),
        "tax_id_encrypted": merchant.tax_id_encrypted,
        "tax_id_hash": merchant.tax_id_hash,
        **merchant_profile(merchant),
        "people": merchant.people,
    }


def pipeline_job_enqueue(*, job: PipelineJob, premarked: bool = False) -> bool:
    """Send the job's task to the broker. Called on commit and by the sweeper; a broker outage
    leaves the job ``queued`` for the sweeper to retry, so it never raises. Returns whether the
    broker took the message.

    A ``premarked`` job was written with its message id and ``enqueued_at`` already set (a new
    verification's job, so the request spends no statement on marking it): the message goes out
    under that id, and only a failed send clears the mark, so the sweeper sees the job as never
    sent. Otherwise (the sweeper's re-sends) the mark is written after the broker took it."""
    from kyb.celery import app

    try:
        with app.producer_or_acquire() as producer:
            # Fail fast when the broker is down (kombu would otherwise retry connecting for
            # seconds inside the caller's request); the sweeper sends it later. One quick
            # retry re-opens a pooled connection that went stale when the broker restarted.
            producer.connection.ensure_connection(max_retries=0)
            kwargs = {"verification_id": job.subject_id}
            result = app.send_task(
                RUN_TASK_NAME,
                kwargs=kwargs,
                # Celery's saferepr of the arguments for the message headers costs more than
                # the rest of the message; a dict holding one id needs only repr().
                argsrepr="()",
                kwargsrepr=repr(kwargs),
                queue=job.queue,
                producer=producer,
                task_id=job.task_id if premarked else None,
                ignore_result=True,  # never touch a result backend on the request path
                retry=True,
                retry_policy=ENQUEUE_RETRY_POLICY,
            )
    except Exception:  # noqa: BLE001 - broker down: the sweeper re-enqueues queued jobs.
        if premarked:
            _job_mark(job, task_id=job.task_id, fields={"task_id": "", "enqueued_at": None})
        return False
    if not premarked:
        # Only a job still waiting records the message id: a worker may already have claimed
        # the job (under its own task id), and that claim must not be overwritten.
        _job_mark(job, task_id=None, fields={"task_id": result.id, "enqueued_at": timezone.now()})
    return True


def _job_mark(job: PipelineJob, *, task_id: str | None, fields: dict[str, Any]) -> None:
    """Record (or clear) a queued job's message; never raises (see below)."""
    queued = PipelineJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED)
    if task_id is not None:
        queued = queued.filter(task_id=task_id)
    try:
        queued.update(**fields)
    except DatabaseError:
        # Runs on commit: raising here would skip the other on-commit callbacks and answer a
        # request whose work is committed with a 500 (a retry without Idempotency-Key then
        # duplicates it). The sweeper's rules cover a job whose mark is wrong: an unmarked
        # sent job may be sent once more, a marked unsent one is sent once its queue is empty.
        logger.warning("job %s: enqueue mark not recorded", job.pk, exc_info=True)


# The merchant's link to its latest verification, refused once the merchant is erased (the
# UPDATE waits for an erasure's row lock, then finds ``erased_at`` set and touches nothing).
_LINK_LATEST = (
    'UPDATE "merchants" SET "verification_id" = %s WHERE "id" = %s AND "erased_at" IS NULL'
    ' RETURNING "id"'
)


@transaction.atomic(savepoint=False)  # callers' atomic blocks roll back as one
def verification_create(
    *,
    merchant: Merchant,
    source: str = VerificationSource.API,
    queue: str = Queue.VERIFICATIONS,
) -> BusinessVerification:
    """Create a pending run, its audit row and its outbox job in one transaction; the job is
    sent on commit, or left unsent for the outbox relay (``PIPELINE_PUBLISH=relay``,
    ``verifications.pipeline.relay``). Call it inside ``transaction.atomic()``: an erased
    merchant is refused (409 ``merchant_erased``), also when the erasure commits while this
    runs (the guarded UPDATE waits for its lock and then finds the row erased), and the refusal
    must roll the new rows back.

    The three inserts and the merchant's link go to PostgreSQL as one statement of fixed SQL
    (``kyb.db.run_together``): this is every POST's write, and the ORM's compiler cost more
    than the database's work."""
    if merchant.erased_at is not None:
        raise Conflict("merchant_erased", MERCHANT_ERASED_MESSAGE)
    verification = BusinessVerification(
        merchant=merchant,
        integrator_id=merchant.integrator_id,
        livemode=merchant.livemode,
        source=source,
        input_snapshot=merchant_snapshot(merchant),
    )
    event = VerificationEvent(
        verification=verification, to_status=VerificationStatus.PENDING, actor=SYSTEM_ACTOR
    )
    relay = settings.PIPELINE_PUBLISH == "relay"
    job = PipelineJob(kind=JobKind.VERIFICATION, subject_id=str(verification.id), queue=str(queue))
    if relay:
        job.payload = trace_carrier()  # unsent, for the relay, with the request's trace
    else:
        job.task_id = str(uuid.uuid4())  # sent on commit under this id (premarked)
        job.enqueued_at = timezone.now()
    *_, linked = run_together(
        [
            insert_statement(verification),
            insert_statement(event),
            insert_statement(job),
            (_LINK_LATEST, [verification.pk, merchant.pk]),
        ],
        new=[verification, event, job],
    )
    if linked is None:
        raise Conflict("merchant_erased", MERCHANT_ERASED_MESSAGE)
    merchant.verification = verification
    invalidate_on_commit(MERCHANT_NAMESPACE, merchant.pk)  # the link sends no signal
    if not relay:
        transaction.on_commit(lambda: pipeline_job_enqueue(job=job, premarked=True))
    verification_changed(verification, event_type="verification.created")
    return verification


@transaction.atomic
def verification_transition(
    *,
    verification_id: uuid.UUID | str,
    to_status: str,
    actor: str = SYSTEM_ACTOR,
    actor_user_id: int | None = None,
    reason: str = "",
    fields: dict[str, Any] | None = None,
) -> BusinessVerification:
    """Move a verification to ``to_status`` under a row lock, refusing illegal transitions.

    ``fields`` are extra attributes saved with the change (checks, risk score, ...). Decisions
    (approved/in_review/rejected) record who, why and when.
    """
    verification = BusinessVerification.objects.select_for_update().get(pk=verification_id)
    from_status = verification.status
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise IllegalTransition(verification.id, from_status, to_status)
    now = timezone.now()
    updates: dict[str, Any] = {"status": to_status, **(fields or {})}
    if to_status == VerificationStatus.PROCESSING:
        updates.setdefault("started_at", now)
    if to_status in DECISIONS:
        updates.update(decided_by=actor, decided_by_user_id=actor_user_id, decided_at=now)
        updates.setdefault("decision_reason", reason)
    elif to_status == VerificationStatus.ERROR:
        updates.setdefault("error_reason", reason)
    if to_status in DECISIONS or to_status == VerificationStatus.ERROR:
        updates.setdefault("completed_at", now)
    for name, value in updates.items():
        setattr(verification, name, value)
    verification.save(update_fields=[*updates, "updated_at"])
    VerificationEvent.objects.create(
        verification=verification,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_user_id=actor_user_id,
        reason=reason,
    )
    completed = to_status in DECISIONS or to_status == VerificationStatus.ERROR
    event = "verification.completed" if completed else "verification.updated"
    verification_changed(verification, event_type=event)
    return verification


def verification_events_before(cutoff: datetime) -> QuerySet[VerificationEvent]:
    """Audit rows older than ``cutoff`` (retention), oldest first by id: the primary key's
    order is the insertion order, so no index on ``created_at`` is needed."""
    return VerificationEvent.objects.filter(created_at__lt=cutoff).order_by("id")
