"""Storing classifier output as ``classifications`` rows."""

from __future__ import annotations

import pytest

from classifications.models import Classification
from classifications.selectors import classifications_for_business, mcc_matches_prediction
from classifications.services import (
    classifications_store,
    classify_business,
    declared_mcc_compare,
)
from verifications.tests.factories import BusinessVerificationFactory

pytestmark = pytest.mark.django_db


def test_store_writes_one_row_per_code_with_rank_and_model_version() -> None:
    verification = BusinessVerificationFactory.create()
    result = classify_business(description="Full-service restaurant serving Italian food", k=3)
    rows = classifications_store(
        business_id=verification.merchant_id, verification_id=verification.pk, result=result
    )
    assert len(rows) == 9
    stored = list(
        classifications_for_business(business_id=verification.merchant_id, code_system="naics")
    )
    assert [r.rank for r in stored] == [1, 2, 3]
    assert stored[0].code == "722511"
    assert stored[0].description == "Full-Service Restaurants"
    assert all(0 <= r.confidence <= 1 and r.model_version == result.model_version for r in stored)
    assert (
        Classification.objects.filter(verification=verification, code_system="mcc", rank=1)
        .get()
        .code
        == "5812"
    )


def test_store_without_verification_is_allowed() -> None:
    verification = BusinessVerificationFactory.create()
    result = classify_business(description="hair salon", k=1)
    rows = classifications_store(
        business_id=verification.merchant_id, verification_id=None, result=result
    )
    assert len(rows) == 3 and all(r.verification_id is None for r in rows)


def test_declared_mcc_comparison() -> None:
    result = classify_business(description="Full-service restaurant serving Italian food")
    predicted = [p.code for p in result.mcc]
    assert mcc_matches_prediction(declared_mcc="5812", predicted=predicted)
    assert not mcc_matches_prediction(declared_mcc="7995", predicted=predicted)


def test_declared_mcc_mismatch_is_a_warning_with_both_codes() -> None:
    result = classify_business(description="Full-service restaurant serving Italian food")
    ok = declared_mcc_compare(declared_mcc="5812", result=result)
    assert ok.status == "success"
    mismatch = declared_mcc_compare(declared_mcc="7995", result=result)
    assert mismatch.status == "warning"
    assert "7995" in mismatch.message and "5812" in mismatch.message
    assert mismatch.declared_risk == "high"
    assert declared_mcc_compare(declared_mcc="", result=result).status == "neutral"
