"""A Redis outage degrades the cache to misses, never to errors."""

from __future__ import annotations

from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.test import override_settings

DEAD_CACHE = {
    "default": {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.2,
            "SOCKET_TIMEOUT": 0.2,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}


def test_cache_round_trip_on_real_redis() -> None:
    cache.set("k", {"a": 1}, 10)
    assert cache.get("k") == {"a": 1}


def test_redis_down_is_a_miss_not_an_error() -> None:
    with override_settings(CACHES=DEAD_CACHE):
        dead: BaseCache = caches.create_connection("default")
        dead.set("k", 1, 10)  # swallowed
        assert dead.get("k") is None
        assert dead.get("k", "fallback") == "fallback"
        dead.delete("k")
