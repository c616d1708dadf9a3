"""Per-provider circuit breakers (pybreaker) whose state lives in Redis, so every worker
process sees the same open/closed state and one flapping provider is not hammered by each of
them in turn. Redis trouble falls back to "closed" (pybreaker's CircuitRedisStorage): losing the
breaker must never stop verifications.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pybreaker
import redis
from django.conf import settings

from kyb.outbound.errors import CircuitOpen
from kyb.outbound.transport import current_transport

logger = logging.getLogger(__name__)
T = TypeVar("T")

_lock = threading.Lock()
_breakers: dict[str, pybreaker.CircuitBreaker] = {}
_redis: dict[str, redis.Redis] = {}


class ProviderFailure(Exception):
    """Raised inside a breaker call for an answer that counts as the provider failing
    (network error, timeout, 5xx, 429). Anything else (e.g. 404) is a normal answer."""


class _StateListener(pybreaker.CircuitBreakerListener):
    def state_change(
        self,
        cb: pybreaker.CircuitBreaker,
        old_state: pybreaker.CircuitBreakerState | None,
        new_state: pybreaker.CircuitBreakerState,
    ) -> None:
        name = str(cb.name)
        before = getattr(old_state, "name", None)
        if before != new_state.name:
            logger.warning("circuit breaker %s: %s -> %s", name, before, new_state.name)
            _track_open(name, new_state.name)


def _kind(provider: str) -> str:
    """``website:shop.example.com`` -> ``website``: per-destination breakers of one kind."""
    return provider.split(":", 1)[0]


def _open_set(kind: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "kyb")
    return f"{prefix}:breakers-open:{kind}"


def _track_open(provider: str, state: str) -> None:
    """Keep a Redis set of the open breakers of each kind, so /metrics can count them (one
    SCARD) without scanning keys; per-destination breakers are too many to export one by one."""
    if ":" not in provider:
        return
    try:
        if state == pybreaker.STATE_OPEN:
            _redis_client().sadd(_open_set(_kind(provider)), provider)
        elif state == pybreaker.STATE_CLOSED:
            _redis_client().srem(_open_set(_kind(provider)), provider)
    except redis.RedisError:
        logger.warning("breaker %s: open-set not updated (Redis unavailable)", provider)


def _redis_client() -> redis.Redis:
    url = settings.OUTBOUND_BREAKER_REDIS_URL
    if url not in _redis:
        _redis[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return _redis[url]


def _namespace(provider: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "kyb")
    return f"{prefix}:breaker:{provider}"


def breaker(provider: str) -> pybreaker.CircuitBreaker:
    """The breaker for ``provider`` (one object per process, state shared through Redis)."""
    found = _breakers.get(provider)
    if found is not None:
        return found
    with _lock:
        if provider not in _breakers:
            _breakers[provider] = _build(provider)
        return _breakers[provider]


def _build(provider: str) -> pybreaker.CircuitBreaker:
    storage: pybreaker.CircuitBreakerStorage
    try:
        storage = pybreaker.CircuitRedisStorage(
            pybreaker.STATE_CLOSED, _redis_client(), namespace=_namespace(provider)
        )
    except redis.RedisError:
        logger.warning("breaker %s: Redis unavailable, state kept in this process only", provider)
        storage = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
    return pybreaker.CircuitBreaker(
        fail_max=settings.OUTBOUND_BREAKER_FAIL_MAX,
        reset_timeout=settings.OUTBOUND_BREAKER_RESET_TIMEOUT,
        state_storage=storage,
        listeners=[_StateListener()],
        name=provider,
        # Only ProviderFailure is the provider's fault; a bug of ours must not open a breaker.
        exclude=[lambda exc: not isinstance(exc, ProviderFailure)],
    )


def call(provider: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``func`` under ``provider``'s breaker. Raises ``CircuitOpen`` when the breaker is
    open (or trips on this call); ``ProviderFailure`` from ``func`` counts as a failure and is
    re-raised; other exceptions pass through uncounted."""
    if current_transport() is not None:
        return func(*args, **kwargs)  # recorded answers never touch the shared breakers
    cb = breaker(provider)
    try:
        return cb.call(func, *args, **kwargs)
    except pybreaker.CircuitBreakerError as exc:
        raise CircuitOpen("circuit breaker open") from exc


def guarded(provider: str, func: Callable[[], T]) -> T:
    """Run one outbound call under ``provider``'s breaker, where ``provider`` may name one
    destination (``website:<host>``, ``webhooks:<host>:<port>``). Network failures (connect errors,
    timeouts, resets) count against it and are re-raised as they were; a refused destination, a
    too-large answer or too many redirects are the answer, not the destination failing. Raises
    ``CircuitOpen`` (an ``OutboundError``) while the breaker is open."""
    from kyb.outbound.errors import (
        BlockedDestination,
        OutboundError,
        ResponseTooLarge,
        TooManyRedirects,
    )

    failures: list[OutboundError] = []

    def counted() -> T:
        try:
            return func()
        except (BlockedDestination, ResponseTooLarge, TooManyRedirects, CircuitOpen):
            raise
        except OutboundError as exc:
            failures.append(exc)
            raise ProviderFailure(str(exc)) from exc

    try:
        return call(provider, counted)
    except ProviderFailure:
        raise failures[0] from None
    except CircuitOpen:
        if failures:
            # This call failed and tripped the breaker (pybreaker then raises its own error):
            # the call's failure is what happened; it read "circuit breaker open" with the
            # attempt's whole duration.
            raise failures[0] from None
        raise


def open_counts(kinds: Iterable[str]) -> dict[str, int]:
    """How many per-destination breakers of each kind are open now (empty if Redis is down)."""
    names = list(kinds)
    try:
        pipe = _redis_client().pipeline(transaction=False)
        for kind in names:
            pipe.scard(_open_set(kind))
        counts = pipe.execute()
    except redis.RedisError:
        return {}
    return {kind: int(n) for kind, n in zip(names, counts, strict=True)}


def shared_states(providers: Iterable[str]) -> dict[str, str]:
    """Each provider's breaker state as stored in Redis (one MGET; no breaker objects built).

    A provider whose breaker never ran reads ``closed``. When Redis does not answer the result is
    empty: nobody can know the shared state then, and a guess would be a false alarm or a false
    all-clear.
    """
    names = list(providers)
    keys = [
        f"{_namespace(name)}:{pybreaker.CircuitRedisStorage.BASE_NAMESPACE}:state" for name in names
    ]
    try:
        values = _redis_client().mget(keys) if keys else []
    except redis.RedisError:
        logger.warning("breaker states unreadable: Redis unavailable")
        return {}
    return {
        name: value.decode() if isinstance(value, bytes) else pybreaker.STATE_CLOSED
        for name, value in zip(names, values, strict=True)
    }


def breaker_state(provider: str) -> str:
    """``closed``, ``open`` or ``half-open`` as shared in Redis."""
    return str(breaker(provider).current_state)


def breaker_reset(provider: str) -> None:
    """Close the breaker and zero its counters (ops action, and test isolation)."""
    breaker(provider).close()


def breakers_forget() -> None:
    """Delete every breaker's shared state in Redis under this deployment's prefix, known
    providers or not (test isolation: ``breaker_reset`` closes one breaker this process built)."""
    client = _redis_client()
    keys = [
        key
        for pattern in (_namespace("*"), _open_set("*"))
        for key in client.scan_iter(pattern, count=1000)
    ]
    if keys:
        client.delete(*keys)
