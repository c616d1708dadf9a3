"""The verifications app's part of a merchant erasure (see ``merchants.erasure``).

Personal data reaches our rows here as: the input snapshot of each run, check evidence and
messages (the names screened, the website's page text, anything a provider echoed), analysts'
free text (decision reasons, information requests, audit reasons, cleared-hit notes) and job
errors. Known places are reduced to their skeleton; everything else is swept for the merchant's
personal values, so a copy nobody thought of is scrubbed too. Kept: statuses, decisions, scores,
reason codes, the watchlists screened against (list versions), the hits' list entity ids and
scores, and every timestamp.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from typing import Any

from merchants.erasure import ERASED, register
from merchants.models import Merchant
from screening.models import ClearedHit
from verifications.models import (
    AnalystAction,
    BusinessVerification,
    PipelineJob,
    VerificationEvent,
)

SYSTEM_ACTOR = "system"
SNAPSHOT_KEPT: tuple[str, ...] = ("merchant_id", "legal_name", "registration_number", "lei")
SNAPSHOT_KEPT += ("country", "subdivision", "declared_mcc")
HIT_KEPT = ("entity_id", "list", "score", "match")
WEBSITE_EVIDENCE_KEPT = ("status", "tls", "elapsed_ms", "bytes", "name_found", "tls_error")
MIN_VALUE_LENGTH = 3  # shorter values ("GB", "1") would scrub innocent text
# Keys whose values describe, not identify (a role, a share, a country code): not swept for.
NOT_PERSONAL_KEYS = frozenset({"role", "ownership_pct", "country"})


def personal_values(merchant: Merchant) -> list[str]:
    """Every personal string the merchant holds, lower-cased, longest first."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if len(value.strip()) >= MIN_VALUE_LENGTH:
                found.add(value.strip().lower())
        elif isinstance(value, dict):
            for key, item in value.items():
                if key not in NOT_PERSONAL_KEYS:
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk([merchant.dba_name, merchant.website, merchant.email, merchant.phone])
    walk([merchant.description, merchant.address, merchant.people, merchant.metadata])
    if merchant.tax_id_encrypted:
        from kyb.crypto import decrypt

        with contextlib.suppress(ValueError):  # a token of a retired key: nothing to match
            walk(decrypt(merchant.tax_id_encrypted))
    return sorted(found, key=len, reverse=True)


def scrub(value: Any, values: Iterable[str]) -> Any:
    """``value`` with every string that contains a personal value replaced by ``[erased]``."""
    values = list(values)
    if isinstance(value, str):
        lowered = value.lower()
        return ERASED if any(v in lowered for v in values) else value
    if isinstance(value, dict):
        return {k: scrub(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, values) for v in value]
    return value


def _skeleton_sanctions(evidence: dict[str, Any]) -> dict[str, Any]:
    screened = [
        {
            "type": subject.get("type"),
            "role": subject.get("role"),
            "hits": [{k: h.get(k) for k in HIT_KEPT} for h in subject.get("hits", [])],
        }
        for subject in evidence.get("screened", [])
    ]
    return {"lists": evidence.get("lists", []), "screened": screened}


def skeleton_checks(checks: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """Check results without personal data: statuses, reason codes, sources, timings kept."""
    kept: dict[str, Any] = {}
    for name, result in checks.items():
        if not isinstance(result, dict):
            continue
        evidence = result.get("evidence") or {}
        if name == "sanctions":
            evidence = _skeleton_sanctions(evidence)
        elif name == "website":
            evidence = {k: evidence[k] for k in WEBSITE_EVIDENCE_KEPT if k in evidence}
        elif name == "industry":
            evidence = {}
        message = "" if name in {"website", "industry"} else result.get("message", "")
        kept[name] = scrub({**result, "message": message, "evidence": evidence}, values)
    return kept


def verifications_erase(merchant: Merchant) -> dict[str, int]:
    values = personal_values(merchant)
    verifications = list(BusinessVerification.objects.filter(merchant=merchant).order_by("pk"))
    for verification in verifications:
        snapshot = verification.input_snapshot or {}
        verification.input_snapshot = {
            **{k: snapshot[k] for k in SNAPSHOT_KEPT if k in snapshot},
            "erased": True,
        }
        verification.checks = skeleton_checks(verification.checks or {}, values)
        if verification.decided_by and verification.decided_by != SYSTEM_ACTOR:
            verification.decision_reason = ERASED
        else:
            verification.decision_reason = scrub(verification.decision_reason, values)
        verification.information_requested = ERASED if verification.information_requested else ""
        verification.error_reason = scrub(verification.error_reason, values)
        verification.risk_reasons = scrub(verification.risk_reasons, values)
        verification.save(  # one by one: the save signal invalidates each cached copy
            update_fields=[
                "input_snapshot",
                "checks",
                "decision_reason",
                "information_requested",
                "error_reason",
                "risk_reasons",
                "updated_at",
            ]
        )
    ids = [v.pk for v in verifications]
    events = 0
    for event in VerificationEvent.objects.filter(verification_id__in=ids).exclude(reason=""):
        reason = ERASED if event.actor != SYSTEM_ACTOR else scrub(event.reason, values)
        if reason != event.reason:
            event.reason = reason
            event.save(update_fields=["reason"])
            events += 1
    actions = AnalystAction.objects.filter(merchant=merchant).update(reason=ERASED, detail={})
    cleared = ClearedHit.objects.filter(merchant=merchant).update(reason=ERASED)
    jobs = 0
    for job in PipelineJob.objects.filter(subject_id__in=[str(i) for i in ids]):
        last_error, payload = scrub(job.last_error, values), scrub(job.payload, values)
        if (last_error, payload) != (job.last_error, job.payload):
            job.last_error, job.payload = last_error, payload
            job.save(update_fields=["last_error", "payload", "updated_at"])
            jobs += 1
    return {
        "verifications": len(verifications),
        "verification_events": events,
        "analyst_actions": actions,
        "cleared_hits": cleared,
        "pipeline_jobs": jobs,
    }


def verifications_purge(merchant: Merchant) -> dict[str, int]:
    """Delete the merchant's verifications (classifications, events and actions cascade) and
    their jobs, once the skeleton's retention is over."""
    ids: list[uuid.UUID] = list(
        BusinessVerification.objects.filter(merchant=merchant).values_list("pk", flat=True)
    )
    jobs = PipelineJob.objects.filter(subject_id__in=[str(i) for i in ids]).delete()[0]
    Merchant.objects.filter(pk=merchant.pk).update(verification=None)
    deleted = BusinessVerification.objects.filter(pk__in=ids).delete()[0]
    return {"verifications": len(ids), "rows": deleted + jobs}


def connect() -> None:
    register(eraser=verifications_erase, purger=verifications_purge)
