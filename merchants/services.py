"""Writes of the merchants app: merchants (tax id encrypted at rest)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from kyb.crypto import encrypt, normalise_identifier, search_hash
from kyb.errors import Conflict
from kyb.tenancy.models import Integrator
from merchants.models import Merchant
from merchants.serializers import MerchantInputSerializer, MerchantUpdateSerializer


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


def merchant_create(
    *, integrator: Integrator, data: Mapping[str, Any], livemode: bool = True
) -> Merchant:
    """Validate ``data`` (the API's rules; raises DRF ``ValidationError``) and create, in
    ``livemode`` (``False``: a sandbox merchant, docs/sandbox.md)."""
    serializer = MerchantInputSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    fields = _json_ready(dict(serializer.validated_data))
    tax_id = fields.pop("tax_id", "")
    merchant = Merchant(integrator=integrator, livemode=livemode, **fields)
    _apply_tax_id(merchant, tax_id)
    try:
        with transaction.atomic():
            merchant.save(force_insert=True)
    except IntegrityError as exc:
        if "uniq_merchants_tenant_mode_external_id" in str(exc):
            raise Conflict(
                "merchant_exists", "A merchant with this external_id already exists."
            ) from exc
        raise
    return merchant


def merchant_update(*, merchant: Merchant, data: Mapping[str, Any]) -> Merchant:
    """Partial update with the create rules; only the given fields are written. Emits
    ``merchant.updated`` in the same transaction."""
    from webhooks.services import webhook_on_merchant_updated

    if merchant.erased_at is not None:
        from merchants.erasure import MERCHANT_ERASED_MESSAGE

        raise Conflict("merchant_erased", MERCHANT_ERASED_MESSAGE)
    serializer = MerchantUpdateSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    fields = _json_ready(dict(serializer.validated_data))
    changed: list[str] = []
    if "tax_id" in fields:
        _apply_tax_id(merchant, fields.pop("tax_id"))
        changed += ["tax_id_encrypted", "tax_id_hash", "tax_id_last4"]
    for name, value in fields.items():
        setattr(merchant, name, value)
        changed.append(name)
    if not changed:
        return merchant
    try:
        with transaction.atomic():
            merchant.save(update_fields=[*changed, "updated_at"])
            webhook_on_merchant_updated(merchant)
    except IntegrityError as exc:
        if "uniq_merchants_tenant_mode_external_id" in str(exc):
            raise Conflict(
                "merchant_exists", "A merchant with this external_id already exists."
            ) from exc
        raise
    return merchant
