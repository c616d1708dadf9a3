"""Prometheus collectors computed at scrape time: queue depth and review backlog from
PostgreSQL, circuit-breaker states from Redis.

Figures that describe the whole system, not one process, are read from the shared stores
(indexed ``status`` columns; the breakers' Redis keys) when ``/metrics`` is scraped: each worker's
own endpoint (kyb/worker_metrics.py) sees only its pod, and only what its processes last saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from kyb.outbound import breakers
from kyb.outbound.metrics import BREAKER_STATE_VALUES
from kyb.queues import Queue
from verifications.models import BusinessVerification, JobStatus, PipelineJob, VerificationStatus
from verifications.registries import BREAKER_PROVIDERS
from webhooks.models import DeliveryStatus, WebhookDelivery


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


# Breakers kept per destination (kyb.outbound.breaker_guarded): counted, not listed.
DESTINATION_BREAKERS = ("website", "webhooks")


class WebhookCollector(Collector):
    """``kyb_webhook_deliveries_due`` and ``kyb_webhook_oldest_due_seconds``: pending deliveries
    whose next attempt time has come, and how long the oldest has waited past it (the partial
    index ``idx_webhook_deliveries_due``). A backlog of due deliveries is a stalled webhooks
    queue or a dispatcher that does not run; nothing showed one before (a QA fault run)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        try:
            due = WebhookDelivery.objects.filter(
                status=DeliveryStatus.PENDING, next_attempt_at__lte=now
            ).aggregate(n=Count("id"), oldest=Min("next_attempt_at"))
        except DatabaseError:
            return
        yield GaugeMetricFamily(
            "kyb_webhook_deliveries_due", "Pending webhook deliveries due now", value=due["n"]
        )
        oldest = due["oldest"]
        yield GaugeMetricFamily(
            "kyb_webhook_oldest_due_seconds",
            "How long the oldest due webhook delivery has waited past its attempt time",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )


class BreakerCollector(Collector):
    """``kyb_outbound_breaker_state{provider}``: 0 closed, 1 half-open, 2 open, as shared by
    every worker in Redis, for the registry providers; ``kyb_outbound_breakers_open{provider}``:
    how many per-destination breakers (website, webhooks) are open. Absent while Redis does not
    answer (``/readyz`` reports that)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = breakers.open_counts(DESTINATION_BREAKERS)
        if counts:
            open_now = GaugeMetricFamily(
                "kyb_outbound_breakers_open",
                "Per-destination circuit breakers open now (website: per merchant host, "
                "webhooks: per receiving host and port).",
                labels=["provider"],
            )
            for kind, n in counts.items():
                open_now.add_metric([kind], n)
            yield open_now
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


# kombu's Redis transport keeps a queue in one list per priority step: the bare name for the
# default priority, ``name\x06\x16<step>`` for the others (kombu.transport.redis).
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)
_broker_clients: dict[str, redis.Redis] = {}


def _broker() -> redis.Redis:
    url = settings.CELERY_BROKER_URL
    if url not in _broker_clients:
        _broker_clients[url] = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _broker_clients[url]


class QueueCollector(Collector):
    """``kyb_celery_queue_length{queue}``: messages waiting in the broker for each Celery queue
    (not yet taken by a worker), read with LLEN at scrape time. What KEDA scales the workers on;
    absent while the broker does not answer."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        names = [q.value for q in Queue]
        try:
            pipe = _broker().pipeline(transaction=False)
            for name in names:
                pipe.llen(name)
                for step in _PRIORITY_STEPS:
                    pipe.llen(f"{name}{_PRIORITY_SEPARATOR}{step}")
            lengths = pipe.execute()
        except redis.RedisError:
            return
        gauge = GaugeMetricFamily(
            "kyb_celery_queue_length", "Messages waiting in the broker per queue", labels=["queue"]
        )
        per_queue = 1 + len(_PRIORITY_STEPS)
        for i, name in enumerate(names):
            gauge.add_metric([name], sum(lengths[i * per_queue : (i + 1) * per_queue]))
        yield gauge


class RedisRolesCollector(Collector):
    """What the two Redis roles say about themselves (INFO), read at scrape time:

    - ``kyb_redis_maxmemory_policy_info{role, policy}`` = 1: the broker must say ``noeviction``
      (alert ``KybBrokerMayEvict``), the cache ``allkeys-lru``;
    - ``kyb_redis_evicted_keys_total{role}``, ``kyb_redis_used_memory_bytes{role}``,
      ``kyb_redis_maxmemory_bytes{role}``: the cache dashboard's evictions and fill level.

    A role whose Redis does not answer is left out (``/readyz`` reports it)."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        policy = GaugeMetricFamily(
            "kyb_redis_maxmemory_policy_info",
            "Eviction policy of each Redis role (1 = this policy)",
            labels=["role", "policy"],
        )
        evicted = CounterMetricFamily(
            "kyb_redis_evicted_keys", "Keys evicted by each Redis role", labels=["role"]
        )
        used = GaugeMetricFamily(
            "kyb_redis_used_memory_bytes", "Redis used_memory", labels=["role"]
        )
        limit = GaugeMetricFamily(
            "kyb_redis_maxmemory_bytes", "Redis maxmemory (0 = unlimited)", labels=["role"]
        )
        for role, url in (("cache", settings.REDIS_URL), ("broker", settings.CELERY_BROKER_URL)):
            info = _redis_info(url)
            if info is None:
                continue
            policy.add_metric([role, str(info.get("maxmemory_policy", ""))], 1)
            evicted.add_metric([role], float(info.get("evicted_keys", 0)))
            used.add_metric([role], float(info.get("used_memory", 0)))
            limit.add_metric([role], float(info.get("maxmemory", 0)))
        yield from (policy, evicted, used, limit)


def _redis_info(url: str) -> dict[str, Any] | None:
    client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        info: dict[str, Any] = {}
        for section in ("memory", "stats"):
            info.update(client.info(section))
        return info
    except redis.RedisError:
        return None
    finally:
        client.close()


class DatabasePoolCollector(Collector):
    """``kyb_db_pool_connections{state}`` of the process that answers the scrape (psycopg pool:
    ``size`` open, ``available`` idle in the pool, ``waiting`` requests queued for one) and
    ``kyb_db_pool_max_connections``. Without a pool (``DB_POOL_MAX_SIZE=0``) all are 0."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db import connection

        pool = getattr(connection, "pool", None)  # the PostgreSQL backend's psycopg pool
        stats = pool.get_stats() if pool is not None else {}
        gauge = GaugeMetricFamily(
            "kyb_db_pool_connections", "psycopg pool of this process", labels=["state"]
        )
        gauge.add_metric(["size"], stats.get("pool_size", 0))
        gauge.add_metric(["available"], stats.get("pool_available", 0))
        gauge.add_metric(["waiting"], stats.get("requests_waiting", 0))
        yield gauge
        yield GaugeMetricFamily(
            "kyb_db_pool_max_connections",
            "DB_POOL_MAX_SIZE of this process",
            value=settings.DB_POOL_MAX_SIZE,
        )
