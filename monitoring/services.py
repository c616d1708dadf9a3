"""Writes of the monitoring app: periodic snapshots of key figures into ``monitoring_metrics``."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from monitoring.models import MonitoringMetric
from verifications.models import BusinessVerification, JobStatus, PipelineJob, VerificationStatus


def metrics_snapshot_take() -> list[MonitoringMetric]:
    """Record verification and job counts by status, and the oldest queued job's age."""
    now = timezone.now()
    rows: list[MonitoringMetric] = []
    by_status = dict(
        BusinessVerification.objects.values_list("status").annotate(n=Count("id")).order_by()
    )
    for status in VerificationStatus.values:
        rows.append(
            MonitoringMetric(
                timestamp=now,
                name="verifications_by_status",
                value=float(by_status.get(status, 0)),
                labels={"status": status},
            )
        )
    jobs = dict(PipelineJob.objects.values_list("status").annotate(n=Count("id")).order_by())
    for status in JobStatus.values:
        rows.append(
            MonitoringMetric(
                timestamp=now,
                name="pipeline_jobs_by_status",
                value=float(jobs.get(status, 0)),
                labels={"status": status},
            )
        )
    oldest = PipelineJob.objects.filter(status=JobStatus.QUEUED).aggregate(t=Min("created_at"))["t"]
    rows.append(
        MonitoringMetric(
            timestamp=now,
            name="pipeline_oldest_queued_seconds",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
    )
    # The review queue's oldest case (the operations page charts it over time).
    waiting = BusinessVerification.objects.filter(status=VerificationStatus.IN_REVIEW)
    oldest_case = waiting.aggregate(t=Min("created_at"))["t"]
    rows.append(
        MonitoringMetric(
            timestamp=now,
            name="review_oldest_waiting_seconds",
            value=(now - oldest_case).total_seconds() if oldest_case else 0.0,
        )
    )
    return MonitoringMetric.objects.bulk_create(rows)


def monitoring_metrics_before(cutoff: datetime) -> QuerySet[MonitoringMetric]:
    """Snapshots older than ``cutoff``, oldest first (``idx_monitoring_metrics_timestamp``)."""
    return MonitoringMetric.objects.filter(timestamp__lt=cutoff).order_by("timestamp")
