"""The merchants integrators submit (the integrators and their keys: kyb/tenancy)."""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Upper

from merchants.lookups import PersonNameContains


class Merchant(models.Model):
    """A business an integrator wants to onboard. ``verification`` points at the latest run.

    The tax id is stored encrypted (``tax_id_encrypted``), searchable by exact value through a
    keyed hash (``tax_id_hash``) and shown masked from ``tax_id_last4``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    integrator = models.ForeignKey(
        "tenancy.Integrator", on_delete=models.PROTECT, related_name="merchants"
    )
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
    # False: submitted with a sandbox key (docs/sandbox.md). Live and sandbox keys of one
    # integrator never see each other's merchants.
    livemode = models.BooleanField(default=True)
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
                fields=["integrator", "livemode", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_merchants_tenant_mode_external_id",
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
                fields=["integrator", "livemode", "created_at", "id"],
                name="idx_merchants_tenant_mode",
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
    integrator = models.ForeignKey("tenancy.Integrator", on_delete=models.PROTECT, related_name="+")
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


# The console's person search (merchants.lookups): part of a person's name, not of the JSON.
Merchant._meta.get_field("people").register_lookup(PersonNameContains)
