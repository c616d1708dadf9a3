"""The run task end to end (real task code via ``.apply()``), its idempotent claim, the sweeper,
and the internal submission task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from classifications.models import Classification
from merchants.models import Merchant
from merchants.tests.factories import IntegratorFactory, MerchantFactory
from verifications import names, tasks
from verifications.models import (
    BusinessVerification,
    JobStatus,
    PipelineJob,
    RegistryEntity,
    VerificationEvent,
)
from verifications.pipeline import pipeline_jobs_sweep
from verifications.pipeline.run import verification_claim
from verifications.services import verification_create
from verifications.submissions import SubmissionRejected
from verifications.tests.fakes import FakeProvider, Reply

pytestmark = pytest.mark.django_db
SCREENING_FIXTURE = sorted(
    (Path(__file__).resolve().parents[2] / "screening" / "data" / "ofac_small_fixture").glob(
        "*.csv"
    )
)
DECISIONS = ("approved", "in_review", "rejected")
PAGE = (
    "<html><title>Acme Trading</title>"
    "<body>Acme Trading: outdoor clothing, jackets and boots.</body></html>"
)


@pytest.fixture
def world(provider: FakeProvider, settings: Any) -> Iterator[FakeProvider]:
    """The offline checks all able to answer: local register, a loaded watchlist, a website."""
    from screening import engine
    from screening.services import watchlist_load

    settings.REGISTRY_ADAPTERS = ["local"]
    settings.SCREENING_VERSION_CHECK_SECONDS = 0
    RegistryEntity.objects.create(
        lei="9845001B2AD43E664E58",
        legal_name="ACME TRADING LIMITED",
        name_key=names.normalise("ACME TRADING LIMITED"),
        country="GB",
        entity_status="ACTIVE",
        registration_status="ISSUED",
        source="test",
        loaded_at=timezone.now(),
    )
    watchlist_load(source="ofac_sdn", paths=SCREENING_FIXTURE)
    engine.reset()
    provider.route("/", Reply.html(PAGE))
    yield provider
    engine.reset()


def _merchant(world: FakeProvider, **fields: Any) -> Merchant:
    defaults = {
        "legal_name": "Acme Trading Ltd",
        "country": "GB",
        "registration_number": "09446231",
        "website": world.url + "/",
        "description": "Online retailer of outdoor clothing, jackets and boots",
        "declared_mcc": "",
    }
    return MerchantFactory.create(**{**defaults, **fields})


def _run(verification_id: Any, task_id: str = "task-1") -> str:
    result = tasks.run.apply(kwargs={"verification_id": str(verification_id)}, task_id=task_id)
    return str(result.get())


def _decisions(verification: BusinessVerification) -> int:
    return VerificationEvent.objects.filter(
        verification=verification, to_status__in=DECISIONS
    ).count()


def test_a_run_checks_scores_decides_and_records_everything(world: FakeProvider) -> None:
    verification = verification_create(merchant=_merchant(world))
    assert _run(verification.id) == "approved"
    verification.refresh_from_db()
    assert set(verification.checks) == {
        "identifiers",
        "registry",
        "sanctions",
        "website",
        "industry",
    }
    assert verification.checks["registry"]["status"] == "success"
    assert verification.checks["sanctions"]["status"] == "success"
    assert verification.risk_score == 5  # website_no_tls: the fake site speaks plain HTTP
    assert [r["code"] for r in verification.risk_reasons] == ["website_no_tls"]
    assert verification.decided_by == "system" and "risk 5" in verification.decision_reason
    events = list(verification.events.values_list("from_status", "to_status"))
    assert events == [("", "pending"), ("pending", "processing"), ("processing", "approved")]
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    assert (job.status, job.attempts, job.task_id) == (JobStatus.SUCCEEDED, 1, "task-1")
    assert Classification.objects.filter(verification_id=verification.id).exists()


def test_a_duplicate_delivery_is_harmless(world: FakeProvider) -> None:
    verification = verification_create(merchant=_merchant(world))
    first = _run(verification.id, "task-1")
    assert _run(verification.id, "task-1") == "skipped"
    assert _run(verification.id, "task-2") == "skipped"
    verification.refresh_from_db()
    assert verification.status == first and _decisions(verification) == 1


def test_a_message_for_a_deleted_verification_is_dropped_quietly(world: FakeProvider) -> None:
    """It raised PipelineJob.DoesNotExist in the worker, once per message, with a traceback."""
    verification = verification_create(merchant=_merchant(world))
    PipelineJob.objects.filter(subject_id=str(verification.id)).delete()
    Merchant.objects.filter(verification=verification).update(verification=None)
    verification.delete()
    assert _run(verification.id, "task-1") == "skipped"


def test_another_delivery_skips_a_run_in_progress(world: FakeProvider) -> None:
    verification = verification_create(merchant=_merchant(world))
    assert verification_claim(verification.id, "task-a") is not None
    assert _run(verification.id, "task-b") == "skipped"
    verification.refresh_from_db()
    assert verification.status == "processing"


def test_a_redelivered_message_resumes_a_run_whose_worker_died(world: FakeProvider) -> None:
    verification = verification_create(merchant=_merchant(world))
    # ... and the worker is SIGKILLed
    assert verification_claim(verification.id, "task-a") is not None
    assert _run(verification.id, "task-a") in DECISIONS
    verification.refresh_from_db()
    reasons = list(verification.events.values_list("to_status", "reason"))
    assert ("pending", "attempt 1 did not finish (worker lost); running again") in reasons
    assert _decisions(verification) == 1
    assert PipelineJob.objects.get(subject_id=str(verification.id)).attempts == 2


def test_attempts_are_capped_then_the_job_is_dead_and_the_run_error(
    world: FakeProvider, settings: Any
) -> None:
    settings.PIPELINE_JOB_MAX_ATTEMPTS = 2
    verification = verification_create(merchant=_merchant(world))
    PipelineJob.objects.filter(subject_id=str(verification.id)).update(attempts=2)
    assert _run(verification.id) == "skipped"
    verification.refresh_from_db()
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    assert job.status == JobStatus.DEAD and verification.status == "error"
    assert verification.error_reason == "gave up after 2 attempts"


def test_a_registry_outage_sends_the_merchant_to_review(world: FakeProvider, settings: Any) -> None:
    settings.REGISTRY_ADAPTERS = ["gleif"]
    settings.GLEIF_API_URL = world.url + "/api/v1"
    settings.OUTBOUND_RETRIES = 0
    world.route_prefix("/api/v1/", lambda _seen: Reply(503))
    verification = verification_create(merchant=_merchant(world, lei="9845001B2AD43E664E58"))
    assert _run(verification.id) == "in_review"
    verification.refresh_from_db()
    assert verification.checks["registry"]["status"] == "neutral"
    assert "registry_unavailable" in [r["code"] for r in verification.risk_reasons]


def test_sweeper_requeues_jobs_the_broker_never_took(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from kyb.celery import app

    def broker_down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("broker down")

    monkeypatch.setattr(app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        verification = verification_create(merchant=_merchant(world))
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    assert job.enqueued_at is None and job.task_id == ""  # the failed send cleared its mark
    monkeypatch.undo()
    assert pipeline_jobs_sweep().requeued == 0  # too young to be called lost
    PipelineJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert pipeline_jobs_sweep().requeued == 1
    job.refresh_from_db()
    assert job.enqueued_at is not None and job.task_id and job.status == JobStatus.QUEUED


def test_sweeper_resends_a_job_whose_process_died_before_sending_it(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A new job is written marked as sent; a process killed between commit and send leaves it
    so. The sweeper's lost-message rule finds it: once marked long enough ago and its queue is
    empty, it is sent again."""
    from verifications.pipeline import sweeper

    verification = verification_create(merchant=_merchant(world))  # on_commit never ran here
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    first_id = job.task_id
    assert job.enqueued_at is not None and first_id
    monkeypatch.setattr(sweeper, "broker_queue_depth", lambda queue: 0)
    assert pipeline_jobs_sweep().requeued == 0  # might still be in flight
    long_ago = timezone.now() - timedelta(seconds=settings.PIPELINE_SWEEP_ENQUEUED_AFTER + 5)
    PipelineJob.objects.filter(pk=job.pk).update(enqueued_at=long_ago)
    assert pipeline_jobs_sweep().requeued == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.enqueued_at > long_ago
    assert job.task_id and job.task_id != first_id


def test_sweeper_revives_runs_whose_worker_died_then_gives_up(
    world: FakeProvider, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PIPELINE_JOB_MAX_ATTEMPTS = 2
    verification = verification_create(merchant=_merchant(world))
    long_ago = timezone.now() - timedelta(seconds=settings.PIPELINE_SWEEP_RUNNING_AFTER + 5)
    verification_claim(verification.id, "task-a")
    PipelineJob.objects.filter(subject_id=str(verification.id)).update(started_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert pipeline_jobs_sweep().revived == 1
    verification.refresh_from_db()
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    assert verification.status == "pending" and job.status == JobStatus.QUEUED
    assert job.enqueued_at is not None  # re-enqueued on commit
    verification_claim(verification.id, "task-b")
    PipelineJob.objects.filter(subject_id=str(verification.id)).update(started_at=long_ago)
    assert pipeline_jobs_sweep().dead == 1
    verification.refresh_from_db()
    assert verification.status == "error" and "worker lost" in verification.error_reason


def _payload(**extra: Any) -> dict[str, Any]:
    return {
        "external_id": "crm-42",
        "legal_name": "Acme Trading Ltd",
        "country": "GB",
        "registration_number": "09446231",
        "tax_id": "123 4567 890",
        **extra,
    }


def _submit(**kwargs: Any) -> Any:
    return tasks.submit.apply(kwargs=kwargs)


def test_internal_submission_creates_the_same_records_as_the_api() -> None:
    integrator = IntegratorFactory.create(name="payments-core")
    verification_id = _submit(merchant=_payload(), integrator="payments-core").get()
    verification = BusinessVerification.objects.select_related("merchant").get(pk=verification_id)
    assert verification.source == "internal" and verification.status == "pending"
    assert verification.integrator_id == integrator.id
    assert verification.merchant.tax_id_last4 == "7890" and verification.merchant.tax_id_encrypted
    assert "7890" not in str(verification.input_snapshot)
    job = PipelineJob.objects.get(subject_id=verification_id)
    assert job.queue == "bulk"


def test_internal_submission_is_idempotent_per_key() -> None:
    integrator = IntegratorFactory.create()
    first = _submit(merchant=_payload(), integrator=str(integrator.id), idempotency_key="k1").get()
    again = _submit(merchant=_payload(), integrator=str(integrator.id), idempotency_key="k1").get()
    assert first == again and BusinessVerification.objects.count() == 1
    clash = _submit(
        merchant=_payload(legal_name="Other Ltd"),
        integrator=str(integrator.id),
        idempotency_key="k1",
    )
    with pytest.raises(SubmissionRejected, match="different payload"):
        clash.get()


def test_a_redelivered_submit_message_does_not_create_a_second_verification() -> None:
    IntegratorFactory.create(name="crm")
    kwargs = {"merchant": _payload(), "integrator": "crm"}
    first = tasks.submit.apply(kwargs=kwargs, task_id="msg-1").get()
    assert tasks.submit.apply(kwargs=kwargs, task_id="msg-1").get() == first


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"merchant": {"country": "GB"}, "integrator": "crm"}, "legal_name"),
        ({"merchant": _payload(), "integrator": "nobody"}, "unknown or inactive integrator"),
        ({"merchant": _payload(), "integrator": "crm", "priority": "urgent"}, "priority"),
    ],
    ids=["invalid-payload", "unknown-integrator", "unknown-priority"],
)
def test_invalid_submissions_are_rejected(kwargs: dict[str, Any], message: str) -> None:
    IntegratorFactory.create(name="crm")
    with pytest.raises(SubmissionRejected, match=message):
        _submit(**kwargs).get()
    assert not BusinessVerification.objects.exists()


def test_an_errored_verification_can_be_retried_and_then_decides(
    world: FakeProvider, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from verifications.pipeline import verification_retry
    from verifications.services import IllegalTransition

    settings.PIPELINE_JOB_MAX_ATTEMPTS = 1
    verification = verification_create(merchant=_merchant(world))
    PipelineJob.objects.filter(subject_id=str(verification.id)).update(attempts=1)
    _run(verification.id)
    with django_capture_on_commit_callbacks(execute=True):
        retried = verification_retry(verification_id=verification.id, actor="analyst")
    assert retried.status == "pending" and retried.error_reason == ""
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0) and job.enqueued_at
    assert _run(verification.id, job.task_id) in DECISIONS
    with pytest.raises(IllegalTransition):
        verification_retry(verification_id=verification.id)


def test_a_second_merchant_with_the_same_external_id_is_rejected() -> None:
    IntegratorFactory.create(name="crm")
    _submit(merchant=_payload(), integrator="crm", idempotency_key="a").get()
    with pytest.raises(SubmissionRejected, match="merchant_exists"):
        _submit(merchant=_payload(), integrator="crm", idempotency_key="b").get()
    assert BusinessVerification.objects.count() == 1


def test_a_sanctioned_name_goes_to_review_with_the_hit_as_evidence(world: FakeProvider) -> None:
    merchant = _merchant(
        world,
        legal_name="Acme Trading Ltd",
        people=[{"name": "Elvis Angus Logan Morey", "role": "director"}],
    )
    verification = verification_create(merchant=merchant)
    assert _run(verification.id) == "in_review"
    verification.refresh_from_db()
    sanctions = verification.checks["sanctions"]
    assert sanctions["status"] == "failure"
    person = next(s for s in sanctions["evidence"]["screened"] if s["type"] == "person")
    assert person["hits"][0]["match"] is True and 0 < person["hits"][0]["score"] <= 1
    assert verification.risk_reasons[0]["code"] == "sanctions_match"
    assert verification.risk_score == 65  # 60 + website_no_tls; the match score stays apart


def test_a_page_with_a_nul_byte_is_decided_not_stuck(world: FakeProvider) -> None:
    """PostgreSQL refuses U+0000 in JSONB: a page title carrying one failed the decision's save,
    which was not retried nor failed, so the verification sat in processing until the sweeper
    gave up 15 minutes later with a false "worker lost"."""
    world.route("/", Reply.html("<title>Acme Trading\x00 Ltd</title><p>Acme Trading Ltd</p>"))
    verification = verification_create(merchant=_merchant(world))
    assert _run(verification.id) in DECISIONS
    verification.refresh_from_db()
    assert "\x00" not in str(verification.checks["website"])
    assert "\ufffd" in str(verification.checks["website"]["evidence"])


@pytest.mark.django_db(transaction=True)
def test_a_time_limit_during_a_query_still_records_the_error(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The soft time limit may fire while a query runs; recording the error on that connection
    failed with "can't change 'autocommit' now" (a QA pass met it in the webhook worker)."""
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import connection

    from verifications.pipeline import run as run_module

    def interrupted(snapshot: Any) -> Any:
        connection.ensure_connection()
        assert connection.connection is not None
        connection.connection.pgconn.send_query(b"SELECT pg_sleep(0.05)")
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(run_module, "run_checks", interrupted)
    verification = verification_create(merchant=_merchant(world))
    assert _run(verification.id) == "error"
    verification.refresh_from_db()
    assert verification.status == "error"
    assert verification.error_reason == "time limit exceeded while running checks"


def test_a_data_error_fails_the_verification_at_once(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DataError

    from verifications.pipeline import run as run_module

    def refused(*args: Any, **kwargs: Any) -> None:
        raise DataError('invalid input "GB980780684" at /srv/app/verifications/x.py')

    monkeypatch.setattr(run_module, "_decide", refused)
    verification = verification_create(merchant=_merchant(world))
    with pytest.raises(DataError):
        _run(verification.id)
    verification.refresh_from_db()
    assert verification.status == "error" and "DataError" in verification.error_reason
    # The integrator reads error_reason: the exception's message stays in the log (a QA pass
    # noted it was copied there whole).
    assert (
        "GB980780684" not in verification.error_reason and "/srv" not in verification.error_reason
    )
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    assert job.status == JobStatus.FAILED


def test_the_run_checks_the_tax_id_as_submitted_not_as_edited_since(world: FakeProvider) -> None:
    from merchants.services import merchant_update
    from verifications.pipeline.run import _tax_id

    merchant = _merchant(world)
    merchant_update(merchant=merchant, fields={"tax_id": "GB123456789"}, actor="test")
    verification = verification_create(merchant=merchant)
    merchant_update(merchant=merchant, fields={"tax_id": "GB999999973"}, actor="test")
    snapshot = verification.input_snapshot
    assert _tax_id(snapshot) == "GB123456789"
    assert "GB123456789" not in str(snapshot)  # frozen encrypted, as on the merchant
    from verifications.review_selectors import merchant_changes

    verification.refresh_from_db()
    changes = {name for name, _then, _now in merchant_changes(verification)}
    assert "tax_id" in changes and "tax_id_encrypted" not in changes


def test_the_sweeper_leaves_a_job_waiting_behind_a_backlog_alone(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job whose message waits behind a long backlog was sent again every
    PIPELINE_SWEEP_ENQUEUED_AFTER (8 messages for a 2 h wait), lengthening the backlog."""
    from verifications.pipeline import sweeper

    verification = verification_create(merchant=_merchant(world))
    job = PipelineJob.objects.get(subject_id=str(verification.id))
    long_ago = timezone.now() - timedelta(hours=2)
    PipelineJob.objects.filter(pk=job.pk).update(created_at=long_ago, enqueued_at=long_ago)
    monkeypatch.setattr(sweeper, "broker_queue_depth", lambda queue: 250)
    assert pipeline_jobs_sweep().requeued == 0
    monkeypatch.setattr(sweeper, "broker_queue_depth", lambda queue: 0)  # lost: queue empty
    assert pipeline_jobs_sweep().requeued == 1
    monkeypatch.setattr(sweeper, "broker_queue_depth", lambda queue: None)  # unknown: resend
    PipelineJob.objects.filter(pk=job.pk).update(enqueued_at=long_ago)
    assert pipeline_jobs_sweep().requeued == 1


def test_the_queue_depth_is_read_from_the_broker() -> None:
    from verifications.pipeline.sweeper import broker_queue_depth

    depth = broker_queue_depth("verifications")
    assert isinstance(depth, int) and depth >= 0


def test_a_failure_to_record_the_send_does_not_escape_the_commit(
    world: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pipeline_job_enqueue runs on commit: its bookkeeping failing must not raise there."""
    from django.db import OperationalError

    from verifications.services import pipeline_job_enqueue

    verification = verification_create(merchant=_merchant(world))
    job = PipelineJob.objects.get(subject_id=str(verification.id))

    class Failing:
        def filter(self, *args: Any, **kwargs: Any) -> Any:
            return self

        def update(self, **kwargs: Any) -> int:
            raise OperationalError("connection lost")

    monkeypatch.setattr(PipelineJob, "objects", Failing())
    assert pipeline_job_enqueue(job=job) is True
