"""Industry check: the classifier's top-k MCC / NAICS 2022 / SIC codes with confidence; the
declared MCC compared with the predicted ones; high-risk and prohibited categories flagged.

Until the classifications app is installed the check is ``neutral``. The predictions are stored
(``classifications`` table) by the pipeline together with the decision, not here, so a re-run
after a crash never stores them twice.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from verifications.checks.base import CheckResult, CheckStatus

SOURCE = "classifier"


def _declared_risk(mcc: str) -> str | None:
    try:
        flags = importlib.import_module("classifications.engine.risk").mcc_risk_flags()
    except (ImportError, AttributeError):
        return None
    flag = flags.get(mcc)
    return str(flag.level) if flag else None


def check_industry(snapshot: Mapping[str, Any]) -> CheckResult:
    """Classify the business and compare the prediction with what it declared."""
    try:
        services = importlib.import_module("classifications.services")
    except ImportError:
        return CheckResult(
            CheckStatus.NEUTRAL,
            "classifier not installed",
            SOURCE,
            reasons=["industry_unavailable"],
        )
    name = " ".join(str(snapshot.get(k) or "") for k in ("legal_name", "dba_name")).strip()
    result = services.classify_business(
        name=name,
        description=str(snapshot.get("description") or ""),
        website_text=str(snapshot.get("_website_text") or ""),
        website_title=str(snapshot.get("_website_title") or ""),
    )
    predicted: dict[str, Any] = result.as_dict()
    mccs = predicted.get("mcc") or []
    declared = str(snapshot.get("declared_mcc") or "")
    evidence: dict[str, Any] = {"predicted": predicted, "declared_mcc": declared or None}
    artifacts = {"classification": result}
    if not mccs or getattr(result, "unknown", False):
        # Too little to name an industry: say so rather than assert a weak code; what the
        # business declared is still judged.
        declared_level = _declared_risk(declared) if declared else None
        flags = {"prohibited": ["prohibited_industry"], "high": ["high_risk_industry"]}
        return CheckResult(
            CheckStatus.FAILURE if declared_level == "prohibited" else CheckStatus.NEUTRAL,
            "no industry could be predicted"
            if not mccs
            else "the name alone says too little to name an industry",
            SOURCE,
            evidence,
            reasons=["industry_unknown", *flags.get(declared_level or "", [])],
            artifacts=artifacts,
        )
    top = mccs[0]
    levels = {str(top.get("risk") or ""), str(_declared_risk(declared) or "") if declared else ""}
    reasons: list[str] = []
    if "prohibited" in levels:
        reasons.append("prohibited_industry")
    elif "high" in levels:
        reasons.append("high_risk_industry")
    if declared and declared not in {str(m.get("code")) for m in mccs}:
        reasons.append("declared_mcc_mismatch")
        evidence["mismatch"] = {"declared": declared, "predicted": top.get("code")}
    confidence = float(top.get("confidence", 0))
    summary = f"predicted MCC {top.get('code')} {top.get('title', '')} ({confidence:.2f})"
    if "prohibited_industry" in reasons:
        return CheckResult(
            CheckStatus.FAILURE,
            f"prohibited category: {summary}",
            SOURCE,
            evidence,
            reasons=reasons,
            artifacts=artifacts,
        )
    if reasons:
        detail = ", ".join(reasons)
        if "declared_mcc_mismatch" in reasons:
            detail += f" (declared {declared}, predicted {top.get('code')})"
        return CheckResult(
            CheckStatus.WARNING,
            f"{summary}: {detail}",
            SOURCE,
            evidence,
            reasons=reasons,
            artifacts=artifacts,
        )
    return CheckResult(CheckStatus.SUCCESS, summary, SOURCE, evidence, artifacts=artifacts)
