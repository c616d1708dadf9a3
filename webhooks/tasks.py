"""Webhook delivery tasks: thin wrappers over the services."""

from __future__ import annotations

from celery import shared_task

from webhooks.services import webhook_deliveries_dispatch_due, webhook_delivery_attempt


@shared_task(
    name="kyb.webhooks.deliver",
    acks_late=True,
    soft_time_limit=30,
    time_limit=45,
    ignore_result=True,
)
def deliver(delivery_id: str) -> str:
    """One attempt of a delivery. Idempotent: the claim makes duplicates skip."""
    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(
    name="kyb.webhooks.dispatch_due", ignore_result=True, soft_time_limit=30, time_limit=45
)
def dispatch_due() -> int:
    """Beat: enqueue deliveries that are due (backoff retries, messages the broker lost)."""
    return webhook_deliveries_dispatch_due()
