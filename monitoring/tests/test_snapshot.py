"""The beat task that snapshots key figures into monitoring_metrics."""

from __future__ import annotations

import pytest

from monitoring.models import MonitoringMetric
from monitoring.tasks import metrics_snapshot
from verifications.models import VerificationStatus
from verifications.tests.factories import BusinessVerificationFactory, PipelineJobFactory

pytestmark = pytest.mark.django_db


def test_snapshot_task_records_counts_by_status_through_celery() -> None:
    BusinessVerificationFactory.create_batch(2)
    BusinessVerificationFactory(status=VerificationStatus.APPROVED)
    PipelineJobFactory()

    result = metrics_snapshot.apply()  # Celery's machinery, executed in-process

    assert result.successful()
    assert result.get() == MonitoringMetric.objects.count()
    pending = MonitoringMetric.objects.get(
        name="verifications_by_status", labels__status=VerificationStatus.PENDING
    )
    assert pending.value == 3.0  # 2 + the one PipelineJobFactory made
    approved = MonitoringMetric.objects.get(
        name="verifications_by_status", labels__status=VerificationStatus.APPROVED
    )
    assert approved.value == 1.0
    queued = MonitoringMetric.objects.get(name="pipeline_jobs_by_status", labels__status="queued")
    assert queued.value == 1.0
    assert MonitoringMetric.objects.filter(name="pipeline_oldest_queued_seconds").exists()
