"""Writes of the merchants app: merchants (tax id encrypted at rest)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kyb import events
from kyb.crypto import encrypt, normalise_identifier, search_hash
from kyb.db import conflict_on
from kyb.errors import Conflict
from kyb.tenancy.models import Integrator
from merchants.models import Merchant, MerchantChange
from merchants.selectors import merchant_data, public


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


def _merchant_updated_publish(merchant: Merchant, change: MerchantChange) -> None:
    """Announce ``merchant.updated``; the public representation is rendered only if a
    subscriber wants it. The subject is the audit row (``change.merchant``, who, which fields):
    verifications closes an open request for information when the integrator updates."""
    events.publish(
        "merchant.updated",
        integrator_id=merchant.integrator_id,
        payload=lambda: public(merchant_data(merchant)),
        livemode=merchant.livemode,
        subject=change,
    )


UNIQUE_EXTERNAL_ID = "uniq_merchants_tenant_mode_external_id"
MERCHANT_EXISTS = "A merchant with this external_id already exists."


def merchant_fields(*, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validated input (``merchants.serializers.merchant_input_clean``, or the same serializer's
    ``run_validation``) as the model's field values: JSON-ready, the tax id already encrypted.
    What a batch stores per item until its merchant is created (``Merchant(**values)``)."""
    values = _json_ready(dict(fields))
    values.update(_tax_id_fields(values.pop("tax_id", "")))
    return values


def merchant_create(
    *, integrator: Integrator, fields: Mapping[str, Any], livemode: bool = True
) -> Merchant:
    """Create a merchant from validated input (``merchants.serializers.merchant_input_clean``:
    the API, internal submissions, the admin and the demo seeder all validate with it), in
    ``livemode`` (``False``: a sandbox merchant, docs/sandbox.md). The tax id is stored
    encrypted. A duplicate external id (per integrator and mode) is a 409 ``merchant_exists``."""
    merchant = Merchant(integrator=integrator, livemode=livemode, **merchant_fields(fields=fields))
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
        change = MerchantChange.objects.create(
            merchant=merchant,
            actor=actor[:150],
            fields=sorted({"tax_id" if name.startswith("tax_id_") else name for name in changed}),
        )
        _merchant_updated_publish(merchant, change)
    return merchant
