"""The outbox relay (``PIPELINE_PUBLISH=relay``): a POST leaves its job unsent in the outbox, and
the relay sends it to the real Redis broker and marks it, without ever sending a job twice at
once or losing one the broker refused."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import transaction

from kyb.celery import app
from kyb.tests.api_client import ApiClient
from merchants.tests.factories import MerchantFactory, api_key_with_secret
from verifications.models import JobStatus, PipelineJob
from verifications.pipeline import relay
from verifications.pipeline.relay import pipeline_jobs_relay, relay_in_beat, relay_thread
from verifications.services import verification_create


@pytest.fixture
def relay_mode(settings: Any) -> Any:
    settings.PIPELINE_PUBLISH = "relay"
    return settings


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message ids the real broker took (app.send_task, spied)."""
    ids: list[str] = []
    send_task = app.send_task

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = send_task(*args, **kwargs)
        ids.append(kwargs["task_id"])
        return result

    monkeypatch.setattr(app, "send_task", spy)
    return ids


def _job(verification: Any) -> PipelineJob:
    return PipelineJob.objects.get(subject_id=str(verification.id))


@pytest.mark.django_db
@pytest.mark.usefixtures("relay_mode")
def test_a_new_verification_leaves_its_job_unsent_and_the_relay_sends_it(
    sent: list[str], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = verification_create(merchant=MerchantFactory.create())
        second = verification_create(merchant=MerchantFactory.create())
    assert sent == []  # nothing left the process at commit
    for v in (first, second):
        job = _job(v)
        assert (job.status, job.task_id, job.enqueued_at) == (JobStatus.QUEUED, "", None)

    assert pipeline_jobs_relay() == 2
    jobs = [_job(first), _job(second)]
    assert sent == [j.task_id for j in jobs]  # oldest first, each under its own id
    assert all(j.enqueued_at is not None and j.status == JobStatus.QUEUED for j in jobs)
    assert pipeline_jobs_relay() == 0  # sent once


@pytest.mark.django_db
@pytest.mark.usefixtures("relay_mode")
def test_a_broker_refusal_leaves_that_job_and_the_rest_unsent(
    monkeypatch: pytest.MonkeyPatch, sent: list[str]
) -> None:
    verifications = [verification_create(merchant=MerchantFactory.create()) for _ in range(3)]
    send_task = app.send_task
    calls = []

    def down_after_one(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) > 1:
            raise ConnectionError("broker down")
        return send_task(*args, **kwargs)

    monkeypatch.setattr(app, "send_task", down_after_one)
    assert pipeline_jobs_relay() == 1
    first, *rest = (_job(v) for v in verifications)
    assert sent == [first.task_id] and first.enqueued_at is not None
    assert all((j.task_id, j.enqueued_at) == ("", None) for j in rest)  # for the next pass

    monkeypatch.setattr(app, "send_task", send_task)
    assert pipeline_jobs_relay() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("relay_mode")
def test_a_job_another_relay_holds_is_left_to_it(sent: list[str]) -> None:
    held, free = (verification_create(merchant=MerchantFactory.create()) for _ in range(2))
    locked, release = threading.Event(), threading.Event()

    def other_relay() -> None:
        with transaction.atomic():
            PipelineJob.objects.select_for_update().get(subject_id=str(held.id))
            locked.set()
            release.wait(30)

    thread = threading.Thread(target=other_relay)
    thread.start()
    try:
        assert locked.wait(30)
        assert pipeline_jobs_relay() == 1
        assert sent == [_job(free).task_id]
        assert _job(held).enqueued_at is None
    finally:
        release.set()
        thread.join(30)
    assert pipeline_jobs_relay() == 1  # once the other let go without sending it


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("relay_mode")
def test_the_relay_thread_sends_what_a_post_writes(sent: list[str]) -> None:
    key, secret = api_key_with_secret()
    merchant = MerchantFactory.create(integrator=key.integrator)
    thread, stop = relay_thread()
    try:
        response = ApiClient(secret).post_json(
            "/api/v1/verifications", {"merchant_id": str(merchant.id)}
        )
        assert response.status_code == 202, response.content
        job = PipelineJob.objects.get(subject_id=response.json()["id"])
        for _ in range(300):  # bounded wait for the relay's next pass; not a timing assertion
            job.refresh_from_db()
            if job.enqueued_at is not None:
                break
            time.sleep(0.05)
        assert job.enqueued_at is not None and sent == [job.task_id]
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


def test_beat_runs_the_relay_only_in_relay_mode(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[bool] = []
    monkeypatch.setattr(relay, "relay_thread", lambda: started.append(True))
    settings.PIPELINE_PUBLISH = "commit"
    relay_in_beat(sender=None)
    assert started == []
    settings.PIPELINE_PUBLISH = "relay"
    relay_in_beat(sender=None)
    assert started == [True]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("relay_mode")
def test_the_relay_thread_outlives_a_failed_pass(
    monkeypatch: pytest.MonkeyPatch, sent: list[str]
) -> None:
    """A pass that raises (the database restarting, or a bug) is logged and tried again: the
    thread in beat must not die, or beat would run on without a relay."""
    real = relay.pipeline_jobs_relay
    failures: list[int] = []

    def fails_twice(**kwargs: Any) -> int:
        if len(failures) < 2:
            failures.append(1)
            raise RuntimeError("pass failed")
        return real(**kwargs)

    monkeypatch.setattr(relay, "pipeline_jobs_relay", fails_twice)
    verification = verification_create(merchant=MerchantFactory.create())
    thread, stop = relay_thread()
    try:
        job = _job(verification)
        for _ in range(300):  # bounded wait; not a timing assertion
            job.refresh_from_db()
            if job.enqueued_at is not None:
                break
            time.sleep(0.05)
        assert len(failures) == 2 and thread.is_alive()
        assert sent == [job.task_id]
    finally:
        stop.set()
        thread.join(30)
