"""Cache-aside under a write that commits between a reader's database read and its fill."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest

from merchants.tests.factories import MerchantFactory
from verifications.models import BusinessVerification, VerificationStatus
from verifications.selectors import verification_get_data
from verifications.services import verification_create, verification_transition


@pytest.mark.django_db(transaction=True)
def test_a_decision_committed_during_a_fill_is_not_hidden_by_the_old_row() -> None:
    """A client polling a verification missed the cache and read it ``processing``; the decision
    committed (and invalidated) before the client stored that row, which then stayed cached for
    the whole TTL: ``processing`` for an hour while the database said ``approved``."""
    import verifications.selectors as selectors

    merchant = MerchantFactory.create()
    verification = verification_create(merchant=merchant)
    verification_transition(
        verification_id=verification.id, to_status=VerificationStatus.PROCESSING
    )
    real = selectors.verification_data
    decided: list[bool] = []

    def read_then_decision_commits(obj: Any) -> dict[str, Any]:
        data = real(obj)
        if not decided:
            decided.append(True)
            worker = threading.Thread(
                target=verification_transition,
                kwargs={
                    "verification_id": verification.id,
                    "to_status": VerificationStatus.APPROVED,
                    "reason": "ok",
                },
            )
            worker.start()
            worker.join()
        return data

    integrator = merchant.integrator
    with mock.patch.object(selectors, "verification_data", read_then_decision_commits):
        first = verification_get_data(integrator=integrator, verification_id=verification.id)
    assert first["status"] == "processing"  # what that reader saw is fine: it read first
    assert BusinessVerification.objects.get(pk=verification.id).status == "approved"
    for _ in range(2):  # the next reads, and the fill after them, see the decision
        again = verification_get_data(integrator=integrator, verification_id=verification.id)
        assert again["status"] == "approved"
