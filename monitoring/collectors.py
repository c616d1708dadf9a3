"""Prometheus collectors computed at scrape time: queue depth and review backlog from
PostgreSQL, circuit-breaker states from Redis.

Figures that describe the whole system, not one process, are read from the shared stores
(indexed ``status`` columns; the breakers' Redis keys) when ``/metrics`` is scraped: each worker's
own endpoint (kyb/worker_metrics.py) sees only its pod, and only what its processes last saw.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from kyb.outbound import breakers
from kyb.outbound.metrics import BREAKER_STATE_VALUES
from verifications.models import BusinessVerification, JobStatus, PipelineJob, VerificationStatus
from verifications.registries import BREAKER_PROVIDERS


class PipelineCollector(Collector):
    """``kyb_pipeline_jobs{status}``, ``kyb_pipeline_oldest_queued_seconds``,
    ``kyb_verifications{status}`` for the live (non-final) statuses."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            jobs = dict(
                PipelineJob.objects.exclude(status=JobStatus.SUCCEEDED)
                .values_list("status")
                .annotate(n=Count("id"))
                .order_by()
            )
            oldest = PipelineJob.objects.filter(status=JobStatus.QUEUED).aggregate(
                t=Min("created_at")
            )["t"]
            live = [VerificationStatus.PENDING, VerificationStatus.PROCESSING]
            live.append(VerificationStatus.IN_REVIEW)
            verifications = dict(
                BusinessVerification.objects.filter(status__in=live)
                .values_list("status")
                .annotate(n=Count("id"))
                .order_by()
            )
        except DatabaseError:
            return  # /metrics must answer even when the database does not
        gauge = GaugeMetricFamily("kyb_pipeline_jobs", "Pipeline jobs by status", labels=["status"])
        for status in JobStatus.values:
            if status != JobStatus.SUCCEEDED:
                gauge.add_metric([status], jobs.get(status, 0))
        yield gauge
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "kyb_pipeline_oldest_queued_seconds", "Age of the oldest queued job", value=age
        )
        backlog = GaugeMetricFamily(
            "kyb_verifications", "Verifications in a live status", labels=["status"]
        )
        for status in live:
            backlog.add_metric([status], verifications.get(status, 0))
        yield backlog


class BreakerCollector(Collector):
    """``kyb_outbound_breaker_state{provider}``: 0 closed, 1 half-open, 2 open, as shared by
    every worker in Redis. Absent while Redis does not answer (``/readyz`` reports that)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        states = breakers.shared_states(BREAKER_PROVIDERS)
        if not states:
            return
        gauge = GaugeMetricFamily(
            "kyb_outbound_breaker_state",
            "Circuit breaker state per provider (shared in Redis): 0 closed, 1 half-open, 2 open.",
            labels=["provider"],
        )
        for provider, state in states.items():
            gauge.add_metric([provider], BREAKER_STATE_VALUES.get(state, 0))
        yield gauge


class WatchlistCollector(Collector):
    """``kyb_watchlist_age_seconds{source}``: how long ago each active list was *published*
    (the publisher's date; the load time when unknown). Lists change weekly or faster; an old
    one means screening against yesterday's sanctions, however recently it was loaded."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from screening.models import WatchList

        try:
            active = list(
                WatchList.objects.filter(is_active=True).values_list(
                    "source", "published_at", "loaded_at"
                )
            )
        except DatabaseError:
            return
        gauge = GaugeMetricFamily(
            "kyb_watchlist_age_seconds",
            "Seconds since the active list was published (loaded, if the date is unknown)",
            labels=["source"],
        )
        now = timezone.now()
        for source, published_at, loaded_at in active:
            gauge.add_metric([source], (now - (published_at or loaded_at)).total_seconds())
        yield gauge
