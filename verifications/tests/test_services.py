"""Creating verifications (with their outbox job) and the lifecycle state machine."""

from __future__ import annotations

from typing import Any

import pytest

from kyb import events
from merchants.tests.factories import MerchantFactory
from verifications.models import BusinessVerification, JobStatus, PipelineJob, VerificationStatus
from verifications.services import (
    IllegalTransition,
    verification_create,
    verification_transition,
)

pytestmark = pytest.mark.django_db(transaction=False)


def test_create_writes_verification_job_and_audit_row_and_enqueues_on_commit(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kyb.celery import app

    sent: list[str | None] = []
    send_task = app.send_task

    def spy(*args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs.get("task_id"))
        return send_task(*args, **kwargs)

    monkeypatch.setattr(app, "send_task", spy)
    merchant = MerchantFactory.create()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        verification = verification_create(merchant=merchant)
        job = PipelineJob.objects.get(subject_id=str(verification.id))
        # Written with the id its message will carry (no statement spent marking it later),
        # but nothing left the process before commit.
        assert job.task_id and job.enqueued_at is not None
        assert sent == []
    assert callbacks
    assert sent == [job.task_id]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.task_id == sent[0] and job.enqueued_at is not None
    merchant.refresh_from_db()
    assert merchant.verification_id == verification.id
    assert verification.status == VerificationStatus.PENDING
    assert verification.input_snapshot["legal_name"] == merchant.legal_name
    assert list(verification.events.values_list("to_status", flat=True)) == ["pending"]


def test_transitions_follow_the_lifecycle_and_are_audited() -> None:
    verification = verification_create(merchant=MerchantFactory.create())
    verification_transition(verification_id=verification.id, to_status="processing")
    done = verification_transition(
        verification_id=verification.id, to_status="approved", reason="all checks passed"
    )
    assert done.decided_by == "system" and done.decided_at and done.completed_at
    assert done.decision_reason == "all checks passed"
    events = list(done.events.values_list("from_status", "to_status"))
    assert events == [("", "pending"), ("pending", "processing"), ("processing", "approved")]


def test_a_finished_run_refuses_to_run_again() -> None:
    verification = verification_create(merchant=MerchantFactory.create())
    verification_transition(verification_id=verification.id, to_status="processing")
    verification_transition(verification_id=verification.id, to_status="rejected")
    with pytest.raises(IllegalTransition):
        verification_transition(verification_id=verification.id, to_status="processing")
    assert BusinessVerification.objects.get(pk=verification.id).status == "rejected"


def test_error_is_not_a_decision() -> None:
    verification = verification_create(merchant=MerchantFactory.create())
    verification_transition(verification_id=verification.id, to_status="processing")
    errored = verification_transition(
        verification_id=verification.id, to_status="error", reason="registry unreachable"
    )
    assert errored.decided_by == "" and errored.decided_at is None
    assert errored.error_reason == "registry unreachable"


def test_receivers_run_inside_the_transaction_and_roll_back_with_it() -> None:
    from django.db import transaction

    heard: list[str] = []

    def receiver(event: events.Event) -> None:
        heard.append(event.type)

    events.subscribe(receiver)
    try:
        merchant = MerchantFactory.create()
        with pytest.raises(RuntimeError), transaction.atomic():
            verification_create(merchant=merchant)
            assert heard == ["verification.created"]
            raise RuntimeError("roll back")
        assert not BusinessVerification.objects.filter(merchant=merchant).exists()
    finally:
        events.unsubscribe(receiver)
