"""GLEIF API v1 (https://api.gleif.org/api/v1): LEI records by LEI, or by legal name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings

from verifications import names
from verifications.registries.base import Lookup, RegistryRecord
from verifications.registries.http import get_json

PROVIDER = "gleif"
NAME_MATCH = 0.85


def record_from_api(data: Mapping[str, Any], *, as_of: str = "") -> RegistryRecord:
    """A ``lei-records`` resource (the API's ``data`` object) as a RegistryRecord."""
    attributes = data.get("attributes") or {}
    entity = attributes.get("entity") or {}
    registration = attributes.get("registration") or {}
    status = str(entity.get("status") or "")
    return RegistryRecord(
        provider=PROVIDER,
        identifier=str(attributes.get("lei") or data.get("id") or ""),
        legal_name=str((entity.get("legalName") or {}).get("name") or ""),
        country=str((entity.get("legalAddress") or {}).get("country") or ""),
        active={"ACTIVE": True, "INACTIVE": False}.get(status),
        status=status,
        registration_status=str(registration.get("status") or ""),
        other_names=tuple(
            str(other.get("name")) for other in entity.get("otherNames") or [] if other.get("name")
        ),
        url=str((data.get("links") or {}).get("self") or ""),
        as_of=as_of,
        extra={
            "jurisdiction": entity.get("jurisdiction"),
            "category": entity.get("category"),
            "registered_as": entity.get("registeredAs"),
        },
    )


class GleifAdapter:
    """Looks up by LEI when given, else searches legal names within the country."""

    name = PROVIDER

    def applies(self, snapshot: Mapping[str, Any]) -> bool:
        return bool(snapshot.get("lei") or snapshot.get("legal_name"))

    def lookup(self, snapshot: Mapping[str, Any]) -> Lookup:
        base = settings.GLEIF_API_URL.rstrip("/")
        lei = str(snapshot.get("lei") or "").upper()
        if lei:
            body = get_json(PROVIDER, f"{base}/lei-records/{quote(lei)}")
            record = None
            if body and body.get("data"):
                record = record_from_api(body["data"], as_of=_publish_date(body))
            return Lookup(PROVIDER, {"lei": lei}, record)
        legal_name = str(snapshot["legal_name"])
        params = {
            "filter[entity.legalName]": legal_name,
            "filter[entity.legalAddress.country]": str(snapshot.get("country") or ""),
            "page[size]": "5",
        }
        body = get_json(PROVIDER, f"{base}/lei-records?{urlencode(params)}")
        candidates = [
            record_from_api(d, as_of=_publish_date(body)) for d in (body or {}).get("data") or []
        ]
        best = max(
            candidates, key=lambda r: names.similarity(legal_name, r.legal_name), default=None
        )
        if best is not None and names.similarity(legal_name, best.legal_name) < NAME_MATCH:
            best = None
        return Lookup(PROVIDER, {"legal_name": legal_name}, best)


def _publish_date(body: Any) -> str:
    try:
        return str(body["meta"]["goldenCopy"]["publishDate"])
    except (KeyError, TypeError):
        return ""
