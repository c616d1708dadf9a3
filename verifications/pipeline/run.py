"""Running one verification: claim (idempotently), check, assess, decide.

Delivery is at least once (``acks_late``), so a run may arrive twice. The claim decides, under
row locks, whether this delivery may run:

- verification ``pending``: claim it (``processing``, job ``running`` with this task id);
- ``processing`` with the job holding *this* task id: our own message again, so the previous
  attempt died (SIGKILL, out of memory, a retried transient error): count an attempt and rerun;
- ``processing`` under another task id: another delivery is running it: skip;
- anything else (decided, error): nothing to do.

Checks run outside any transaction; the decision, the check results, the classifications and the
audit row are then written in one transaction, and only if this delivery still owns the job.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from kyb import tracing
from kyb.celery import drop_interrupted_connections
from kyb.crypto import decrypt
from merchants.models import Merchant
from verifications import metrics, risk
from verifications.checks import CHECKS, CheckResult, timed
from verifications.checks.base import storable
from verifications.environment import environment_for, use_environment
from verifications.models import (
    BusinessVerification,
    JobKind,
    JobStatus,
    PipelineJob,
    VerificationStatus,
)
from verifications.services import (
    SYSTEM_ACTOR,
    pipeline_job_enqueue,
    verification_transition,
)

logger = logging.getLogger(__name__)


def _locked(verification_id: uuid.UUID | str) -> tuple[PipelineJob, BusinessVerification]:
    """Lock the job, then the verification: the one order every writer here uses."""
    job = PipelineJob.objects.select_for_update().get(
        kind=JobKind.VERIFICATION, subject_id=str(verification_id)
    )
    verification = BusinessVerification.objects.select_for_update().get(pk=verification_id)
    return job, verification


def job_give_up(*, job: PipelineJob, verification: BusinessVerification, reason: str) -> None:
    """Mark the job dead and the verification ``error`` (caller holds the locks)."""
    job.status = JobStatus.DEAD
    job.last_error = reason
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "last_error", "finished_at", "updated_at"])
    if verification.status in (VerificationStatus.PENDING, VerificationStatus.PROCESSING):
        verification_transition(
            verification_id=verification.pk, to_status=VerificationStatus.ERROR, reason=reason
        )


def _close_job(job: PipelineJob, status: str, error: str = "") -> None:
    job.status = status
    job.last_error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "last_error", "finished_at", "updated_at"])


@transaction.atomic
def verification_claim(verification_id: uuid.UUID | str, task_id: str) -> dict[str, Any] | None:
    """Claim the run for the delivery ``task_id`` (see the module's docstring); the input
    snapshot to check, or ``None`` when this delivery must not run it."""
    try:
        job, verification = _locked(verification_id)
    except (PipelineJob.DoesNotExist, BusinessVerification.DoesNotExist):
        # Deleted after the message was sent (an erasure, the verification's merchant removed):
        # there is nothing to run, and raising would only make the worker log a traceback.
        logger.warning("verification %s no longer exists: message dropped", verification_id)
        return None
    if verification.status == VerificationStatus.PROCESSING:
        if job.task_id != task_id:
            logger.info(
                "verification %s: running under task %s, skip", verification_id, job.task_id
            )
            return None
        verification_transition(
            verification_id=verification.pk,
            to_status=VerificationStatus.PENDING,
            reason=f"attempt {job.attempts} did not finish (worker lost); running again",
        )
        verification.status = VerificationStatus.PENDING
    if verification.status != VerificationStatus.PENDING:
        if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            _close_job(job, JobStatus.SUCCEEDED)
        return None
    cap = settings.PIPELINE_JOB_MAX_ATTEMPTS
    if job.attempts >= cap:
        job_give_up(
            job=job, verification=verification, reason=f"gave up after {job.attempts} attempts"
        )
        return None
    verification_transition(
        verification_id=verification.pk,
        to_status=VerificationStatus.PROCESSING,
        reason=f"attempt {job.attempts + 1} of {cap}",
    )
    job.status = JobStatus.RUNNING
    job.attempts += 1
    job.max_attempts = cap
    job.task_id = task_id
    job.started_at = timezone.now()
    job.save(
        update_fields=["status", "attempts", "max_attempts", "task_id", "started_at", "updated_at"]
    )
    return dict(verification.input_snapshot)


def _tax_id(snapshot: Mapping[str, Any]) -> str:
    """The tax id as submitted: the snapshot's token (snapshots taken before it was frozen
    there carry none: those read the merchant's current one)."""
    merchant_id = str(snapshot.get("merchant_id"))
    if "tax_id_encrypted" in snapshot:
        token = snapshot["tax_id_encrypted"]
    else:
        token = (
            Merchant.objects.filter(pk=merchant_id)
            .values_list("tax_id_encrypted", flat=True)
            .first()
        )
    if not token:
        return ""
    try:
        return decrypt(token)
    except ValueError:
        logger.warning("merchant %s: tax id cannot be decrypted with the current key", merchant_id)
        return ""


def run_checks(snapshot: Mapping[str, Any]) -> dict[str, CheckResult]:
    """Every check in order on ``snapshot``; later checks see earlier ones' hand-offs."""
    context: dict[str, Any] = dict(snapshot)
    context.pop("tax_id_encrypted", None)  # checks get the value, never the token
    if snapshot.get("merchant_id") and snapshot.get("has_tax_id"):
        context["_tax_id"] = _tax_id(snapshot)
    results: dict[str, CheckResult] = {}
    for name, check in CHECKS:
        with tracing.span(f"check {name}", **{"kyb.check": name}) as current:
            result = timed(check, context)
            current.set_attribute("kyb.check.status", result.status.value)
        metrics.CHECK_SECONDS.labels(check=name, status=result.status.value).observe(
            result.duration_ms / 1000
        )
        results[name] = result
        context.update({f"_{k}": v for k, v in result.artifacts.items()})
    return results


def _store_classification(verification: BusinessVerification, result: Any) -> None:
    from classifications.services import classifications_store

    classifications_store(
        business_id=verification.merchant_id, verification_id=verification.pk, result=result
    )


@transaction.atomic
def _decide(
    verification_id: uuid.UUID | str, task_id: str, results: Mapping[str, CheckResult]
) -> str | None:
    job, verification = _locked(verification_id)
    if verification.status != VerificationStatus.PROCESSING or job.task_id != task_id:
        logger.warning("verification %s: superseded while running; result dropped", verification_id)
        return None
    assessment = risk.assess(results)
    classification = (
        results["industry"].artifacts.get("classification") if "industry" in results else None
    )
    if classification is not None:
        _store_classification(verification, classification)
    verification_transition(
        verification_id=verification.pk,
        to_status=assessment.outcome,
        actor=SYSTEM_ACTOR,
        reason=assessment.explanation,
        fields={
            "checks": {name: r.as_dict() for name, r in results.items()},
            "risk_score": assessment.score,
            "risk_reasons": assessment.reasons,
        },
    )
    _close_job(job, JobStatus.SUCCEEDED)
    waited = (timezone.now() - verification.created_at).total_seconds()
    metrics.DECISION_SECONDS.labels(outcome=assessment.outcome).observe(max(0.0, waited))
    return assessment.outcome


@transaction.atomic
def _fail(verification_id: uuid.UUID | str, task_id: str, reason: str) -> None:
    reason = storable(reason)
    job, verification = _locked(verification_id)
    if verification.status != VerificationStatus.PROCESSING or job.task_id != task_id:
        return
    _close_job(job, JobStatus.FAILED, reason)
    verification_transition(
        verification_id=verification.pk, to_status=VerificationStatus.ERROR, reason=reason
    )


def verification_run(*, verification_id: uuid.UUID | str, task_id: str) -> str:
    """Run one verification end to end; returns the outcome, or ``skipped``.

    Transient database errors (connection, server) propagate: the task retries them, and the
    retry carries the same task id, so its claim resumes. Any other failure, a database
    refusing the data included, puts the verification in ``error`` at once.
    """
    snapshot = verification_claim(verification_id, task_id)
    if snapshot is None:
        return "skipped"
    started = time.monotonic()
    try:
        # Live: the network and the loaded lists; sandbox: recorded answers (docs/sandbox.md).
        with use_environment(environment_for(snapshot)):
            results = run_checks(snapshot)
        outcome = _decide(verification_id, task_id, results)
    except SoftTimeLimitExceeded:
        # The limit may have fired while a query ran: that connection cannot take another.
        drop_interrupted_connections()
        _fail(verification_id, task_id, "time limit exceeded while running checks")
        return VerificationStatus.ERROR.value
    except (OperationalError, InterfaceError):
        raise  # transient (connection lost, server restarting): the task retries
    except Exception as exc:  # incl. other DatabaseErrors (bad data): retrying cannot help
        logger.exception("verification %s failed", verification_id)
        # The kind of failure only: error_reason reaches the integrator (API, webhooks), and an
        # exception's message may carry SQL, paths or the merchant's data (the log has it all).
        _fail(verification_id, task_id, f"pipeline failure ({type(exc).__name__}); see the log")
        raise
    metrics.RUN_SECONDS.observe(time.monotonic() - started)
    if outcome is None:
        return "skipped"
    metrics.DECISIONS.labels(outcome=outcome).inc()
    return outcome


@transaction.atomic
def verification_retry(
    *,
    verification_id: uuid.UUID | str,
    actor: str = SYSTEM_ACTOR,
    actor_user_id: int | None = None,
    reason: str = "retry requested",
) -> BusinessVerification:
    """Run an ``error`` verification again: back to ``pending`` (audited), its job queued with
    a fresh attempt budget, enqueued on commit. Refuses (``IllegalTransition``) any other state."""
    job, _verification = _locked(verification_id)
    verification = verification_transition(
        verification_id=verification_id,
        to_status=VerificationStatus.PENDING,
        actor=actor,
        actor_user_id=actor_user_id,
        reason=reason,
        fields={"error_reason": "", "completed_at": None, "started_at": None},
    )
    job.status = JobStatus.QUEUED
    job.attempts = 0
    job.task_id = ""
    job.enqueued_at = None
    job.finished_at = None
    job.save(
        update_fields=["status", "attempts", "task_id", "enqueued_at", "finished_at", "updated_at"]
    )
    transaction.on_commit(lambda: pipeline_job_enqueue(job=job))
    return verification
