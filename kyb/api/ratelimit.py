"""Per-API-key rate limits: an atomic fixed window in Redis (one Lua call per request).

INCR and EXPIRE run in one script, so 200 concurrent requests against a limit of 100 let exactly
100 through. If Redis is unreachable the request is served (fail open) and
``kyb_ratelimit_fail_open_total`` counts it: an outage of the limiter must not become an outage
of the API.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from prometheus_client import Counter
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from merchants.models import ApiKey

logger = logging.getLogger("kyb.api")

FAIL_OPEN = Counter(
    "kyb_ratelimit_fail_open_total", "Requests served without a rate-limit decision (Redis down)"
)
LIMITED = Counter("kyb_ratelimit_rejected_total", "Requests rejected with 429")

# KEYS[1] = window key; ARGV[1] = window seconds. Returns {count, ttl}.
_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""


@lru_cache(maxsize=4)
def _script(url: str) -> Any:
    """One bounded pool per process (redis-py re-creates it after fork): under a burst, threads
    wait up to a second for a connection instead of each opening a socket and timing out."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=settings.RATE_LIMIT_REDIS_MAX_CONNECTIONS,
        timeout=1.0,
        socket_connect_timeout=1.0,
        socket_timeout=0.5,
    )
    return redis.Redis(connection_pool=pool).register_script(_SCRIPT)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # unix seconds when the window resets
    retry_after: int


def rate_limit_hit(*, key_id: str, limit: int, window: int) -> RateDecision | None:
    """Count one request for ``key_id`` (the key's random prefix); ``None`` when Redis could
    not be asked (fail open)."""
    now = time.time()
    window_start = int(now // window) * window
    redis_key = f"{settings.CACHE_KEY_PREFIX}:rl:{key_id}:{window_start}"
    try:
        count, ttl = _script(settings.RATE_LIMIT_REDIS_URL)(keys=[redis_key], args=[window])
    except Exception:  # noqa: BLE001 - any Redis failure: serve the request, count it.
        FAIL_OPEN.inc()
        logger.warning("rate limiter unavailable; failing open")
        return None
    reset_at = math.ceil(now + max(int(ttl), 0))
    allowed = int(count) <= limit
    return RateDecision(
        allowed=allowed,
        limit=limit,
        remaining=max(limit - int(count), 0),
        reset_at=reset_at,
        retry_after=max(int(ttl), 1),
    )


class ApiKeyRateThrottle(BaseThrottle):
    """DRF throttle backed by ``rate_limit_hit``; leaves the decision on the request so the
    middleware can put X-RateLimit-* headers on every response."""

    def allow_request(self, request: Request, view: Any) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        decision = rate_limit_hit(
            key_id=key.prefix, limit=settings.API_RATE_LIMIT, window=settings.API_RATE_WINDOW
        )
        if decision is None:
            return True
        request._request.kyb_rate_decision = decision  # type: ignore[attr-defined]
        self._decision = decision
        if not decision.allowed:
            LIMITED.inc()
        return decision.allowed

    def wait(self) -> float | None:
        return float(self._decision.retry_after)
