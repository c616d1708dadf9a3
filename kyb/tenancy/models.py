"""Tenancy: integrators (the tenants) and their API keys, owned by the plumbing package.

Every request is authenticated against these tables (kyb/api/auth.py, kyb/api/keyring.py), so
they live below the domain apps: the domain apps point at ``tenancy.Integrator``, never the
other way round. The table names are the ones the merchants app created them with.
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models


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
    # False: a sandbox key. It sees and creates sandbox objects only, whose verifications run
    # on recorded responses and never call outside services (docs/sandbox.md).
    livemode = models.BooleanField(default=True)
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
