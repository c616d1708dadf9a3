"""Integrity rules of verifications and jobs live in PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from verifications.models import ALLOWED_TRANSITIONS, VerificationStatus
from verifications.tests.factories import BusinessVerificationFactory, PipelineJobFactory

pytestmark = pytest.mark.django_db


def test_risk_score_is_bounded() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessVerificationFactory(risk_score=101)


def test_status_must_be_a_known_state() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        BusinessVerificationFactory(status="done")


def test_one_job_per_subject_and_kind() -> None:
    job = PipelineJobFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineJobFactory(subject_id=job.subject_id)


def test_every_state_has_a_transition_rule_and_decisions_are_final() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(VerificationStatus.values)
    assert ALLOWED_TRANSITIONS[VerificationStatus.APPROVED] == frozenset()
    assert ALLOWED_TRANSITIONS[VerificationStatus.REJECTED] == frozenset()
