"""Cache warming (``cache_fill_many``) against the real Redis."""

from __future__ import annotations

import uuid

from kyb import cache as kcache


def test_warmed_entries_do_not_all_expire_together() -> None:
    """Warmed with one TTL within seconds, a working set expired within the same seconds an hour
    later and sent every read of it to PostgreSQL at once (a load test's hit rate fell from
    100 % to 88 % as it happened). Each entry now lives a TTL drawn from [ttl / 2, ttl]."""
    namespace = f"warm-test-{uuid.uuid4().hex[:8]}"
    idents = [uuid.uuid4() for _ in range(200)]
    ttl = 3600
    written = kcache.cache_fill_many(namespace, ((i, b"{}") for i in idents), ttl, batch=64)
    assert written == len(idents)
    client = kcache.redis_client()
    epoch = (client.get(kcache.epoch_key()) or b"0").decode()
    lives = []
    for ident in idents:
        base, suffix = kcache.entry_parts(namespace, ident)
        lives.append(client.ttl(f"{base}{epoch}:{suffix}"))
    assert all(ttl // 2 - 1 <= life <= ttl for life in lives), (min(lives), max(lives))
    # Spread over the whole range, not bunched at one end.
    assert min(lives) < ttl * 0.6 and max(lives) > ttl * 0.9, (min(lives), max(lives))
    assert len(set(lives)) > 100
    # SET NX still leaves a cached entry alone.
    assert kcache.cache_fill_many(namespace, ((i, b"{}") for i in idents[:5]), ttl) == 0
    for ident in idents:
        kcache.cache_evict(namespace, ident)
