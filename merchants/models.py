"""Integrators (the tenants), their API keys, and the merchants they submit."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Upper


class Integrator(models.Model):
    """A tenant: a payment company or marketplace that submits businesses through the API."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "integrators"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKeyScope(models.TextChoices):
    READ = "read", "read"
    WRITE = "write", "write"
    # Manage the integrator's own API keys (/api/v1/api-keys); implies neither read nor write.
    ADMIN = "admin", "admin"


class ApiKey(models.Model):
    """An integrator's API key. Only a keyed hash of the secret is stored; ``prefix`` is the
    short visible part that lets a human tell keys apart. Revoked keys are kept for audit."""

    integrator = models.ForeignKey(Integrator, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(models.CharField(max_length=16, choices=ApiKeyScope.choices), default=list)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "api_keys"
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.integrator_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiKeyEventAction(models.TextChoices):
    CREATED = "created", "created"
    REVOKED = "revoked", "revoked"


class ApiKeyEvent(models.Model):
    """Audit row of an API key's creation or revocation, written in the same transaction,
    whoever did it: the integrator through the API, an operator in the admin, the CLI."""

    integrator = models.ForeignKey(Integrator, on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=ApiKeyEventAction.choices)
    actor = models.CharField(
        max_length=150, help_text="'api_key:<prefix>', 'user:<username>', 'cli' or 'system'"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "api_key_events"
        indexes = [
            models.Index(fields=["integrator", "-created_at"], name="idx_api_key_events_integr")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.api_key_id} by {self.actor}"


class Merchant(models.Model):
    """A business an integrator wants to onboard. ``verification`` points at the latest run.

    The tax id is stored encrypted (``tax_id_encrypted``), searchable by exact value through a
    keyed hash (``tax_id_hash``) and shown masked from ``tax_id_last4``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(Integrator, on_delete=models.PROTECT, related_name="merchants")
    external_id = models.CharField(max_length=128, blank=True)
    legal_name = models.CharField(max_length=300)
    dba_name = models.CharField(max_length=300, blank=True)
    registration_number = models.CharField(max_length=64, blank=True)
    tax_id_encrypted = models.TextField(blank=True, editable=False)
    tax_id_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    tax_id_last4 = models.CharField(max_length=4, blank=True, editable=False)
    lei = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    subdivision = models.CharField(max_length=6, blank=True)
    address = models.JSONField(default=dict, blank=True)
    website = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    description = models.TextField(blank=True)
    declared_mcc = models.CharField(max_length=4, blank=True)
    people = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # Indexed by the plan's named index (idx_merchants_verification_id), not Django's default.
    verification = models.ForeignKey(
        "verifications.BusinessVerification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Set when the integrator erased its personal data (DELETE /api/v1/merchants/{id}): the row
    # is then a skeleton, kept until ERASURE_RETENTION_DAYS have passed.
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "merchants"
        constraints = [
            models.UniqueConstraint(
                fields=["integrator", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_merchants_integrator_external_id",
            ),
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="merchants_country_iso2"
            ),
            models.CheckConstraint(
                condition=Q(declared_mcc="") | Q(declared_mcc__regex=r"^[0-9]{4}$"),
                name="merchants_declared_mcc_4_digits",
            ),
        ]
        indexes = [
            models.Index(fields=["verification"], name="idx_merchants_verification_id"),
            # The admin's merchant list, newest first, and its search (exact ids, name part).
            models.Index(fields=["created_at"], name="idx_merchants_created_at"),
            # An integrator's list, newest first (the API's keyset pagination).
            models.Index(
                fields=["integrator", "created_at", "id"], name="idx_merchants_tenant_created"
            ),
            models.Index(fields=["external_id"], name="idx_merchants_external_id"),
            models.Index(fields=["registration_number"], name="idx_merchants_registration_no"),
            # Serves icontains (UPPER(legal_name) LIKE UPPER('%term%')) without a table scan.
            GinIndex(
                OpClass(Upper("legal_name"), name="gin_trgm_ops"),
                name="idx_merchants_legal_name_trgm",
            ),
            # The review queue's search: an LEI exactly, a person's name by part (people as
            # text, the expression a JSONField icontains compares; migration 0006).
            models.Index(fields=["lei"], name="idx_merchants_lei"),
            GinIndex(
                OpClass(Upper(Cast("people", models.TextField())), name="gin_trgm_ops"),
                name="idx_merchants_people_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def tax_id_masked(self) -> str:
        return f"****{self.tax_id_last4}" if self.tax_id_encrypted else ""


class MerchantErasure(models.Model):
    """The audit row of one erasure: who asked, when, what was scrubbed, until when the skeleton
    is kept and when it was purged. It holds no personal data and outlives the merchant row
    (``merchant_id`` is not a foreign key for that reason)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(Integrator, on_delete=models.PROTECT, related_name="+")
    merchant_id = models.UUIDField(unique=True)
    requested_by = models.CharField(max_length=150, help_text="'api_key:<prefix>' or a username")
    erased_at = models.DateTimeField()
    retain_until = models.DateTimeField(help_text="the skeleton is purged after this")
    purged_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, help_text="what was scrubbed, as counts")

    class Meta:
        db_table = "merchant_erasures"
        indexes = [
            models.Index(
                fields=["retain_until"],
                condition=Q(purged_at=None),
                name="idx_merchant_erasures_due",
            )
        ]

    def __str__(self) -> str:
        return f"erasure of {self.merchant_id}"


class MerchantChange(models.Model):
    """Audit row of a merchant update, written in the same transaction by
    ``merchants.services.merchant_update``, whoever made it: the integrator through the API or
    an operator in the admin. It names the fields, never their values (personal data)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="changes")
    actor = models.CharField(max_length=150, help_text="'api_key:<prefix>' or 'user:<username>'")
    fields = ArrayField(models.CharField(max_length=64), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "merchant_changes"
        indexes = [
            models.Index(fields=["merchant", "-created_at"], name="idx_merchant_changes_merchant")
        ]

    def __str__(self) -> str:
        return f"{', '.join(self.fields)} of {self.merchant_id} by {self.actor}"
