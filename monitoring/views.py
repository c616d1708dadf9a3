"""Liveness, readiness and metrics endpoints. Unauthenticated by design: probes, load balancers
and Prometheus (restrict ``/metrics`` at the ingress)."""

from __future__ import annotations

import os
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from kyb.process_metrics import ProcessesCollector
from monitoring.collectors import (
    BreakerCollector,
    DatabasePoolCollector,
    PipelineCollector,
    QueueCollector,
    RedisRolesCollector,
    WatchlistCollector,
    WebhookCollector,
)
from monitoring.health import readiness_probes, watchlist_detail


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; touches no dependency."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """200 while the required dependencies (PostgreSQL, broker) answer, naming any degraded one
    (the cache Redis: the API then serves from PostgreSQL); 503 naming what failed otherwise."""
    results = readiness_probes()
    failed = [r.name for r in results if not r.ok and r.required]
    degraded = [r.name for r in results if not r.ok and not r.required]
    status = "unavailable" if failed else ("degraded" if degraded else "ok")
    body = {
        "status": status,
        "failed": failed,
        "degraded": degraded,
        "checks": {r.name: r.as_dict() for r in results},
        "watchlists": watchlist_detail() if "database" not in failed else {},
    }
    return JsonResponse(body, status=503 if failed else 200)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition: every gunicorn worker's samples (multiprocess mode) plus the
    scrape-time collectors (database backlog, shared breaker states)."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        registry.register(ProcessesCollector())
        collectors: list[Any] = [registry]
    else:
        collectors = [REGISTRY]
    body = b"".join(generate_latest(c) for c in collectors)
    body += generate_latest(_pipeline_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _pipeline_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(PipelineCollector())
    registry.register(BreakerCollector())
    registry.register(WebhookCollector())
    registry.register(WatchlistCollector())
    registry.register(QueueCollector())
    registry.register(RedisRolesCollector())
    registry.register(DatabasePoolCollector())
    return registry
