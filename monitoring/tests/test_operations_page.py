"""The admin's operations page: charts from the snapshots and live figures, staff only."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from monitoring.services import metrics_snapshot_take
from verifications.models import VerificationStatus
from verifications.services import verification_transition
from verifications.tests.factories import BusinessVerificationFactory

pytestmark = pytest.mark.django_db
PAGE = "/admin/monitoring/monitoringmetric/operations/"


def _charts(client: Client) -> dict[str, dict[str, Any]]:
    body = client.get(PAGE).content.decode()
    data = re.search(r'<script id="operations-charts" type="application/json">(.*?)</script>', body)
    assert data, body[:500]
    return {c["id"]: c for c in json.loads(data.group(1))}


def test_the_page_charts_decisions_timing_auto_rate_and_the_queue() -> None:
    auto = BusinessVerificationFactory.create(status=VerificationStatus.PROCESSING)
    verification_transition(verification_id=auto.pk, to_status=VerificationStatus.APPROVED)
    BusinessVerificationFactory.create(status=VerificationStatus.IN_REVIEW)
    metrics_snapshot_take()
    client = Client()
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw-123456789"))
    charts = _charts(client)
    assert set(charts) == {"queue", "decisions", "analysts", "timing", "auto", "hits", "pipeline"}
    queue = charts["queue"]["data"]["datasets"]
    assert queue[0]["data"][-1] == 1 and queue[1]["data"][-1] is not None
    approved = charts["decisions"]["data"]["datasets"][0]
    assert approved["label"] == "approved" and approved["data"][-1] == 1
    assert charts["auto"]["data"]["datasets"][0]["data"][-1] == 100.0
    assert charts["timing"]["data"]["datasets"][0]["data"][-1] is not None
    assert b"kyb/vendor/chart.umd.min.js" in client.get(PAGE).content


def test_a_case_sent_to_review_is_not_decided_automatically() -> None:
    """Sending a case to review stamps it decided by "system": the chart counted it as an
    automatic decision (86 % shown where 55 % were) and its time to review as time to decision."""
    auto = BusinessVerificationFactory.create(status=VerificationStatus.PROCESSING)
    verification_transition(verification_id=auto.pk, to_status=VerificationStatus.APPROVED)
    for _ in range(3):
        review = BusinessVerificationFactory.create(status=VerificationStatus.PROCESSING)
        verification_transition(verification_id=review.pk, to_status=VerificationStatus.IN_REVIEW)
    client = Client()
    client.force_login(User.objects.create_superuser("root", "r@example.com", "pw-123456789"))
    charts = _charts(client)
    assert charts["auto"]["data"]["datasets"][0]["data"][-1] == 25.0
    verification_transition(
        verification_id=review.pk, to_status=VerificationStatus.REJECTED, actor="analyst"
    )
    charts = _charts(client)
    assert charts["auto"]["data"]["datasets"][0]["data"][-1] == 25.0
    assert charts["timing"]["data"]["datasets"][0]["data"][-1] is not None


def test_the_page_needs_the_monitoring_view_permission() -> None:
    client = Client()
    client.force_login(User.objects.create_user("staff", password="pw-123456789", is_staff=True))
    assert client.get(PAGE).status_code == 403
