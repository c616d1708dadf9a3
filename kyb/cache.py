"""Cache-aside helpers: namespaced, versioned keys; JSON-able values; cached "not found";
hit/miss counted per namespace; Redis trouble is a miss (django-redis IGNORE_EXCEPTIONS).

Invalidation is the caller's job and must run on commit (``invalidate_on_commit``): deleting
before commit lets a concurrent reader refill the cache with the old row (zulip/zulip#30995).

On commit a short-lived tombstone replaces the entry instead of a delete, and fills are
``add`` (SET NX): a reader that loaded the row just before the write committed finds the
tombstone and cannot store its stale copy; a plain delete left that copy in place for the full
TTL (a client polling a verification saw ``processing`` for an hour after the decision). While
the tombstone lives (``TOMBSTONE_SECONDS``) reads go to the database; a reader stalled longer
than that between its read and its fill could still store an old row.
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
TOMBSTONE = {"__invalidated__": True}
TOMBSTONE_SECONDS = 30

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
    if value is not None and value != TOMBSTONE:
        CACHE_REQUESTS.labels(namespace, "hit").inc()
        return None if value == NOT_FOUND else value
    CACHE_REQUESTS.labels(namespace, "miss").inc()
    loaded = loader()
    if value is None:  # never over a tombstone: the write that left it may postdate our read
        cache.add(
            key, NOT_FOUND if loaded is None else loaded, not_found_ttl if loaded is None else ttl
        )
    return loaded


def invalidate_on_commit(namespace: str, ident: object) -> None:
    key = cache_key(namespace, ident)
    transaction.on_commit(lambda: cache.set(key, TOMBSTONE, TOMBSTONE_SECONDS))
