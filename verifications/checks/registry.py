"""Registry check: is the business in a register, under this name, and still active?

Adapters are tried in the run's order (``REGISTRY_ADAPTERS`` live; the sandbox's recorded
register in a sandbox run, ``verifications.environment``); the first record found decides. If a
provider could not answer and none found the business, the check is ``neutral`` (the missing
provider might have known it): that sends the merchant to review, never to approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from verifications import names
from verifications.checks.base import CheckResult, CheckStatus
from verifications.environment import current_environment
from verifications.registries import ProviderUnavailable, RegistryRecord

NAME_MATCH = 0.85


def _name_score(snapshot: Mapping[str, Any], record: RegistryRecord) -> float:
    ours = [str(snapshot.get("legal_name") or ""), str(snapshot.get("dba_name") or "")]
    theirs = [record.legal_name, *record.other_names]
    return max((names.similarity(a, b) for a in ours if a for b in theirs if b), default=0.0)


def _judge(
    snapshot: Mapping[str, Any], record: RegistryRecord, evidence: dict[str, Any]
) -> CheckResult:
    score = round(_name_score(snapshot, record), 3)
    evidence.update(record=record.as_dict(), name_similarity=score)
    source = record.provider
    if record.active is False:
        return CheckResult(
            CheckStatus.FAILURE,
            f"{record.legal_name} is {record.status or 'inactive'} in {source}",
            source,
            evidence,
            reasons=["registry_inactive"],
        )
    reasons = []
    if score < NAME_MATCH:
        reasons.append("registry_name_mismatch")
    country = str(snapshot.get("country") or "").upper()
    if record.country and country and record.country.upper() != country:
        reasons.append("registry_country_mismatch")
    if record.registration_status.upper() == "LAPSED":
        reasons.append("registry_lei_lapsed")
    if reasons:
        return CheckResult(
            CheckStatus.WARNING,
            f"found {record.identifier} ({record.legal_name}) in {source}: {', '.join(reasons)}",
            source,
            evidence,
            reasons=reasons,
        )
    return CheckResult(
        CheckStatus.SUCCESS,
        f"found {record.identifier} ({record.legal_name}) in {source}, active",
        source,
        evidence,
    )


def check_registry(snapshot: Mapping[str, Any]) -> CheckResult:
    """Look the merchant up in the configured registers and judge the record found."""
    adapters = [a for a in current_environment().registry_adapters() if a.applies(snapshot)]
    if not adapters:
        return CheckResult(CheckStatus.NEUTRAL, "no register applies to this merchant", "registry")
    tried: list[dict[str, Any]] = []
    unavailable: list[str] = []
    for adapter in adapters:
        try:
            lookup = adapter.lookup(snapshot)
        except ProviderUnavailable as exc:
            unavailable.append(str(exc))
            tried.append({"provider": adapter.name, "unavailable": str(exc)})
            continue
        tried.append(
            {"provider": adapter.name, "query": lookup.query, "found": bool(lookup.record)}
        )
        if lookup.record is not None:
            return _judge(snapshot, lookup.record, {"lookups": tried})
    sources = ",".join(a.name for a in adapters)
    if unavailable:
        return CheckResult(
            CheckStatus.NEUTRAL,
            f"register unavailable ({'; '.join(unavailable)}); business not confirmed",
            sources,
            {"lookups": tried},
            reasons=["registry_unavailable"],
        )
    return CheckResult(
        CheckStatus.WARNING,
        "business not found in any register",
        sources,
        {"lookups": tried},
        reasons=["registry_not_found"],
    )
