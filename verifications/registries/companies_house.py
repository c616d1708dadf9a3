"""UK Companies House public data API: ``GET /company/{company_number}`` (HTTP basic auth with
the API key as user name). Only for GB merchants with a registration number and a key."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from django.conf import settings

from verifications.registries.base import Lookup, RegistryRecord
from verifications.registries.http import get_json

PROVIDER = "companies_house"
# company_status values that mean the company trades; everything else (dissolved,
# liquidation, administration, receivership, converted-closed, ...) is not active.
ACTIVE_STATUSES = frozenset({"active", "open", "registered", "voluntary-arrangement"})


def record_from_api(body: Mapping[str, Any]) -> RegistryRecord:
    """A company profile resource as a RegistryRecord."""
    status = str(body.get("company_status") or "")
    number = str(body.get("company_number") or "")
    return RegistryRecord(
        provider=PROVIDER,
        identifier=number,
        legal_name=str(body.get("company_name") or ""),
        country="GB",
        active=(status in ACTIVE_STATUSES) if status else None,
        status=status,
        other_names=tuple(
            str(p.get("company_name")) for p in body.get("previous_company_names") or []
        ),
        url=f"https://find-and-update.company-information.service.gov.uk/company/{number}",
        extra={
            "type": body.get("type"),
            "jurisdiction": body.get("jurisdiction"),
            "date_of_creation": body.get("date_of_creation"),
            "date_of_cessation": body.get("date_of_cessation"),
            "sic_codes": body.get("sic_codes") or [],
            "registered_office_address": body.get("registered_office_address") or {},
        },
    )


class CompaniesHouseAdapter:
    """Looks a GB company up by its Companies House number."""

    name = PROVIDER

    def applies(self, snapshot: Mapping[str, Any]) -> bool:
        return (
            str(snapshot.get("country") or "").upper() == "GB"
            and bool(snapshot.get("registration_number"))
            and bool(settings.COMPANIES_HOUSE_API_KEY)
        )

    def lookup(self, snapshot: Mapping[str, Any]) -> Lookup:
        number = re.sub(r"\s", "", str(snapshot["registration_number"])).upper()
        token = base64.b64encode(f"{settings.COMPANIES_HOUSE_API_KEY}:".encode()).decode()
        base = settings.COMPANIES_HOUSE_API_URL.rstrip("/")
        body = get_json(
            PROVIDER, f"{base}/company/{quote(number)}", headers={"Authorization": f"Basic {token}"}
        )
        record = record_from_api(body) if body and body.get("company_number") else None
        return Lookup(PROVIDER, {"company_number": number}, record)
