"""A Redis outage degrades the cache to misses, never to errors.

The dead cache is the project's own ``CACHES["default"]`` from ``django.conf.settings`` with
only its address pointed at a port nothing listens on: whatever ``kyb/settings.py`` configures
(client class, timeouts, ``IGNORE_EXCEPTIONS``) is what is tested, so dropping the setting that
swallows Redis errors fails this test.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.test import override_settings

from tests.test_e2e_stack import _free_port


def real_caches_pointing_at_a_dead_redis() -> dict[str, Any]:
    configured = copy.deepcopy(settings.CACHES)
    configured["default"]["LOCATION"] = f"redis://127.0.0.1:{_free_port()}/0"
    return configured


def test_cache_round_trip_on_real_redis() -> None:
    cache.set("k", {"a": 1}, 10)
    assert cache.get("k") == {"a": 1}


def test_the_cache_is_redis_with_short_timeouts() -> None:
    """A slow Redis costs a request at most CACHE_SOCKET_TIMEOUT, not the client's default."""
    default: dict[str, Any] = settings.CACHES["default"]
    assert default["LOCATION"] == settings.REDIS_URL
    assert default["OPTIONS"]["SOCKET_TIMEOUT"] == settings.CACHE_SOCKET_TIMEOUT
    assert default["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] == settings.CACHE_SOCKET_TIMEOUT
    assert settings.CACHE_SOCKET_TIMEOUT <= 1


def test_redis_down_is_a_miss_not_an_error() -> None:
    with override_settings(CACHES=real_caches_pointing_at_a_dead_redis()):
        dead: BaseCache = caches.create_connection("default")
        dead.set("k", 1, 10)  # swallowed
        assert dead.get("k") is None
        assert dead.get("k", "fallback") == "fallback"
        assert dead.get_many(["k", "j"]) == {}
        dead.delete("k")
