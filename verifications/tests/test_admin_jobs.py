"""Job control in the admin: browse by status and age, last error visible, retry failed/dead
verification jobs; refused for other states and for staff without the permission."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from verifications.models import (
    BusinessVerification,
    JobStatus,
    PipelineJob,
    VerificationEvent,
    VerificationStatus,
)
from verifications.tests.factories import BusinessVerificationFactory, PipelineJobFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/verifications/pipelinejob/"


@pytest.fixture
def viewer(staff_client: Any) -> Client:
    """Staff who may look at jobs but not change (retry) them."""
    return staff_client("view_pipelinejob", username="viewer")


def _failed_job(
    job_status: str = JobStatus.DEAD, verification_status: str = VerificationStatus.ERROR
) -> PipelineJob:
    verification = BusinessVerificationFactory.create(
        status=verification_status, error_reason="gave up after 5 attempts"
    )
    return PipelineJobFactory.create(
        subject_id=str(verification.id),
        status=job_status,
        attempts=5,
        task_id="t-1",
        last_error="gave up after 5 attempts: registry timeout",
    )


def _retry(client: Client, *jobs: PipelineJob) -> Any:
    return client.post(
        CHANGELIST, {"action": "retry", "_selected_action": [j.pk for j in jobs]}, follow=True
    )


@pytest.mark.parametrize("job_status", [JobStatus.DEAD, JobStatus.FAILED])
def test_retry_puts_error_verification_back_to_pending_and_queues_its_job(
    root: Client, job_status: str, django_capture_on_commit_callbacks: Any
) -> None:
    job = _failed_job(job_status)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _retry(root, job)
    assert "1 job(s) queued again." in response.content.decode()
    job.refresh_from_db()
    verification = BusinessVerification.objects.get(pk=job.subject_id)
    assert (job.status, job.attempts, job.task_id) == (JobStatus.QUEUED, 0, "")
    assert verification.status == VerificationStatus.PENDING
    assert verification.error_reason == ""
    event = VerificationEvent.objects.get(verification=verification)
    assert (event.from_status, event.to_status, event.actor) == ("error", "pending", "root")
    assert event.actor_user is not None and event.actor_user.username == "root"
    assert any("verification_retry" in cb.__qualname__ for cb in callbacks)  # enqueue on commit


@pytest.mark.parametrize("job_status", [JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED])
def test_retry_refuses_jobs_that_did_not_stop_for_good(root: Client, job_status: str) -> None:
    job = _failed_job(job_status)
    response = _retry(root, job)
    assert "only failed or dead jobs are retried" in response.content.decode()
    job.refresh_from_db()
    assert job.status == job_status
    assert BusinessVerification.objects.get(pk=job.subject_id).status == VerificationStatus.ERROR
    assert not VerificationEvent.objects.exists()


def test_retry_refuses_a_verification_that_is_no_longer_in_error(root: Client) -> None:
    job = _failed_job(JobStatus.FAILED, VerificationStatus.APPROVED)
    response = _retry(root, job)
    assert "is approved; only verifications in error are run again" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not VerificationEvent.objects.exists()


def test_retry_of_a_mixed_selection_retries_only_the_retryable(root: Client) -> None:
    good, queued = _failed_job(), _failed_job(JobStatus.QUEUED)
    body = _retry(root, good, queued).content.decode()
    assert "1 job(s) queued again." in body and "Not retried" in body
    assert BusinessVerification.objects.get(pk=good.subject_id).status == "pending"
    assert BusinessVerification.objects.get(pk=queued.subject_id).status == "error"


def test_staff_without_change_permission_cannot_retry(viewer: Client) -> None:
    job = _failed_job()
    assert viewer.get(CHANGELIST).status_code == 200
    response = viewer.post(CHANGELIST, {"action": "retry", "_selected_action": [job.pk]})
    # The action is not offered to them: the admin refuses it and nothing moves.
    assert response.status_code in (200, 302, 403)
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD
    assert BusinessVerification.objects.get(pk=job.subject_id).status == "error"
    assert not VerificationEvent.objects.exists()


def test_staff_without_any_permission_is_refused(db: None) -> None:
    user = User.objects.create_user("nobody", "n@example.com", "pw", is_staff=True)
    client = Client()
    client.force_login(user)
    job = _failed_job()
    assert client.get(CHANGELIST).status_code == 403
    assert _retry(client, job).status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD


def test_last_error_is_visible_in_the_list_and_on_the_page(root: Client) -> None:
    job = _failed_job()
    assert "registry timeout" in root.get(CHANGELIST).content.decode()
    page = root.get(f"{CHANGELIST}{job.pk}/change/").content.decode()
    assert "gave up after 5 attempts: registry timeout" in page


def test_jobs_filter_by_status_and_age(root: Client) -> None:
    old, new = _failed_job(), _failed_job(JobStatus.QUEUED)
    PipelineJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))

    def listed(query: str) -> set[int]:
        response = root.get(f"{CHANGELIST}?{query}")
        return {j.pk for j in response.context["cl"].result_list}

    assert listed("age=older") == {old.pk}
    assert listed("age=5m") == {new.pk}
    assert listed("age=1d") == {new.pk}
    assert listed("status__exact=dead") == {old.pk}
    assert listed("status__exact=queued&age=1h") == {new.pk}


def test_jobs_cannot_be_added_edited_or_deleted(root: Client) -> None:
    job = _failed_job()
    actions = root.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert [name for name, _ in actions if name] == ["retry"]
    assert root.get(f"{CHANGELIST}add/").status_code == 403
    assert root.post(f"{CHANGELIST}{job.pk}/delete/", {"post": "yes"}).status_code == 403
    root.post(f"{CHANGELIST}{job.pk}/change/", {"status": "queued", "last_error": ""})
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD and PipelineJob.objects.filter(pk=job.pk).exists()


@pytest.mark.parametrize("query", ["", "status__exact=dead", "age=1d", "q=task:t-1"])
def test_jobs_changelist_query_count_does_not_grow_with_rows(root: Client, query: str) -> None:
    _failed_job()
    with CaptureQueriesContext(connection) as few:
        assert root.get(f"{CHANGELIST}?{query}").status_code == 200
    for _ in range(5):
        _failed_job()
    with CaptureQueriesContext(connection) as many:
        assert root.get(f"{CHANGELIST}?{query}").status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_a_jobs_page_is_view_only_even_for_those_who_may_retry(root: Client) -> None:
    job = _failed_job()
    page = root.get(f"{CHANGELIST}{job.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert root.post(f"{CHANGELIST}{job.pk}/change/", {"status": "queued"}).status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.DEAD
