"""The offline register: the ``registry_entities`` table bulk-loaded from GLEIF records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifications import names
from verifications.models import RegistryEntity
from verifications.registries.base import Lookup, RegistryRecord

PROVIDER = "local"


def record_from_row(row: RegistryEntity) -> RegistryRecord:
    return RegistryRecord(
        provider=PROVIDER,
        identifier=row.lei,
        legal_name=row.legal_name,
        country=row.country,
        active={"ACTIVE": True, "INACTIVE": False}.get(row.entity_status),
        status=row.entity_status,
        registration_status=row.registration_status,
        as_of=row.loaded_at.isoformat(),
        extra={"category": row.category, "source": row.source},
    )


class LocalRegistryAdapter:
    """LEI lookup, else an exact match on the normalised name within the country."""

    name = PROVIDER

    def applies(self, snapshot: Mapping[str, Any]) -> bool:
        return bool(snapshot.get("lei") or snapshot.get("legal_name"))

    def lookup(self, snapshot: Mapping[str, Any]) -> Lookup:
        lei = str(snapshot.get("lei") or "").upper()
        if lei:
            row = RegistryEntity.objects.filter(lei=lei).first()
            return Lookup(PROVIDER, {"lei": lei}, record_from_row(row) if row else None)
        key = names.normalise(str(snapshot.get("legal_name") or ""))
        country = str(snapshot.get("country") or "").upper()
        row = RegistryEntity.objects.filter(name_key=key, country=country).order_by("id").first()
        return Lookup(
            PROVIDER, {"name_key": key, "country": country}, record_from_row(row) if row else None
        )
