"""The fast read path: ``GET`` of one cached API resource in one Redis round trip, no ORM.

Domain apps register their detail reads (``fast_read_register``): a URL pattern, a cache
namespace and a loader that returns (owner, public JSON body) from the database, the owner being
``kyb.cache.resource_owner`` of the object's integrator and mode (live or sandbox).
For a registered ``GET`` with a bearer key this middleware:

1. resolves the key from the process's key ring (``kyb.api.keyring``; no PostgreSQL query);
2. makes one Lua call that counts the request against the key's rate limit, reads the key
   epoch (revocations) and the cache epoch, and reads the cached entry;
3. answers the cached bytes as they are (a hit), or loads, fills and answers (a miss).

Everything else (no or unknown key, missing scope, a query string, Redis down, rate-limit
store on another Redis than the cache) falls through to the ordinary DRF view, which gives the
same answers the slow way; the fast path never decides an error it cannot decide exactly as the
view would. It sits after ``ApiMiddleware`` (so API-Version, CSP, gzip, security headers and
request metrics still apply) and before session, CSRF and auth middleware, which an API-key
request does not use.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from prometheus_client import Histogram

from kyb import cache as kcache
from kyb.api.errors import json_error, unavailable_response
from kyb.api.keyring import epoch_key, key_confirm, key_resolve, key_touch
from kyb.api.ratelimit import LIMITED, RateDecision, rate_limit_call

Loader = Callable[[str], tuple[object, bytes] | None]

FAST_LATENCY = Histogram(
    "kyb_api_fast_read_seconds",
    "Requests answered by the fast read path, by route and cache result",
    ["route", "cache"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)


@dataclass(frozen=True)
class FastRead:
    name: str
    pattern: re.Pattern[str]
    namespace: str
    ttl_setting: str
    loader: Loader
    not_found: str


_ROUTES: list[FastRead] = []
_LATENCY: dict[tuple[str, str], object] = {}


def fast_read_register(
    *, name: str, pattern: str, namespace: str, ttl_setting: str, loader: Loader, not_found: str
) -> None:
    """Serve ``GET <pattern>`` (one group: the id) from the cache namespace ``namespace``."""
    if any(route.name == name for route in _ROUTES):
        return
    _ROUTES.append(FastRead(name, re.compile(pattern), namespace, ttl_setting, loader, not_found))


def _route(path: str) -> tuple[FastRead, str] | None:
    for route in _ROUTES:
        match = route.pattern.fullmatch(path)
        if match:
            return route, match.group(1)
    return None


def _bearer(request: HttpRequest) -> str | None:
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


def rate_headers(response: HttpResponse, decision: RateDecision) -> None:
    response["X-RateLimit-Limit"] = str(decision.limit)
    response["X-RateLimit-Remaining"] = str(decision.remaining)
    response["X-RateLimit-Reset"] = str(decision.reset_at)


class FastReadMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "GET" or request.META.get("QUERY_STRING"):
            return self.get_response(request)
        accept = request.META.get("HTTP_ACCEPT", "")
        if accept and "json" not in accept and "*/*" not in accept:
            return self.get_response(request)  # the view's content negotiation answers 406
        found = _route(request.path_info)
        plaintext = _bearer(request) if found else None
        if found is None or plaintext is None:
            return self.get_response(request)
        try:
            served = self._serve(request, *found, plaintext)
        except (OperationalError, InterfaceError) as exc:
            # PostgreSQL unreachable (a key not in the ring, or a cache miss): the view would
            # wait for a pooled connection a second time to say the same.
            return unavailable_response(exc)
        return served or self.get_response(request)

    def _serve(
        self, request: HttpRequest, route: FastRead, ident: str, plaintext: str
    ) -> HttpResponse | None:
        started = time.perf_counter()
        if settings.RATE_LIMIT_REDIS_URL != settings.REDIS_URL:
            return None  # one round trip needs rate limits and cache on the same Redis
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check it
        key_hash, info = key_resolve(plaintext)
        if info is None or "read" not in info.scopes:
            return None
        base, suffix = kcache.entry_parts(route.namespace, ident)
        decision = rate_limit_call(
            key_id=info.prefix,
            limit=settings.API_RATE_LIMIT,
            window=settings.API_RATE_WINDOW,
            epoch_key=epoch_key(),
            cache=(kcache.epoch_key(), base, suffix),
        )
        if decision is None:
            return None
        info = key_confirm(key_hash, info, decision.key_epoch)
        if info is None or "read" not in info.scopes:
            return None
        key_touch(info)
        if not decision.allowed:
            LIMITED.inc()
            wait = decision.retry_after
            response: HttpResponse = json_error(
                "rate_limited",
                f"Request was throttled. Expected available in {wait} second"
                + ("" if wait == 1 else "s")
                + ".",
                429,
            )
            response["Retry-After"] = str(decision.retry_after)
            return self._finish(response, decision, route, "limited", started)
        owner, body, result = self._entry(route, ident, decision)
        # Tenant and mode: a sandbox key never reads a live object, nor the reverse.
        if owner != kcache.resource_owner(info.integrator_id, info.livemode):
            response = json_error("not_found", route.not_found, 404)
        else:
            response = HttpResponse(body, content_type="application/json")
        return self._finish(response, decision, route, result, started)

    @staticmethod
    def _entry(
        route: FastRead, ident: str, decision: RateDecision
    ) -> tuple[str | None, bytes, str]:
        entry = decision.entry
        if entry is not None and entry[:1] == kcache.VALUE:
            kcache.count(route.namespace, "hit")
            owner, _, body = entry[1:].partition(b"\n")
            return owner.decode(), body, "hit"
        if entry == kcache.NOT_FOUND:
            kcache.count(route.namespace, "hit")
            return None, b"", "hit"
        kcache.count(route.namespace, "miss")
        loaded = route.loader(ident)
        if entry is None:  # not over a tombstone
            payload = None if loaded is None else kcache.resource_payload(*loaded)
            ttl = getattr(settings, route.ttl_setting) if loaded else settings.CACHE_TTL_NOT_FOUND
            kcache.cache_fill(route.namespace, ident, decision.cache_epoch, payload, ttl)
        if loaded is None:
            return None, b"", "miss"
        return str(loaded[0]), loaded[1], "miss"

    @staticmethod
    def _finish(
        response: HttpResponse, decision: RateDecision, route: FastRead, result: str, started: float
    ) -> HttpResponse:
        rate_headers(response, decision)
        response["X-Frame-Options"] = "DENY"
        response["Vary"] = "Authorization"
        child = _LATENCY.get((route.name, result))
        if child is None:
            child = _LATENCY[(route.name, result)] = FAST_LATENCY.labels(route.name, result)
        child.observe(time.perf_counter() - started)  # type: ignore[attr-defined]
        return response
