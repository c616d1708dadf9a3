"""Identifiers check: tax id, registration number and LEI validated for the merchant's country
(python-stdnum; a regex where stdnum has no module, e.g. UK company numbers).

A well-formed LEI that fails the ISO 17442 check digits is a *warning*: GLEIF still carries
legacy pre-LEI codes issued before the standard (registry/gleif_real_leis_failing_... in the
reference data), so rejecting them would turn away real, registered businesses.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from stdnum import lei as stdnum_lei
from stdnum.exceptions import InvalidChecksum, ValidationError

from verifications.checks.base import CheckResult, CheckStatus

SOURCE = "python-stdnum"

# stdnum modules that validate a business tax id, per country (first that validates wins).
TAX_ID_MODULES: dict[str, tuple[str, ...]] = {
    "US": ("us.ein",),
    "GB": ("gb.utr", "gb.vat"),
    "DE": ("de.stnr", "de.vat"),
    "FR": ("fr.siren", "fr.tva"),
    "IN": ("in_.pan", "in_.gstin"),
    "CA": ("ca.bn",),
    "AU": ("au.abn", "au.tfn"),
    "BR": ("br.cnpj",),
    "MX": ("mx.rfc",),
    "ES": ("es.cif", "es.nif"),
    "IT": ("it.iva",),
    "NL": ("nl.btw",),
    "PL": ("pl.nip",),
    "CH": ("ch.uid",),
}
# Company registration numbers.
REGISTRATION_MODULES: dict[str, tuple[str, ...]] = {
    "DE": ("de.handelsregisternummer",),
    "FR": ("fr.siren", "fr.siret"),
    "NO": ("no.orgnr",),
    "SE": ("se.orgnr",),
    "DK": ("dk.cvr",),
    "FI": ("fi.ytunnus",),
    "EE": ("ee.registrikood",),
    "PL": ("pl.regon",),
    "AU": ("au.acn",),
    "CH": ("ch.uid",),
}
# Companies House numbers: 8 digits, or a 2-letter prefix (SC, NI, OC, SO, LP, ...) + 6 digits.
REGISTRATION_PATTERNS: dict[str, re.Pattern[str]] = {
    "GB": re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6}|R\d{7})$"),
}
LEI_SHAPE = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"stdnum.{name}")


def _validate_with(modules: tuple[str, ...], value: str) -> tuple[bool | None, str]:
    """(valid?, detail); None when no module applies."""
    if not modules:
        return None, "no validator for this country"
    errors = []
    for name in modules:
        try:
            _module(name).validate(value)
            # The value itself is never echoed: a tax id must not reach the evidence.
            return True, f"valid {name.replace('_', '')}"
        except ValidationError as exc:
            errors.append(f"{name.replace('_', '')}: {exc}")
    return False, "; ".join(errors)


def _check_lei(value: str) -> dict[str, Any]:
    lei = value.strip().upper()
    try:
        stdnum_lei.validate(lei)
        return {"valid": True, "detail": "valid ISO 17442 LEI"}
    except InvalidChecksum:
        if LEI_SHAPE.match(lei):
            return {"valid": True, "legacy": True, "detail": "check digits fail: legacy pre-LEI"}
        return {"valid": False, "detail": "invalid LEI check digits"}
    except ValidationError as exc:
        return {"valid": False, "detail": f"invalid LEI: {exc}"}


def _check_registration(country: str, value: str) -> dict[str, Any]:
    pattern = REGISTRATION_PATTERNS.get(country)
    if pattern is not None:
        compact = re.sub(r"[\s.-]", "", value).upper()
        ok = bool(pattern.match(compact))
        return {"valid": ok, "detail": f"{country} company number format {'ok' if ok else 'bad'}"}
    valid, detail = _validate_with(REGISTRATION_MODULES.get(country, ()), value)
    return {"valid": valid, "detail": detail}


def _check_tax_id(country: str, value: str) -> dict[str, Any]:
    valid, detail = _validate_with(TAX_ID_MODULES.get(country, ()), value)
    return {"valid": valid, "detail": detail}


def check_identifiers(snapshot: Mapping[str, Any]) -> CheckResult:
    """Validate every identifier the merchant gave; invalid ones fail the check."""
    country = str(snapshot.get("country", "")).upper()
    found: dict[str, dict[str, Any]] = {}
    if snapshot.get("lei"):
        found["lei"] = _check_lei(str(snapshot["lei"]))
    if snapshot.get("registration_number"):
        found["registration_number"] = _check_registration(
            country, str(snapshot["registration_number"])
        )
    tax_id = snapshot.get("_tax_id") or ""
    if tax_id:
        # The plaintext never enters the evidence: only the verdict does.
        found["tax_id"] = _check_tax_id(country, str(tax_id))
    if not found:
        return CheckResult(CheckStatus.NEUTRAL, "no identifiers to validate", SOURCE)
    invalid = [name for name, r in found.items() if r["valid"] is False]
    legacy = [name for name, r in found.items() if r.get("legacy")]
    unchecked = [name for name, r in found.items() if r["valid"] is None]
    evidence = {"country": country, "identifiers": found}
    if invalid:
        return CheckResult(
            CheckStatus.FAILURE,
            f"invalid identifier(s): {', '.join(invalid)}",
            SOURCE,
            evidence,
            reasons=["identifier_invalid"],
        )
    if legacy:
        return CheckResult(
            CheckStatus.WARNING,
            "LEI fails the ISO 17442 check digits (legacy pre-LEI code)",
            SOURCE,
            evidence,
            reasons=["identifier_legacy_lei"],
        )
    if len(unchecked) == len(found):
        return CheckResult(CheckStatus.NEUTRAL, f"no validator for {country}", SOURCE, evidence)
    return CheckResult(CheckStatus.SUCCESS, "identifiers are well-formed", SOURCE, evidence)
