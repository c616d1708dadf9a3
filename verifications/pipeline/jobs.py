"""Operator actions on pipeline jobs (the admin's job control calls these).

Only a job that has stopped for good (``failed`` or ``dead``) may be retried by hand: a ``queued``
or ``running`` one is still owned by the broker, a worker or the sweeper, and a ``succeeded`` one
has nothing left to do. A verification job is retried through ``verification_retry``, which puts
the verification back to ``pending`` (audited, with the operator's name) and enqueues on commit.
"""

from __future__ import annotations

from django.db import transaction

from verifications.models import (
    BusinessVerification,
    JobKind,
    JobStatus,
    PipelineJob,
    VerificationStatus,
)
from verifications.pipeline.run import verification_retry

RETRYABLE_JOB_STATUSES = frozenset({JobStatus.FAILED, JobStatus.DEAD})


class JobNotRetryable(Exception):
    """The job (or its subject) is in a state a manual retry must not touch."""


@transaction.atomic
def pipeline_job_retry(
    *, job_id: int, actor: str, actor_user_id: int | None = None
) -> BusinessVerification:
    """Retry one ``failed``/``dead`` verification job whose verification is in ``error``.

    Locks the job first (the order every pipeline writer uses), then re-checks its state, so a
    double click or two operators retrying at once queue the run once. Raises
    ``JobNotRetryable`` with a message an operator can act on.
    """
    job = PipelineJob.objects.select_for_update().get(pk=job_id)
    if job.status not in RETRYABLE_JOB_STATUSES:
        raise JobNotRetryable(f"job {job.pk} is {job.status}; only failed or dead jobs are retried")
    if job.kind != JobKind.VERIFICATION:
        raise JobNotRetryable(
            f"job {job.pk} is a {job.get_kind_display()}; redeliver it from the webhook deliveries"
        )
    status = (
        BusinessVerification.objects.filter(pk=job.subject_id)
        .values_list("status", flat=True)
        .first()
    )
    if status != VerificationStatus.ERROR:
        raise JobNotRetryable(
            f"job {job.pk}: verification {job.subject_id} is {status or 'missing'}; "
            "only verifications in error are run again"
        )
    return verification_retry(
        verification_id=job.subject_id,
        actor=actor,
        actor_user_id=actor_user_id,
        reason=f"retry of {job.status} job {job.pk} requested by {actor}",
    )
