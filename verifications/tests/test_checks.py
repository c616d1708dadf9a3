"""The identifier and website checks, and the risk assessment."""

from __future__ import annotations

from typing import Any

import pytest

from verifications.checks.base import CheckResult, CheckStatus, timed
from verifications.checks.identifiers import check_identifiers
from verifications.checks.website import check_website, extract_text
from verifications.risk import WEIGHTS, assess
from verifications.tests.fakes import FakeProvider, Reply

LEGACY_LEI = "391200014QLC3E6FR705"  # issued by GLEIF, fails ISO 17442 (reference data)


def test_valid_identifiers_succeed() -> None:
    result = check_identifiers(
        {"country": "GB", "lei": "9845001B2AD43E664E58", "registration_number": "SC123456"}
    )
    assert result.status == CheckStatus.SUCCESS, result.evidence


def test_legacy_lei_failing_its_checksum_is_a_warning_not_a_failure() -> None:
    result = check_identifiers({"country": "IT", "lei": LEGACY_LEI})
    assert result.status == CheckStatus.WARNING
    assert result.reasons == ["identifier_legacy_lei"]


@pytest.mark.parametrize(
    "snapshot",
    [
        {"country": "GB", "registration_number": "1234"},
        {"country": "US", "_tax_id": "12-34"},
        {"country": "FR", "registration_number": "732829321"},  # SIREN with a bad Luhn digit
        {"country": "GB", "lei": "9845001B2AD43E66!E58"},
    ],
)
def test_invalid_identifiers_fail(snapshot: dict[str, Any]) -> None:
    result = check_identifiers(snapshot)
    assert result.status == CheckStatus.FAILURE and result.reasons == ["identifier_invalid"]


def test_tax_id_is_validated_but_never_put_in_the_evidence() -> None:
    result = check_identifiers({"country": "US", "_tax_id": "04-2103594"})
    assert result.status == CheckStatus.SUCCESS
    assert "2103594" not in repr(result.as_dict())


def test_no_identifier_or_no_validator_is_neutral() -> None:
    assert check_identifiers({"country": "GB"}).status == CheckStatus.NEUTRAL
    assert check_identifiers({"country": "ZW", "registration_number": "X1"}).status == (
        CheckStatus.NEUTRAL
    )


def test_a_crashing_check_becomes_an_error_result(monkeypatch: pytest.MonkeyPatch) -> None:
    from verifications.checks import base

    def broken(_snapshot: Any) -> CheckResult:
        raise RuntimeError("boom: tax id GB980780684")

    logged: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        base.logger, "warning", lambda *args, **kwargs: logged.append((args, kwargs))
    )
    result = timed(broken, {})
    assert result.status == CheckStatus.ERROR and result.message == "check failed (RuntimeError)"
    assert result.as_of is not None
    # The message reaches the integrator (?expand=checks): the detail goes to the log only.
    assert logged and logged[0][1].get("exc_info") is True


PAGE = """<html><head><title>Acme Trading</title>
<meta name="description" content="Outdoor clothing shop"><script>var x = "hidden";</script>
</head><body><h1>Welcome to ACME Trading</h1><p>Jackets &amp; boots.</p></body></html>"""


def test_extract_text_keeps_visible_text_and_meta_only() -> None:
    title, text = extract_text(PAGE)
    assert title == "Acme Trading"
    assert "Outdoor clothing shop" in text and "Jackets & boots." in text
    assert "hidden" not in text


def test_website_reachable_with_name_keeps_text_for_the_classifier(
    provider: FakeProvider,
) -> None:
    provider.route("/", Reply.html(PAGE))
    result = check_website({"website": provider.url + "/", "legal_name": "Acme Trading Ltd"})
    assert result.evidence["name_found"] is True and result.evidence["status"] == 200
    # The fake speaks plain HTTP, so the only finding is the missing TLS.
    assert result.status == CheckStatus.WARNING and result.reasons == ["website_no_tls"]
    assert "Jackets" in result.artifacts["website_text"]
    assert "website_text" not in result.as_dict()["evidence"]
    # Title and meta description travel apart: the classifier weighs them above the body.
    assert result.artifacts["website_title"] == "Acme Trading. Outdoor clothing shop"


def test_website_without_the_name_or_answering_an_error(provider: FakeProvider) -> None:
    provider.route("/", Reply.html("<p>Domain for sale</p>"))
    provider.route("/gone", Reply.html("nope", status=404))
    absent = check_website({"website": provider.url + "/", "legal_name": "Acme Trading Ltd"})
    assert "website_name_absent" in absent.reasons
    gone = check_website({"website": provider.url + "/gone", "legal_name": "Acme"})
    assert gone.reasons == ["website_unreachable"] and gone.evidence["status"] == 404


def test_website_on_an_internal_address_is_refused(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    result = check_website({"website": "http://127.0.0.1:9/admin", "legal_name": "Acme"})
    assert result.status == CheckStatus.FAILURE and result.reasons == ["website_blocked"]


def test_website_whose_name_does_not_resolve_is_unreachable_not_blocked() -> None:
    # .invalid never resolves (RFC 2606): a dead domain, not an internal address.
    result = check_website({"website": "https://northwind.invalid/", "legal_name": "Acme"})
    assert result.status == CheckStatus.WARNING
    assert result.reasons == ["website_unreachable"]
    assert "does not resolve" in result.message


def _result(status: CheckStatus, *reasons: str) -> CheckResult:
    return CheckResult(status, "", "test", reasons=list(reasons))


def test_clean_results_are_approved_with_score_zero() -> None:
    assessment = assess({"identifiers": _result(CheckStatus.SUCCESS)})
    assert (assessment.outcome, assessment.score, assessment.reasons) == ("approved", 0, [])


def test_a_provider_down_is_never_approved() -> None:
    assessment = assess(
        {
            "identifiers": _result(CheckStatus.SUCCESS),
            "registry": _result(CheckStatus.NEUTRAL, "registry_unavailable"),
        }
    )
    assert assessment.outcome == "in_review" and assessment.score == 0


def test_a_check_error_goes_to_review() -> None:
    assert assess({"website": _result(CheckStatus.ERROR)}).outcome == "in_review"


def test_score_sums_weights_and_thresholds_decide(settings: Any) -> None:
    settings.RISK_REVIEW_THRESHOLD, settings.RISK_REJECT_THRESHOLD = 30, 70
    review = assess({"registry": _result(CheckStatus.WARNING, "registry_not_found")})
    assert (review.score, review.outcome) == (30, "in_review")
    approve = assess({"website": _result(CheckStatus.WARNING, "website_name_absent")})
    assert (approve.score, approve.outcome) == (10, "approved")
    reject = assess(
        {
            "registry": _result(CheckStatus.FAILURE, "registry_inactive"),
            "website": _result(CheckStatus.WARNING, "website_unreachable"),
        }
    )
    assert (reject.score, reject.outcome) == (85, "rejected")
    assert [r["code"] for r in reject.reasons] == ["registry_inactive", "website_unreachable"]
    assert "registry_inactive (+70)" in reject.explanation


def test_sanctions_match_goes_to_an_analyst_and_prohibited_is_rejected() -> None:
    match = assess({"sanctions": _result(CheckStatus.FAILURE, "sanctions_match")})
    assert match.outcome == "in_review" and match.score == WEIGHTS["sanctions_match"].weight
    prohibited = assess({"industry": _result(CheckStatus.FAILURE, "prohibited_industry")})
    assert (prohibited.outcome, prohibited.score) == ("rejected", 100)


def test_industry_check_says_unknown_for_a_bare_name_but_still_judges_the_declared_mcc() -> None:
    from verifications.checks.industry import check_industry

    bare = check_industry({"legal_name": "Acme Group Holdings Ltd"})
    assert bare.status == CheckStatus.NEUTRAL and bare.reasons == ["industry_unknown"]
    declared = check_industry({"legal_name": "Acme Group Holdings Ltd", "declared_mcc": "7273"})
    assert declared.status == CheckStatus.FAILURE
    assert declared.reasons == ["industry_unknown", "prohibited_industry"]


def test_industry_check_reads_the_website_title_the_website_check_kept() -> None:
    from verifications.checks.industry import check_industry

    result = check_industry(
        {"legal_name": "Acme Trading Ltd", "_website_title": "Acme. Dog grooming salon"}
    )
    assert result.evidence["predicted"]["naics"][0]["code"] == "812910"
