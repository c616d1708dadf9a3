"""The composite risk score (0-100) and the decision it leads to. Open weights, reason codes.

Each check reports reason codes; the score is the sum of their weights, capped at 100. The
decision, in order of precedence:

1. a *reject* code (``prohibited_industry``) -> ``rejected``;
2. a sanctions match -> ``in_review``: a name match is evidence for an analyst, never proof;
3. score >= ``RISK_REJECT_THRESHOLD`` -> ``rejected``;
4. a *review* code (a provider was down, a check broke, high-risk industry) or
   score >= ``RISK_REVIEW_THRESHOLD`` -> ``in_review``;
5. otherwise ``approved``.

So a provider being down (neutral check) can never approve a merchant silently. The screening
match score lives in the sanctions evidence and is not this score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from verifications.checks.base import CheckResult, CheckStatus
from verifications.models import VerificationStatus


@dataclass(frozen=True)
class Reason:
    weight: int
    description: str
    effect: str = ""  # "", "review" (forces in_review), "reject" (forces rejected)


WEIGHTS: dict[str, Reason] = {
    "sanctions_match": Reason(60, "a screened name matches a sanctions list entry", "review"),
    "sanctions_possible_match": Reason(20, "a screened name is close to a list entry"),
    "sanctions_unavailable": Reason(0, "screening could not run", "review"),
    "identifier_invalid": Reason(35, "a tax id / registration number / LEI is invalid"),
    "identifier_legacy_lei": Reason(5, "LEI fails ISO 17442 check digits (legacy code)"),
    "registry_inactive": Reason(70, "the register lists the business as inactive/dissolved"),
    "registry_not_found": Reason(30, "no register knows the business"),
    "registry_name_mismatch": Reason(20, "the registered name differs from the declared one"),
    "registry_country_mismatch": Reason(15, "registered in another country"),
    "registry_lei_lapsed": Reason(10, "the LEI registration has lapsed"),
    "registry_unavailable": Reason(0, "a register could not be reached", "review"),
    "website_blocked": Reason(40, "the website resolves to a private/internal address"),
    "website_unreachable": Reason(15, "the website did not answer or answered an error"),
    "website_tls_invalid": Reason(15, "the website's TLS certificate is invalid"),
    "website_no_tls": Reason(5, "the website is served without TLS"),
    "website_name_absent": Reason(10, "the business name does not appear on the website"),
    "website_missing": Reason(10, "no website declared"),
    "high_risk_industry": Reason(25, "high-risk merchant category", "review"),
    "prohibited_industry": Reason(100, "prohibited merchant category", "reject"),
    "declared_mcc_mismatch": Reason(15, "declared MCC differs from the predicted ones"),
    "industry_unknown": Reason(0, "no industry could be predicted"),
    "industry_unavailable": Reason(0, "the classifier could not run", "review"),
    "check_error": Reason(0, "a check failed to run", "review"),
}
UNKNOWN_REASON = Reason(0, "unknown reason code", "review")


@dataclass(frozen=True)
class Assessment:
    """The score, its reasons (heaviest first) and the outcome with a one-line why."""

    score: int
    reasons: list[dict[str, Any]]
    outcome: str
    explanation: str


def _reasons(results: Mapping[str, CheckResult]) -> list[dict[str, Any]]:
    found = []
    for check, result in results.items():
        codes = list(result.reasons)
        if result.status == CheckStatus.ERROR:
            codes.append("check_error")
        for code in codes:
            reason = WEIGHTS.get(code, UNKNOWN_REASON)
            found.append(
                {
                    "code": code,
                    "check": check,
                    "weight": reason.weight,
                    "effect": reason.effect,
                    "message": reason.description,
                }
            )
    return sorted(found, key=lambda r: (-r["weight"], r["code"]))


def assess(results: Mapping[str, CheckResult]) -> Assessment:
    """Score the check results and decide (see the module docstring for the order)."""
    reasons = _reasons(results)
    score = min(100, sum(r["weight"] for r in reasons))
    effects = {r["effect"] for r in reasons}
    codes = {r["code"] for r in reasons}
    if "reject" in effects:
        outcome, why = VerificationStatus.REJECTED, "a rejecting reason"
    elif "sanctions_match" in codes:
        outcome, why = VerificationStatus.IN_REVIEW, "sanctions match needs an analyst"
    elif score >= settings.RISK_REJECT_THRESHOLD:
        outcome, why = VerificationStatus.REJECTED, f"score >= {settings.RISK_REJECT_THRESHOLD}"
    elif "review" in effects:
        outcome, why = VerificationStatus.IN_REVIEW, "a reason that needs an analyst"
    elif score >= settings.RISK_REVIEW_THRESHOLD:
        outcome, why = VerificationStatus.IN_REVIEW, f"score >= {settings.RISK_REVIEW_THRESHOLD}"
    else:
        outcome, why = VerificationStatus.APPROVED, f"score < {settings.RISK_REVIEW_THRESHOLD}"
    listed = ", ".join(f"{r['code']} (+{r['weight']})" for r in reasons) or "no risk reasons"
    return Assessment(score, reasons, str(outcome), f"risk {score}: {why}; {listed}")
