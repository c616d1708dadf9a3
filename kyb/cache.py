"""Cache-aside helpers: namespaced, versioned keys; JSON-able values; cached "not found";
hit/miss counted per namespace; Redis trouble is a miss (django-redis IGNORE_EXCEPTIONS).

Invalidation is the caller's job and must run on commit (``invalidate_on_commit``): deleting
before commit lets a concurrent reader refill the cache with the old row (zulip/zulip#30995).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction
from prometheus_client import Counter

# Bump when a cached value's shape changes: old entries are then never read.
SCHEMA_VERSION = "v1"
NOT_FOUND = {"__not_found__": True}

CACHE_REQUESTS = Counter(
    "kyb_cache_requests_total",
    "Cache-aside lookups by namespace and result",
    ["namespace", "result"],
)


def cache_key(namespace: str, ident: object) -> str:
    return f"{SCHEMA_VERSION}:{namespace}:{ident}"


def cache_get_or_fill(
    namespace: str,
    ident: object,
    *,
    ttl: int,
    not_found_ttl: int,
    loader: Callable[[], dict[str, Any] | list[Any] | None],
) -> dict[str, Any] | list[Any] | None:
    """Return the cached value or load, store and return it. ``None`` means "not found"."""
    key = cache_key(namespace, ident)
    value = cache.get(key)
    if value is not None:
        CACHE_REQUESTS.labels(namespace, "hit").inc()
        return None if value == NOT_FOUND else value
    CACHE_REQUESTS.labels(namespace, "miss").inc()
    loaded = loader()
    if loaded is None:
        cache.set(key, NOT_FOUND, not_found_ttl)
    else:
        cache.set(key, loaded, ttl)
    return loaded


def invalidate_on_commit(namespace: str, ident: object) -> None:
    key = cache_key(namespace, ident)
    transaction.on_commit(lambda: cache.delete(key))
