"""Prometheus metrics of outbound HTTP: requests, latency and circuit-breaker state."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

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
# 0 closed, 1 half-open, 2 open. The state itself lives in Redis and is shared by every
# process; the gauge shows what this process last saw ("mostrecent" across processes).
BREAKER_STATE = Gauge(
    "kyb_outbound_breaker_state",
    "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
    ["provider"],
    multiprocess_mode="mostrecent",
)
BREAKER_STATE_VALUES = {"closed": 0, "half-open": 1, "open": 2}


def observe_request(*, provider: str, outcome: str, seconds: float) -> None:
    REQUESTS.labels(provider=provider, outcome=outcome).inc()
    LATENCY.labels(provider=provider).observe(seconds)


def set_breaker_state(*, provider: str, state: str) -> None:
    BREAKER_STATE.labels(provider=provider).set(BREAKER_STATE_VALUES.get(state, 0))
