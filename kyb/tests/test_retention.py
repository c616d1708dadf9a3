"""Retention: rows past their period are deleted in bounded batches by the beat task, recent
rows are kept, and the deletions are counted per table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client import REGISTRY

from kyb.models import IdempotencyRecord
from kyb.tasks import retention as retention_task
from merchants.tests.factories import IntegratorFactory
from monitoring.models import MonitoringMetric
from verifications.models import VerificationEvent
from verifications.tests.factories import BusinessVerificationFactory
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def _deleted(table: str) -> float:
    value = REGISTRY.get_sample_value("kyb_retention_rows_deleted_total", {"table": table})
    return value or 0.0


def _rows(age: timedelta) -> None:
    """One row of each retained table, ``age`` old."""
    when = timezone.now() - age
    integrator = IntegratorFactory.create()
    MonitoringMetric.objects.create(timestamp=when, name="x", value=1.0)
    record = IdempotencyRecord.objects.create(
        integrator=integrator, key=f"k-{age}", fingerprint="f", status_code=201
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=when)
    verification = BusinessVerificationFactory.create()
    VerificationEvent.objects.filter(verification=verification).delete()
    event = VerificationEvent.objects.create(verification=verification, to_status="pending")
    VerificationEvent.objects.filter(pk=event.pk).update(created_at=when)
    endpoint, _ = webhook_endpoint_create(
        integrator=integrator, url="https://receiver.example.com/h"
    )
    hook = WebhookEvent.objects.create(integrator=integrator, type="merchant.updated", body="{}")
    delivery = WebhookDelivery.objects.create(event=hook, endpoint=endpoint, next_attempt_at=when)
    attempt = WebhookAttempt.objects.create(delivery=delivery, number=1, error="HTTP 500")
    WebhookAttempt.objects.filter(pk=attempt.pk).update(created_at=when)


def _counts() -> dict[str, int]:
    return {
        "monitoring_metrics": MonitoringMetric.objects.count(),
        "idempotency_records": IdempotencyRecord.objects.count(),
        "verification_events": VerificationEvent.objects.count(),
        "webhook_attempts": WebhookAttempt.objects.count(),
    }


def test_old_rows_are_deleted_recent_ones_kept_and_counted(settings: Any) -> None:
    settings.RETENTION_MONITORING_METRICS_DAYS = 30
    settings.RETENTION_IDEMPOTENCY_RECORDS_DAYS = 2
    settings.RETENTION_VERIFICATION_EVENTS_DAYS = 365
    settings.RETENTION_WEBHOOK_ATTEMPTS_DAYS = 90
    _rows(400 * DAY)  # past every period
    _rows(1 * DAY)  # inside every period
    before = {table: _deleted(table) for table in _counts()}

    retention_task.apply().get()

    assert _counts() == dict.fromkeys(before, 1)
    assert {table: _deleted(table) - before[table] for table in before} == dict.fromkeys(
        before, 1.0
    )


def test_each_table_keeps_rows_inside_its_own_period(settings: Any) -> None:
    settings.RETENTION_MONITORING_METRICS_DAYS = 30
    settings.RETENTION_IDEMPOTENCY_RECORDS_DAYS = 2
    settings.RETENTION_VERIFICATION_EVENTS_DAYS = 365
    settings.RETENTION_WEBHOOK_ATTEMPTS_DAYS = 90
    _rows(60 * DAY)
    retention_task.apply().get()
    assert _counts() == {
        "monitoring_metrics": 0,
        "idempotency_records": 0,
        "verification_events": 1,
        "webhook_attempts": 1,
    }


def test_deletes_are_bounded_batches_until_none_is_left(settings: Any) -> None:
    settings.RETENTION_BATCH_SIZE = 2
    old = timezone.now() - 100 * DAY
    MonitoringMetric.objects.bulk_create(
        MonitoringMetric(timestamp=old, name="x", value=float(n)) for n in range(5)
    )
    MonitoringMetric.objects.create(timestamp=timezone.now(), name="x", value=9.0)
    with CaptureQueriesContext(connection) as queries:
        retention_task.apply().get()
    deletes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('DELETE FROM "monitoring')
    ]
    assert len(deletes) == 3  # 2 + 2 + 1 rows
    assert all("LIMIT 2" in sql for sql in deletes)
    assert list(MonitoringMetric.objects.values_list("value", flat=True)) == [9.0]


def test_zero_days_keeps_rows_forever_and_an_idempotency_record_outlives_its_ttl(
    settings: Any,
) -> None:
    settings.RETENTION_MONITORING_METRICS_DAYS = 0
    settings.RETENTION_VERIFICATION_EVENTS_DAYS = 0
    settings.RETENTION_WEBHOOK_ATTEMPTS_DAYS = 0
    settings.RETENTION_IDEMPOTENCY_RECORDS_DAYS = 0.01
    settings.IDEMPOTENCY_TTL = 3 * 86_400  # a retry may still replay it: kept
    _rows(2 * DAY)
    retention_task.apply().get()
    assert _counts() == dict.fromkeys(_counts(), 1)


def test_a_spent_time_budget_stops_before_the_next_batch(settings: Any) -> None:
    settings.RETENTION_TIME_BUDGET_SECONDS = 0
    _rows(400 * DAY)
    retention_task.apply().get()
    assert _counts() == dict.fromkeys(_counts(), 1)
