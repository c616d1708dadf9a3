"""Webhooks in the admin: endpoints with their newest deliveries and attempts, redeliver (same
event again), disable; refused for staff without the permission."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kyb.crypto import encrypt
from merchants.tests.factories import IntegratorFactory
from webhooks.admin import RECENT_DELIVERIES
from webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

pytestmark = pytest.mark.django_db

DELIVERIES = "/admin/webhooks/webhookdelivery/"


def _endpoint() -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        integrator=IntegratorFactory.create(),
        url="https://hooks.example.com/kyb",
        secret_encrypted=encrypt("whsec_test"),
    )


def _delivery(endpoint: WebhookEndpoint, *, attempts: int = 2, age_minutes: int = 0) -> Any:
    event = WebhookEvent.objects.create(
        integrator=endpoint.integrator, type="verification.completed", body='{"id": "x"}'
    )
    delivery = WebhookDelivery.objects.create(
        event=event,
        endpoint=endpoint,
        status=DeliveryStatus.DEAD,
        attempts=attempts,
        next_attempt_at=timezone.now(),
        last_error="HTTP 503",
    )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - timedelta(minutes=age_minutes)
    )
    for number in range(1, attempts + 1):
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, status_code=503, error="HTTP 503", duration_ms=12
        )
    return delivery


def test_endpoint_page_shows_the_newest_deliveries_with_their_attempts(root: Client) -> None:
    endpoint = _endpoint()
    deliveries = [_delivery(endpoint, age_minutes=i) for i in range(RECENT_DELIVERIES + 3)]
    page = root.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    body = page.content.decode()
    shown = {str(d.pk)[:8] for d in deliveries if str(d.pk)[:8] in body}
    assert shown == {str(d.pk)[:8] for d in deliveries[:RECENT_DELIVERIES]}
    assert "#1 503 12 ms HTTP 503" in body and "#2 503" in body
    assert f"?endpoint__id__exact={endpoint.pk}" in body


def test_endpoint_page_query_count_does_not_grow_with_deliveries(root: Client) -> None:
    endpoint = _endpoint()
    url = f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/"
    _delivery(endpoint)
    root.get(url)  # warm-up: per-process caches (content types, ...) fill on a first request
    with CaptureQueriesContext(connection) as few:
        assert root.get(url).status_code == 200
    for _ in range(5):
        _delivery(endpoint, attempts=4)
    with CaptureQueriesContext(connection) as many:
        assert root.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_redeliver_sends_the_same_event_again_on_commit(
    root: Client, django_capture_on_commit_callbacks: Any
) -> None:
    delivery = _delivery(_endpoint())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = root.post(
            DELIVERIES, {"action": "redeliver", "_selected_action": [delivery.pk]}, follow=True
        )
    assert "1 redelivery(ies) queued." in response.content.decode()
    again = WebhookDelivery.objects.get(redelivery_of=delivery)
    assert (again.event_id, again.endpoint_id) == (delivery.event_id, delivery.endpoint_id)
    assert again.status == DeliveryStatus.PENDING and again.attempts == 0
    assert len(callbacks) == 1


def test_redeliver_to_a_disabled_endpoint_is_refused(root: Client) -> None:
    endpoint = _endpoint()
    delivery = _delivery(endpoint)
    root.post(
        "/admin/webhooks/webhookendpoint/",
        {"action": "disable", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    response = root.post(
        DELIVERIES, {"action": "redeliver", "_selected_action": [delivery.pk]}, follow=True
    )
    assert "The endpoint was deleted or disabled." in response.content.decode()
    assert "0 redelivery(ies) queued." in response.content.decode()
    assert not WebhookDelivery.objects.filter(redelivery_of=delivery).exists()


def test_staff_without_change_permission_cannot_redeliver(staff_client: Any) -> None:
    client = staff_client("view_webhookdelivery", username="viewer")
    delivery = _delivery(_endpoint())
    assert client.get(DELIVERIES).status_code == 200
    client.post(DELIVERIES, {"action": "redeliver", "_selected_action": [delivery.pk]})
    assert WebhookDelivery.objects.count() == 1


def test_staff_without_any_permission_is_refused(db: None) -> None:
    user = User.objects.create_user("nobody", "n@example.com", "pw", is_staff=True)
    client = Client()
    client.force_login(user)
    delivery = _delivery(_endpoint())
    assert client.get(DELIVERIES).status_code == 403
    response = client.post(DELIVERIES, {"action": "redeliver", "_selected_action": [delivery.pk]})
    assert response.status_code == 403
    assert WebhookDelivery.objects.count() == 1


def test_deliveries_and_endpoints_cannot_be_added_or_deleted(root: Client) -> None:
    delivery = _delivery(_endpoint())
    assert root.get(f"{DELIVERIES}add/").status_code == 403
    assert root.get("/admin/webhooks/webhookendpoint/add/").status_code == 403
    assert root.post(f"{DELIVERIES}{delivery.pk}/delete/", {"post": "yes"}).status_code == 403
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()


@pytest.mark.parametrize(
    "path", [DELIVERIES, f"{DELIVERIES}?status__exact=dead", "/admin/webhooks/webhookendpoint/"]
)
def test_changelist_query_count_does_not_grow_with_rows(root: Client, path: str) -> None:
    _delivery(_endpoint())
    with CaptureQueriesContext(connection) as few:
        assert root.get(path).status_code == 200
    for _ in range(5):
        _delivery(_endpoint())
    with CaptureQueriesContext(connection) as many:
        assert root.get(path).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
