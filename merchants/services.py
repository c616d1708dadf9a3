"""Writes of the merchants app: integrators, API keys, merchants (tax id encrypted at rest)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kyb import events
from kyb.api.keys import NewKey, api_key_generate
from kyb.crypto import encrypt, normalise_identifier, search_hash
from kyb.db import conflict_on
from kyb.errors import Conflict
from merchants.models import (
    ApiKey,
    ApiKeyEvent,
    ApiKeyEventAction,
    ApiKeyScope,
    Integrator,
    Merchant,
    MerchantChange,
)
from merchants.selectors import merchant_data, public


def integrator_get_or_create(*, name: str) -> Integrator:
    integrator, _ = Integrator.objects.get_or_create(name=name)
    return integrator


def api_key_create(
    *,
    integrator: Integrator,
    scopes: Iterable[str] = ("read", "write"),
    name: str = "",
    actor: str = "system",
) -> tuple[ApiKey, NewKey]:
    """Create a key, audited; the plaintext exists only in the returned NewKey (shown once)."""
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(ApiKeyScope.values)
    if unknown or not scopes:
        raise ValueError(f"scopes must be a non-empty subset of {ApiKeyScope.values}")
    new = api_key_generate()
    with transaction.atomic():
        key = ApiKey.objects.create(
            integrator=integrator,
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


def _apply_tax_id(merchant: Merchant, tax_id: str) -> None:
    cleaned = normalise_identifier(tax_id)
    merchant.tax_id_encrypted = encrypt(cleaned) if cleaned else ""
    merchant.tax_id_hash = search_hash(cleaned) if cleaned else ""
    # The last 4 characters are shown only when they are at most half of the id: a shorter
    # id (a typo, or a scheme with short numbers) is masked entirely.
    merchant.tax_id_last4 = cleaned[-4:] if len(cleaned) >= 8 else ""


def _json_ready(data: dict[str, Any]) -> dict[str, Any]:
    """Dates and decimals in people become strings so they fit the JSON columns."""
    people = data.get("people")
    if people is not None:
        data["people"] = [
            {
                **person,
                "ownership_pct": None
                if person.get("ownership_pct") is None
                else str(person["ownership_pct"]),
                "date_of_birth": None
                if person.get("date_of_birth") is None
                else person["date_of_birth"].isoformat(),
            }
            for person in people
        ]
    return data


def _merchant_updated_publish(merchant: Merchant) -> None:
    """Announce ``merchant.updated``; the public representation is rendered only if a
    subscriber wants it."""
    events.publish(
        "merchant.updated",
        integrator_id=merchant.integrator_id,
        payload=lambda: public(merchant_data(merchant)),
    )


UNIQUE_EXTERNAL_ID = "uniq_merchants_integrator_external_id"
MERCHANT_EXISTS = "A merchant with this external_id already exists."


def merchant_create(*, integrator: Integrator, fields: Mapping[str, Any]) -> Merchant:
    """Create a merchant from validated input (``merchants.serializers.merchant_input_clean``:
    the API, internal submissions, the admin and the demo seeder all validate with it). The tax
    id is stored encrypted. A duplicate external id is a 409 ``merchant_exists``."""
    values = _json_ready(dict(fields))
    tax_id = values.pop("tax_id", "")
    merchant = Merchant(integrator=integrator, **values)
    _apply_tax_id(merchant, tax_id)
    with conflict_on(UNIQUE_EXTERNAL_ID, code="merchant_exists", message=MERCHANT_EXISTS):
        merchant.save(force_insert=True)
    return merchant


def merchant_ensure_editable(*, merchant: Merchant) -> None:
    """An erased merchant is frozen: 409 ``merchant_erased``. Callers that validate input
    first (the API) ask this before, so an erased merchant answers 409 whatever the input."""
    if merchant.erased_at is not None:
        from merchants.erasure import MERCHANT_ERASED_MESSAGE

        raise Conflict("merchant_erased", MERCHANT_ERASED_MESSAGE)


def merchant_update(*, merchant: Merchant, fields: Mapping[str, Any], actor: str) -> Merchant:
    """Partial update from validated input (``merchant_input_clean(..., partial=True)``): only
    the given fields are written. Audited (``MerchantChange``: who, which fields, never the
    values) and announced (``merchant.updated``) in the same transaction. An erased merchant
    is a 409 ``merchant_erased``."""
    merchant_ensure_editable(merchant=merchant)
    values = _json_ready(dict(fields))
    changed: list[str] = []
    if "tax_id" in values:
        _apply_tax_id(merchant, values.pop("tax_id"))
        changed += ["tax_id_encrypted", "tax_id_hash", "tax_id_last4"]
    for name, value in values.items():
        setattr(merchant, name, value)
        changed.append(name)
    if not changed:
        return merchant
    with conflict_on(UNIQUE_EXTERNAL_ID, code="merchant_exists", message=MERCHANT_EXISTS):
        merchant.save(update_fields=[*changed, "updated_at"])
        MerchantChange.objects.create(
            merchant=merchant,
            actor=actor[:150],
            fields=sorted({"tax_id" if name.startswith("tax_id_") else name for name in changed}),
        )
        _merchant_updated_publish(merchant)
    return merchant
