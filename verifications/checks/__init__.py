"""The checks, each ``check(snapshot) -> CheckResult`` (see ``base``), in pipeline order."""

from __future__ import annotations

from verifications.checks.base import Check, CheckResult, CheckStatus, timed
from verifications.checks.identifiers import check_identifiers
from verifications.checks.industry import check_industry
from verifications.checks.registry import check_registry
from verifications.checks.sanctions import check_sanctions
from verifications.checks.website import check_website

# Order matters: the website's page text feeds the industry check.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("identifiers", check_identifiers),
    ("registry", check_registry),
    ("sanctions", check_sanctions),
    ("website", check_website),
    ("industry", check_industry),
)

__all__ = ["CHECKS", "Check", "CheckResult", "CheckStatus", "timed"]
