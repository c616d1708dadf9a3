"""Writes of tenancy: integrators and API keys, every key change audited with its actor."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from kyb.api.keys import NewKey, api_key_generate
from kyb.tenancy.models import ApiKey, ApiKeyEvent, ApiKeyEventAction, ApiKeyScope, Integrator


def integrator_get_or_create(*, name: str) -> Integrator:
    integrator, _ = Integrator.objects.get_or_create(name=name)
    return integrator


def api_key_create(
    *,
    integrator: Integrator,
    scopes: Iterable[str] = ("read", "write"),
    name: str = "",
    actor: str = "system",
    livemode: bool = True,
) -> tuple[ApiKey, NewKey]:
    """Create a key, audited; the plaintext exists only in the returned NewKey (shown once).
    ``livemode=False`` makes a sandbox key (``kyb_test_…``; docs/sandbox.md)."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(ApiKeyScope.values)
    if unknown or not scopes:
        raise ValueError(f"scopes must be a non-empty subset of {ApiKeyScope.values}")
    new = api_key_generate(livemode=livemode)
    with transaction.atomic():
        key = ApiKey.objects.create(
            integrator=integrator,
            livemode=livemode,
            name=name,
            prefix=new.prefix,
            key_hash=new.key_hash,
            scopes=scopes,
        )
        _api_key_audit(key, ApiKeyEventAction.CREATED, actor)
    return key, new


def api_key_revoke(*, key: ApiKey, actor: str = "system") -> ApiKey:
    """Revoke a key, audited; revoking a revoked key changes nothing."""
    with transaction.atomic():
        # Locked and re-read: two revocations at once audit one revocation.
        revoked_at = ApiKey.objects.select_for_update().values_list("revoked_at", flat=True)
        key.revoked_at = revoked_at.get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            _api_key_audit(key, ApiKeyEventAction.REVOKED, actor)
    return key


def _api_key_audit(key: ApiKey, action: str, actor: str) -> None:
    ApiKeyEvent.objects.create(
        integrator_id=key.integrator_id, api_key=key, action=action, actor=actor[:150]
    )
