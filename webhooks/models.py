"""Webhook endpoints, the events we emit, and every delivery attempt (the delivery outbox)."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

EVENT_TYPES = (
    "verification.created",
    "verification.updated",
    "verification.completed",
    "verification.information_requested",
    "merchant.updated",
    "merchant.erased",
    # Ongoing monitoring opened a review case: a changed sanctions list matches the merchant.
    "merchant.screening_alert",
    # The last item of a verification batch was decided (batches; docs/batches.md).
    "batch.completed",
)


class WebhookEndpoint(models.Model):
    """An integrator's receiving URL. Secrets are stored encrypted (they must be usable to
    sign); during rotation the previous secret keeps signing until it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(
        "tenancy.Integrator", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    # False: created with a sandbox key; it receives the sandbox events only (docs/sandbox.md).
    livemode = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "webhook_endpoints"
        indexes = [
            models.Index(fields=["integrator", "created_at"], name="idx_webhook_ep_integrator")
        ]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookEvent(models.Model):
    """One event, with the exact body every delivery of it sends (so retries are identical)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey("tenancy.Integrator", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40)
    body = models.TextField(help_text="the JSON body as sent")
    livemode = models.BooleanField(default=True)
    # Sandbox only: the first N attempts of each delivery fail without being sent (the
    # documented "webhook failure" magic value, docs/sandbox.md); 0 everywhere else.
    simulated_failures = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "webhook_events"
        # The admin's event log, newest first.
        indexes = [models.Index(fields=["created_at"], name="idx_webhook_events_created_at")]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pending"
    SUCCEEDED = "succeeded", "succeeded"
    DEAD = "dead", "dead"


class WebhookDelivery(models.Model):
    """Delivery of one event to one endpoint; retried on a backoff schedule until it succeeds
    or runs out of attempts. ``next_attempt_at`` doubles as a lease while an attempt runs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        db_table = "webhook_deliveries"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="idx_webhook_deliveries_due",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["endpoint", "created_at"], name="idx_webhook_deliveries_ep"),
            # The admin's delivery log, newest first.
            models.Index(fields=["created_at"], name="idx_webhook_deliveries_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """The log of one HTTP attempt of a delivery."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "webhook_attempts"
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"
