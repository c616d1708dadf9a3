"""Liveness and readiness endpoints. Unauthenticated by design: probes and load balancers."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from monitoring.health import readiness_probes


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving; touches no dependency."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when PostgreSQL, Redis and the broker answer; 503 naming what failed otherwise."""
    results = readiness_probes()
    failed = [r.name for r in results if not r.ok]
    body = {
        "status": "unavailable" if failed else "ok",
        "failed": failed,
        "checks": {r.name: r.as_dict() for r in results},
    }
    return JsonResponse(body, status=503 if failed else 200)
