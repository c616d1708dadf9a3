"""Prometheus metrics of outbound HTTP: requests, latency and circuit-breaker state."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "kyb_outbound_requests_total",
    "Outbound HTTP requests by provider and outcome (2xx/4xx/5xx/error/blocked).",
    ["provider", "outcome"],
)
LATENCY = Histogram(
    "kyb_outbound_request_seconds",
    "Outbound HTTP request time, redirects and retries included.",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# kyb_outbound_breaker_state{provider} is not a per-process gauge: the breakers trip in Celery
# workers, and a process's last view goes stale when a process elsewhere closes the breaker.
# /metrics reads the shared state from Redis at scrape time (monitoring.collectors.
# BreakerCollector); these are its values.
BREAKER_STATE_VALUES = {"closed": 0, "half-open": 1, "open": 2}


def observe_request(*, provider: str, outcome: str, seconds: float) -> None:
    REQUESTS.labels(provider=provider, outcome=outcome).inc()
    LATENCY.labels(provider=provider).observe(seconds)
