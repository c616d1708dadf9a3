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


def _tax_id_fields(tax_id: str) -> dict[str, str]:
    cleaned = normalise_identifier(tax_id)
    return {
        "tax_id_encrypted": encrypt(cleaned) if cleaned else "",
        "tax_id_hash": search_hash(cleaned) if cleaned else "",
        # The last 4 characters are shown only when they are at most half of the id: a shorter
        # id (a typo, or a scheme with short numbers) is masked entirely.
        "tax_id_last4": cleaned[-4:] if len(cleaned) >= 8 else "",
    }


def _apply_tax_id(merchant: Merchant, tax_id: str) -> None:
    for name, value in _tax_id_fields(tax_id).items():
        setattr(merchant, name, value)


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


def merchant_fields(
    *, data: Mapping[str, Any], serializer: MerchantInputSerializer | None = None
) -> dict[str, Any]:
    """Validate ``data`` (the API's rules; raises DRF ``ValidationError``) into the model's
    field values, JSON-ready, the tax id already encrypted: what a batch stores per item until
    its merchant is created (``Merchant(integrator=..., **fields)``).

    A caller validating many payloads passes one unbound ``MerchantInputSerializer()`` for all
    of them: DRF deep-copies every declared field for each new serializer, which is most of
    the cost of validating a small payload (the validation itself keeps no state)."""
    validated = (serializer or MerchantInputSerializer()).run_validation(data)
    fields = _json_ready(dict(validated))
    fields.update(_tax_id_fields(fields.pop("tax_id", "")))
    return fields


def merchant_create(
    *, integrator: Integrator, data: Mapping[str, Any], livemode: bool = True
) -> Merchant:
    """Validate ``data`` (the API's rules; raises DRF ``ValidationError``) and create, in
    ``livemode`` (``False``: a sandbox merchant, docs/sandbox.md)."""
    merchant = Merchant(integrator=integrator, livemode=livemode, **merchant_fields(data=data))
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
