"""Reads of the merchants app, always scoped to the caller's integrator."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from kyb.cache import cache_get_or_fill, resource_owner
from kyb.crypto import search_hash
from kyb.db import fetch_one
from kyb.errors import NotFound
from kyb.formats import iso_utc
from kyb.tenancy.models import Integrator
from merchants.models import Merchant

MERCHANT_NAMESPACE = "merchant"
_MERCHANT_OF_TENANT = '"integrator_id" = %s AND "livemode" = %s AND "id" = %s'


def merchant_list(
    *,
    integrator: Integrator,
    livemode: bool = True,
    tax_id: str | None = None,
    external_id: str | None = None,
    country: str | None = None,
) -> QuerySet[Merchant]:
    qs = Merchant.objects.filter(integrator=integrator, livemode=livemode)
    if tax_id:
        qs = qs.filter(tax_id_hash=search_hash(tax_id))
    if external_id:
        qs = qs.filter(external_id=external_id)
    if country:
        qs = qs.filter(country=country.upper())
    return qs


def merchant_get(
    *, integrator: Integrator, merchant_id: uuid.UUID | str, livemode: bool = True
) -> Merchant:
    """The tenant's merchant in this mode; another tenant's or the other mode's is "not found".
    Fixed SQL: every POST of a known merchant's verification reads it."""
    try:
        pk = uuid.UUID(str(merchant_id))
    except ValueError:
        raise NotFound("not_found", "Merchant not found.") from None  # malformed: no row has it
    merchant = fetch_one(Merchant, _MERCHANT_OF_TENANT, [integrator.pk, livemode, pk])
    if merchant is None:
        raise NotFound("not_found", "Merchant not found.")
    return merchant


# What the business says about itself, beyond its names: shown by the API as stored, and frozen
# into each verification's input snapshot (``verifications.services.merchant_snapshot``).
PROFILE_FIELDS = (
    "lei",
    "country",
    "subdivision",
    "address",
    "website",
    "email",
    "phone",
    "description",
    "declared_mcc",
)


def merchant_profile(merchant: Merchant) -> dict[str, Any]:
    return {name: getattr(merchant, name) for name in PROFILE_FIELDS}


def merchant_data(merchant: Merchant) -> dict[str, Any]:
    """The API representation as plain JSON data (what the cache stores)."""
    people = [
        {
            "name": p.get("name", ""),
            "role": p.get("role", ""),
            "ownership_pct": p.get("ownership_pct"),
            "year_of_birth": int(p["date_of_birth"][:4]) if p.get("date_of_birth") else None,
            "country": p.get("country", ""),
        }
        for p in merchant.people
    ]
    return {
        "id": str(merchant.id),
        "livemode": merchant.livemode,
        "external_id": merchant.external_id,
        "legal_name": merchant.legal_name,
        "dba_name": merchant.dba_name,
        "registration_number": merchant.registration_number,
        "tax_id": merchant.tax_id_masked,
        **merchant_profile(merchant),
        "people": people,
        "metadata": merchant.metadata,
        "latest_verification_id": str(merchant.verification_id)
        if merchant.verification_id
        else None,
        "created_at": iso_utc(merchant.created_at),
        "updated_at": iso_utc(merchant.updated_at),
        "_integrator_id": str(merchant.integrator_id),
        "_owner": resource_owner(merchant.integrator_id, merchant.livemode),
    }


def merchant_get_data(
    *, integrator: Integrator, merchant_id: uuid.UUID, livemode: bool = True
) -> dict[str, Any]:
    """Cache-aside read of ``merchant:{id}``; another integrator's merchant, or one of the
    other mode, is "not found"."""

    def load() -> dict[str, Any] | None:
        merchant = Merchant.objects.filter(pk=merchant_id).first()
        return merchant_data(merchant) if merchant else None

    data = cache_get_or_fill(
        MERCHANT_NAMESPACE,
        merchant_id,
        ttl=settings.CACHE_TTL_MERCHANT,
        not_found_ttl=settings.CACHE_TTL_NOT_FOUND,
        loader=load,
    )
    owner = resource_owner(integrator.id, livemode)
    # Entries cached before modes existed have no "_owner": they are all live.
    if not isinstance(data, dict) or data.get("_owner", data.get("_integrator_id")) != owner:
        raise NotFound("not_found", "Merchant not found.")
    return public(data)


def public(data: dict[str, Any]) -> dict[str, Any]:
    """Drop internal keys (prefixed ``_``) before a payload leaves the API."""
    return {k: v for k, v in data.items() if not k.startswith("_")}
