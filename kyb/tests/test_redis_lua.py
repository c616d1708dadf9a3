"""Lua scripts on the thread's own Redis connection (kyb.redis_lua), as the cache runs them."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from prometheus_client import REGISTRY

from kyb import cache as kcache
from kyb.redis_lua import ThreadScript, thread_connection

NAMESPACE = "test-lua"


def _filled(ident: str) -> None:
    assert (
        kcache.raw_get_or_fill(
            NAMESPACE, ident, ttl=60, not_found_ttl=60, loader=lambda: b"payload"
        )
        == b"payload"
    )


def _loads(ident: str) -> int:
    calls: list[int] = []

    def loader() -> bytes:
        calls.append(1)
        return b"payload"

    kcache.raw_get_or_fill(NAMESPACE, ident, ttl=60, not_found_ttl=60, loader=loader)
    return len(calls)


def test_a_cache_read_after_redis_forgot_its_scripts_is_still_a_hit() -> None:
    ident = uuid.uuid4().hex
    _filled(ident)
    kcache.redis_client().script_flush()
    assert _loads(ident) == 0  # read from the cache: the script was loaded again


def test_an_invalidation_over_a_connection_redis_dropped_still_lands() -> None:
    ident = uuid.uuid4().hex
    _filled(ident)
    conn = thread_connection(kcache.redis_client().connection_pool)
    conn.send_command("CLIENT", "ID")
    client_id = conn.read_response()
    assert kcache.redis_client().client_kill_filter(_id=client_id) == 1
    failures = REGISTRY.get_sample_value("kyb_cache_invalidation_failures_total") or 0.0
    kcache.invalidate_now(NAMESPACE, ident)
    assert REGISTRY.get_sample_value("kyb_cache_invalidation_failures_total") == failures
    _epoch, raw = kcache.cache_read(NAMESPACE, ident)
    assert raw == kcache.TOMBSTONE


def test_each_thread_has_its_own_connection_and_the_same_answers() -> None:
    script = ThreadScript("return {KEYS[1], ARGV[1]}", kcache.redis_client().connection_pool)
    seen: dict[str, Any] = {}

    def run(name: str) -> None:
        seen[name] = (script(keys=["k"], args=[name]), thread_connection(script.pool))

    threads = [threading.Thread(target=run, args=(f"t{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["t0"][0] == [b"k", b"t0"] and seen["t1"][0] == [b"k", b"t1"]
    assert seen["t0"][1] is not seen["t1"][1]


def test_a_fill_over_a_connection_redis_dropped_still_lands() -> None:
    ident = uuid.uuid4().hex
    assert _loads(ident) == 1  # a miss: read (the script), then the fill (a plain SET NX)
    conn = thread_connection(kcache.redis_client().connection_pool)
    conn.send_command("CLIENT", "ID")
    client_id = conn.read_response()
    kcache.cache_evict(NAMESPACE, ident)
    epoch, _ = kcache.cache_read(NAMESPACE, ident)
    assert kcache.redis_client().client_kill_filter(_id=client_id) == 1
    kcache.cache_fill(NAMESPACE, ident, epoch, b"payload", 60)
    assert _loads(ident) == 0
