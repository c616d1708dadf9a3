"""Verification batches: many merchants submitted in one request, decided on the bulk queue."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class BatchSource(models.TextChoices):
    API = "api", "API"
    INTERNAL = "internal", "internal task"


class VerificationBatch(models.Model):
    """One accepted batch. ``decided_count`` and ``invalid_count`` move under this row's lock in
    the transactions that decide items, so ``completed_at`` is set (and ``batch.completed``
    announced) exactly once, by whichever transaction decides the last item."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(
        "tenancy.Integrator", on_delete=models.PROTECT, related_name="verification_batches"
    )
    # False: submitted with a sandbox key; its merchants and runs are sandbox ones too.
    livemode = models.BooleanField(default=True)
    source = models.CharField(max_length=16, choices=BatchSource.choices, default=BatchSource.API)
    total = models.PositiveIntegerField()
    invalid_count = models.PositiveIntegerField(default=0)
    decided_count = models.PositiveIntegerField(default=0)
    # Internal submissions only (the API's Idempotency-Key has its own records).
    idempotency_key = models.CharField(max_length=255, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "verification_batches"
        verbose_name = "verification batch"
        verbose_name_plural = "verification batches"
        constraints = [
            models.UniqueConstraint(
                fields=["integrator", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="uniq_verification_batches_key",
            ),
            models.CheckConstraint(
                condition=Q(decided_count__lte=models.F("total") - models.F("invalid_count")),
                name="verification_batches_counts_fit",
            ),
        ]
        indexes = [
            # Tenant lists and the admin, newest first.
            models.Index(fields=["integrator", "created_at"], name="idx_batches_tenant_created"),
            # The sweeper: unfinished batches only.
            models.Index(
                fields=["updated_at"],
                condition=Q(completed_at__isnull=True),
                name="idx_batches_open",
            ),
        ]

    def __str__(self) -> str:
        return f"batch {self.id} ({self.total} items)"


class ItemState(models.TextChoices):
    # Valid, waiting for its merchant and verification to be created (payload kept until then).
    ACCEPTED = "accepted", "accepted"
    # Its verification exists; its status is the verification's.
    SUBMITTED = "submitted", "submitted"
    # Refused (at acceptance or, for a conflict that arose since, at creation): ``error`` says why.
    INVALID = "invalid", "invalid"


class BatchItem(models.Model):
    """One item of a batch, by its position in the request. ``payload`` holds the validated
    merchant (model field values, tax id encrypted) only until the merchant exists; then it is
    emptied, so no personal data outlives its purpose here."""

    batch = models.ForeignKey(VerificationBatch, on_delete=models.CASCADE, related_name="items")
    index = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=ItemState.choices)
    external_id = models.CharField(max_length=128, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    error = models.JSONField(null=True, blank=True, help_text="{code, message, fields?}")
    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One item per verification: a second materialisation of the same item cannot commit.
    verification = models.OneToOneField(
        "verifications.BusinessVerification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batch_item",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "verification_batch_items"
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="uniq_batch_items_index"),
            models.CheckConstraint(
                condition=Q(state__in=ItemState.values), name="batch_items_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.index} ({self.state})"
