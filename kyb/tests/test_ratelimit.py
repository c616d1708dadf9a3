"""Per-key rate limits: atomic under concurrency, headers on every response, fail open."""

from __future__ import annotations

import math
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from prometheus_client import REGISTRY

from kyb.api import ratelimit
from kyb.api.ratelimit import rate_limit_hit
from kyb.redis_lua import thread_connection
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


def test_a_script_redis_forgot_is_loaded_again() -> None:
    key = uuid.uuid4().hex
    assert rate_limit_hit(key_id=key, limit=10, window=60) is not None
    ratelimit.rate_limit_client(settings.RATE_LIMIT_REDIS_URL).script_flush()
    decision = rate_limit_hit(key_id=key, limit=10, window=60)
    assert decision is not None  # not failed open
    assert decision.remaining == 8


def test_a_connection_redis_dropped_is_made_again() -> None:
    key = uuid.uuid4().hex
    assert rate_limit_hit(key_id=key, limit=10, window=60) is not None
    pool = ratelimit.rate_limit_client(settings.RATE_LIMIT_REDIS_URL).connection_pool
    conn = thread_connection(pool)
    conn.send_command("CLIENT", "ID")
    client_id = conn.read_response()
    client = ratelimit.rate_limit_client(settings.RATE_LIMIT_REDIS_URL)
    assert client.client_kill_filter(_id=client_id) == 1
    decision = rate_limit_hit(key_id=key, limit=10, window=60)
    assert decision is not None  # not failed open
    assert decision.remaining == 8


def _sleep_until_phase(period: float, start: float, end: float) -> None:
    """Sleep until ``time.time() % period`` lies in [start, end)."""
    while not start <= time.time() % period < end:
        time.sleep(0.005)


def test_no_double_burst_across_a_window_boundary() -> None:
    """The fixed window let a full limit through just before its boundary and another just
    after. Whatever the limiter, at most ``limit + elapsed * limit / window`` may pass in an
    interval of ``elapsed`` seconds."""
    limit, window = 50, 2
    bucket = f"test-{uuid.uuid4().hex}"
    _sleep_until_phase(window, 1.70, 1.80)  # just before a boundary of a 2-s fixed window
    started = time.monotonic()
    allowed = 0
    for _ in range(limit):
        decision = rate_limit_hit(key_id=bucket, limit=limit, window=window)
        assert decision is not None
        allowed += decision.allowed
    _sleep_until_phase(window, 0.02, 0.10)  # just after it
    for _ in range(limit):
        decision = rate_limit_hit(key_id=bucket, limit=limit, window=window)
        assert decision is not None
        allowed += decision.allowed
    elapsed = time.monotonic() - started
    assert allowed <= limit + math.ceil(elapsed * limit / window) + 1, (allowed, elapsed)


def test_the_rate_refills_steadily_after_a_burst() -> None:
    # One emission interval is a second: a slow, shared machine may take tens of milliseconds
    # for the burst itself, which a 50-ms interval would already have refilled.
    limit, window = 20, 20
    bucket = f"test-{uuid.uuid4().hex}"
    decisions = [rate_limit_hit(key_id=bucket, limit=limit, window=window) for _ in range(limit)]
    assert all(d is not None and d.allowed for d in decisions)
    spent = time.monotonic()
    refused = rate_limit_hit(key_id=bucket, limit=limit, window=window)
    assert refused is not None and not refused.allowed
    time.sleep(window / limit * 2.5)  # two emission intervals and a half
    again = [rate_limit_hit(key_id=bucket, limit=limit, window=window) for _ in range(5)]
    refilled = math.floor((time.monotonic() - spent) * limit / window) + 1
    # One request per emission interval came back, not a whole new window's worth.
    assert 2 <= sum(d.allowed for d in again if d is not None) <= min(refilled, 5)
