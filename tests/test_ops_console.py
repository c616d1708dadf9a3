"""The operations pages by role: the ``admin`` group (not a superuser) may retry jobs, create
and revoke API keys and redeliver webhooks; an ``analyst`` is refused all of it and nothing
changes (least privilege: analysts work the review queue only)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from kyb.crypto import encrypt
from kyb.tenancy.models import ApiKey
from merchants.tests.factories import ApiKeyFactory, IntegratorFactory
from verifications.models import BusinessVerification, JobStatus, PipelineJob
from verifications.tests.factories import BusinessVerificationFactory, PipelineJobFactory
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

JOBS = "/admin/verifications/pipelinejob/"
KEYS = "/admin/tenancy/apikey/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


@pytest.fixture(autouse=True)
def _console_groups() -> None:
    """The review console's groups (a transactional test's flush may have emptied them)."""
    from django.apps import apps

    from verifications.groups import review_groups_ensure

    review_groups_ensure(apps=apps)


def _client(group: str) -> Client:
    user = User.objects.create_user(f"u-{group}", f"{group}@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def _dead_job() -> PipelineJob:
    verification = BusinessVerificationFactory.create(status="error")
    return PipelineJobFactory.create(
        subject_id=str(verification.id), status=JobStatus.DEAD, last_error="gave up"
    )


def _delivery() -> WebhookDelivery:
    integrator = IntegratorFactory.create()
    endpoint = WebhookEndpoint.objects.create(
        integrator=integrator, url="https://hooks.example.com/k", secret_encrypted=encrypt("s")
    )
    event = WebhookEvent.objects.create(integrator=integrator, type="merchant.updated", body="{}")
    return WebhookDelivery.objects.create(
        event=event, endpoint=endpoint, status=DeliveryStatus.DEAD, next_attempt_at=timezone.now()
    )


def _act(client: Client, url: str, action: str, pk: object) -> int:
    return client.post(url, {"action": action, "_selected_action": [pk]}).status_code


def test_admin_group_runs_every_operations_action() -> None:
    client = _client("admin")
    job, key, delivery = _dead_job(), ApiKeyFactory.create(), _delivery()
    assert _act(client, JOBS, "retry", job.pk) == 302
    assert BusinessVerification.objects.get(pk=job.subject_id).status == "pending"
    assert _act(client, KEYS, "revoke", key.pk) == 302
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    integrator = IntegratorFactory.create()
    created = client.post(f"{KEYS}add/", {"integrator": integrator.pk, "scopes": ["read"]})
    assert created.status_code == 200 and ApiKey.objects.filter(integrator=integrator).exists()
    assert _act(client, DELIVERIES, "redeliver", delivery.pk) == 302
    assert WebhookDelivery.objects.filter(redelivery_of=delivery).exists()


def test_analyst_is_refused_every_operations_page_and_action() -> None:
    client = _client("analyst")
    job, key, delivery = _dead_job(), ApiKeyFactory.create(), _delivery()
    for url in (JOBS, KEYS, f"{KEYS}add/", DELIVERIES, "/admin/webhooks/webhookendpoint/"):
        assert client.get(url).status_code == 403, url
    assert _act(client, JOBS, "retry", job.pk) == 403
    assert _act(client, KEYS, "revoke", key.pk) == 403
    assert _act(client, DELIVERIES, "redeliver", delivery.pk) == 403
    integrator = IntegratorFactory.create()
    assert (
        client.post(f"{KEYS}add/", {"integrator": integrator.pk, "scopes": ["read"]}).status_code
        == 403
    )
    assert PipelineJob.objects.get(pk=job.pk).status == JobStatus.DEAD
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert not ApiKey.objects.filter(integrator=integrator).exists()
    assert WebhookDelivery.objects.count() == 1
