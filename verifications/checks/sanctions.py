"""Sanctions check: the legal name, the DBA and every person, screened by the screening engine.

The screening match score (how alike two names are) is evidence; it is never the risk score.
Until the screening app is installed and has lists loaded, the check is ``neutral``.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Mapping
from typing import Any

from verifications.checks.base import CheckResult, CheckStatus
from verifications.environment import current_environment

SOURCE = "screening"


def _subjects(snapshot: Mapping[str, Any]) -> list[dict[str, str]]:
    subjects = [
        {
            "role": "legal_name",
            "name": str(snapshot.get("legal_name") or ""),
            "type": "organization",
        }
    ]
    if snapshot.get("dba_name"):
        subjects.append(
            {"role": "dba_name", "name": str(snapshot["dba_name"]), "type": "organization"}
        )
    for person in snapshot.get("people") or []:
        if isinstance(person, Mapping) and person.get("name"):
            subjects.append(
                {
                    "role": f"person:{person.get('role') or 'person'}",
                    "name": str(person["name"]),
                    "type": "person",
                    "country": str(person.get("country") or ""),
                }
            )
    return [s for s in subjects if s["name"].strip()]


def check_sanctions(snapshot: Mapping[str, Any]) -> CheckResult:
    """Screen every name; a match fails the check, a near miss warns."""
    try:
        services = importlib.import_module("screening.services")
    except ImportError:
        return CheckResult(
            CheckStatus.NEUTRAL,
            "screening engine not installed",
            SOURCE,
            reasons=["sanctions_unavailable"],
        )
    environment = current_environment()  # the loaded lists, or the sandbox's recorded one
    lists = environment.watchlists()
    if not lists:
        return CheckResult(
            CheckStatus.NEUTRAL,
            "no sanctions lists loaded",
            SOURCE,
            reasons=["sanctions_unavailable"],
        )
    merchant_id = snapshot.get("merchant_id")
    identifiers = [str(snapshot[k]) for k in ("lei", "registration_number") if snapshot.get(k)]
    screened = []
    matches = 0
    near = 0
    for subject in _subjects(snapshot):
        hits = services.screen_name(
            name=subject["name"],
            entity_type=subject["type"],
            country=subject.get("country") or snapshot.get("country") or None,
            identifiers=identifiers if subject["type"] == "organization" else (),
            merchant_id=uuid.UUID(str(merchant_id)) if merchant_id else None,
            index=environment.screening_index(),
        )
        matches += sum(1 for h in hits if h.match)
        near += sum(1 for h in hits if not h.match)
        screened.append({**subject, "hits": [h.as_dict() for h in hits]})
    evidence = {"screened": screened, "lists": lists}
    if matches:
        return CheckResult(
            CheckStatus.FAILURE,
            f"{matches} sanctions match(es)",
            SOURCE,
            evidence,
            reasons=["sanctions_match"],
        )
    if near:
        return CheckResult(
            CheckStatus.WARNING,
            f"{near} near miss(es) below the match threshold",
            SOURCE,
            evidence,
            reasons=["sanctions_possible_match"],
        )
    return CheckResult(
        CheckStatus.SUCCESS, f"{len(screened)} name(s) screened, no hits", SOURCE, evidence
    )
