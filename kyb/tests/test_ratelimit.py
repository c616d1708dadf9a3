"""Per-key rate limits: atomic under concurrency, headers on every response, fail open."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.test import override_settings
from prometheus_client import REGISTRY

from kyb.api.ratelimit import rate_limit_hit
from kyb.tests.api_client import ApiClient


def test_200_concurrent_hits_against_a_limit_of_100_let_exactly_100_through() -> None:
    allowed: list[bool] = []
    barrier = threading.Barrier(200)
    bucket = f"test-{uuid.uuid4().hex}"

    def hit() -> None:
        barrier.wait()
        decision = rate_limit_hit(key_id=bucket, limit=100, window=3600)
        assert decision is not None
        allowed.append(decision.allowed)

    threads = [threading.Thread(target=hit) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 200
    assert allowed.count(True) == 100


@pytest.mark.django_db
def test_over_the_limit_is_429_with_retry_after_and_headers_everywhere(api: ApiClient) -> None:
    with override_settings(API_RATE_LIMIT=3, API_RATE_WINDOW=60):
        responses = [api.get("/api/v1/merchants") for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert [r["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0", "0"]
    assert all(r["X-RateLimit-Limit"] == "3" for r in responses)
    assert all(int(r["X-RateLimit-Reset"]) > 0 for r in responses)
    limited = responses[-1]
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["error"]["code"] == "rate_limited"


@pytest.mark.django_db
def test_redis_down_fails_open_and_is_counted(api: ApiClient) -> None:
    before = REGISTRY.get_sample_value("kyb_ratelimit_fail_open_total") or 0.0
    with override_settings(RATE_LIMIT_REDIS_URL="redis://127.0.0.1:1/0"):
        response = api.get("/api/v1/merchants")
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response
    assert REGISTRY.get_sample_value("kyb_ratelimit_fail_open_total") == before + 1
