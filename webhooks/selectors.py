"""Reads of the webhooks app, scoped to the caller's integrator."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from kyb.errors import NotFound
from kyb.formats import iso_utc
from kyb.tenancy.models import Integrator
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def webhook_endpoint_list(
    *, integrator: Integrator, livemode: bool = True
) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(
        integrator=integrator, livemode=livemode, disabled_at=None
    )


def webhook_endpoint_get(
    *, integrator: Integrator, endpoint_id: uuid.UUID, livemode: bool = True
) -> WebhookEndpoint:
    endpoint = (
        webhook_endpoint_list(integrator=integrator, livemode=livemode)
        .filter(pk=endpoint_id)
        .first()
    )
    if endpoint is None:
        raise NotFound("not_found", "Webhook endpoint not found.")
    return endpoint


def webhook_delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("log", queryset=WebhookAttempt.objects.order_by("number")))
    )


def webhook_delivery_get(
    *, integrator: Integrator, delivery_id: uuid.UUID, livemode: bool = True
) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, endpoint__integrator=integrator, endpoint__livemode=livemode)
        .first()
    )
    if delivery is None:
        raise NotFound("not_found", "Webhook delivery not found.")
    return delivery


def endpoint_data(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": str(endpoint.id),
        "livemode": endpoint.livemode,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": endpoint.event_types,
        "rotating": bool(endpoint.previous_secret_encrypted)
        and endpoint.previous_secret_expires_at is not None
        and endpoint.previous_secret_expires_at > timezone.now(),
        "created_at": iso_utc(endpoint.created_at),
    }


def delivery_data(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": str(delivery.id),
        "livemode": delivery.event.livemode,
        "event_id": str(delivery.event_id),
        "event_type": delivery.event.type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": iso_utc(delivery.next_attempt_at)
        if delivery.status == "pending"
        else None,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "delivered_at": iso_utc(delivery.delivered_at),
        "redelivery_of": str(delivery.redelivery_of_id) if delivery.redelivery_of_id else None,
        "created_at": iso_utc(delivery.created_at),
        "log": [
            {
                "number": a.number,
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
                "at": iso_utc(a.created_at),
            }
            for a in delivery.log.all()
        ],
    }
