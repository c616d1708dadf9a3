"""The fast read path: ``GET`` of one cached API resource in one Redis round trip, no ORM.

Domain apps register their detail reads (``fast_read_register``): a URL pattern, a cache
namespace and a loader that returns (owner, public JSON body) from the database, the owner being
``kyb.cache.resource_owner`` of the object's integrator and mode (live or sandbox).
For a registered ``GET`` with a bearer key:

1. the key is resolved from the process's key ring (``kyb.api.keyring``; no PostgreSQL query);
2. one Lua call counts the request against the key's rate limit, reads the key epoch
   (revocations) and the cache epoch, and reads the cached entry;
3. the cached bytes are answered as they are (a hit), or loaded, filled and answered (a miss).

Two layers do it. ``FastReadApp`` wraps the WSGI application (``kyb/wsgi.py``) and answers what
needs no database: a hit, a cached "not found", a rate-limited request, with a key the ring
holds that needs neither reloading nor its ``last_used_at`` written. It answers before Django
builds a request, runs its signals and its middleware: the response gets the same headers
through the same code (``api_headers``, the gzip and security middlewares' ``process_response``).
Anything else it leaves to Django, with its Redis answer when it has one (``ENVIRON_KEY``), so a
request is never counted twice. ``FastReadMiddleware`` (after ``ApiMiddleware``, before session,
CSRF and auth, which an API-key request does not use) finishes those: a miss, a key to load or
touch.

Everything else (no or unknown key, missing scope, a query string, Redis down, rate-limit
store on another Redis than the cache) falls through to the ordinary DRF view, which gives the
same answers the slow way; the fast path never decides an error it cannot decide exactly as the
view would. A read answered by ``FastReadApp`` is counted in ``kyb_api_fast_read_seconds`` only
(not in django-prometheus's request metrics, which need Django's middleware).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import get_script_name
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host
from django.middleware.security import SecurityMiddleware
from prometheus_client import Histogram

from kyb import cache as kcache
from kyb.api.errors import json_error, unavailable_response
from kyb.api.keyring import (
    KeyInfo,
    epoch_key,
    key_confirm,
    key_holds,
    key_peek,
    key_resolve,
    key_touch,
    key_touch_due,
)
from kyb.api.middleware import ThresholdGZipMiddleware, api_headers, rate_headers
from kyb.api.ratelimit import LIMITED, RateDecision, rate_limit_call

logger = logging.getLogger("kyb.api")

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


def _bearer(meta: dict[str, Any]) -> str | None:
    parts = meta.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    return None


def _candidate(meta: dict[str, Any], path_info: str) -> tuple[FastRead, str, str] | None:
    """(route, id, key) of a GET the fast path may take, from the request's WSGI environ."""
    if meta.get("REQUEST_METHOD") != "GET" or meta.get("QUERY_STRING"):
        return None
    accept = meta.get("HTTP_ACCEPT", "")
    if accept and "json" not in accept and "*/*" not in accept:
        return None  # the view's content negotiation answers 406
    found = _route(path_info)
    plaintext = _bearer(meta) if found else None
    if found is None or plaintext is None:
        return None
    return (*found, plaintext)


@dataclass
class _Read:
    """A fast read whose Redis round trip is done."""

    route: FastRead
    ident: str
    key_hash: str
    info: KeyInfo
    decision: RateDecision
    started: float


# The environ entry through which FastReadApp hands Django a read it began: a _Read, or DECLINED
# (the view answers). No client can set it: request headers are HTTP_* entries.
ENVIRON_KEY = "kyb.fast_read"
DECLINED = "declined"


def _begin(route: FastRead, ident: str, key_hash: str, info: KeyInfo | None) -> _Read | None:
    """The Redis round trip of a read; ``None`` when the view must answer."""
    started = time.perf_counter()
    if settings.RATE_LIMIT_REDIS_URL != settings.REDIS_URL:
        return None  # one round trip needs rate limits and cache on the same Redis
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
    return _Read(route, ident, key_hash, info, decision, started)


def _answer(read: _Read, *, database: bool) -> HttpResponse | None:
    """The response to a begun read, ``None`` when the view must answer it. Without
    ``database``, also ``None`` when answering needs PostgreSQL: a key to reload (its epoch
    moved) or to touch, or a cache miss; Django then finishes the read with it."""
    decision, route = read.decision, read.route
    if database:
        info = key_confirm(read.key_hash, read.info, decision.key_epoch)
        if info is None or "read" not in info.scopes:
            return None
        key_touch(info)
    elif key_holds(read.info, decision.key_epoch) and not key_touch_due(read.info):
        info = read.info
    else:
        return None
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
        return _finish(response, read, "limited")
    found = _cached(route, decision) if not database else _entry(route, read.ident, decision)
    if found is None:
        return None
    owner, body, result = found
    # Tenant and mode: a sandbox key never reads a live object, nor the reverse.
    if owner != kcache.resource_owner(info.integrator_id, info.livemode):
        response = json_error("not_found", route.not_found, 404)
    else:
        response = HttpResponse(body, content_type="application/json")
    return _finish(response, read, result)


def _cached(route: FastRead, decision: RateDecision) -> tuple[str | None, bytes, str] | None:
    """The entry the round trip read: (owner, body, "hit"); ``None`` for a miss."""
    entry = decision.entry
    if entry is not None and entry[:1] == kcache.VALUE:
        kcache.count(route.namespace, "hit")
        owner, _, body = entry[1:].partition(b"\n")
        return owner.decode(), body, "hit"
    if entry == kcache.NOT_FOUND:
        kcache.count(route.namespace, "hit")
        return None, b"", "hit"
    return None


def _entry(route: FastRead, ident: str, decision: RateDecision) -> tuple[str | None, bytes, str]:
    """The entry, loaded from the database (and filled) on a miss."""
    cached = _cached(route, decision)
    if cached is not None:
        return cached
    kcache.count(route.namespace, "miss")
    loaded = route.loader(ident)
    if decision.entry is None:  # not over a tombstone
        payload = None if loaded is None else kcache.resource_payload(*loaded)
        ttl = getattr(settings, route.ttl_setting) if loaded else settings.CACHE_TTL_NOT_FOUND
        kcache.cache_fill(route.namespace, ident, decision.cache_epoch, payload, ttl)
    if loaded is None:
        return None, b"", "miss"
    return str(loaded[0]), loaded[1], "miss"


def _finish(response: HttpResponse, read: _Read, result: str) -> HttpResponse:
    rate_headers(response, read.decision)
    response["X-Frame-Options"] = "DENY"
    response["Vary"] = "Authorization"
    # gunicorn would send a body of unknown length in chunks (gzip sets its own length).
    response["Content-Length"] = str(len(response.content))
    child = _LATENCY.get((read.route.name, result))
    if child is None:
        child = _LATENCY[(read.route.name, result)] = FAST_LATENCY.labels(read.route.name, result)
    child.observe(time.perf_counter() - read.started)  # type: ignore[attr-defined]
    return response


class FastReadMiddleware:
    """Finishes the reads FastReadApp left to Django, and takes those it did not see (a key
    not in the ring yet; a test client, which calls Django's handler directly)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        begun = request.META.get(ENVIRON_KEY)
        if begun == DECLINED:
            return self.get_response(request)
        found = None if begun else _candidate(request.META, request.path_info)
        if begun is None and found is None:
            return self.get_response(request)
        try:
            if found is not None:
                request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check it
                route, ident, plaintext = found
                begun = _begin(route, ident, *key_resolve(plaintext))
            served = _answer(begun, database=True) if begun else None
        except (OperationalError, InterfaceError) as exc:
            # PostgreSQL unreachable (a key not in the ring, or a cache miss): the view would
            # wait for a pooled connection a second time to say the same.
            return unavailable_response(exc)
        return served or self.get_response(request)


class _Environ:
    """What the gzip and security middlewares read of a request, over a WSGI environ."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.META = environ

    def is_secure(self) -> bool:
        return _secure(self.META)


def _secure(environ: dict[str, Any]) -> bool:
    """``HttpRequest.is_secure`` over a WSGI environ (SECURE_PROXY_SSL_HEADER, else the scheme)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return bool(value.split(",", 1)[0].strip() == secure_value)
    return bool(environ.get("wsgi.url_scheme") == "https")


def _host_allowed(environ: dict[str, Any]) -> bool:
    """``HttpRequest.get_host`` would not raise (without a Host header: left to Django)."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST", "")
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    domain, _ = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def _never(request: HttpRequest) -> HttpResponse:
    raise AssertionError("only process_response is called")


# The gzip and security middlewares FastReadApp runs responses through: made once (they read
# their settings when made), again after a test changes settings.
_outer: tuple[ThresholdGZipMiddleware, SecurityMiddleware] | None = None


def _outer_middleware() -> tuple[ThresholdGZipMiddleware, SecurityMiddleware]:
    global _outer
    if _outer is None:
        _outer = (ThresholdGZipMiddleware(_never), SecurityMiddleware(_never))
    return _outer


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _outer
    _outer = None


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Any]


class FastReadApp:
    """WSGI: answer the fast reads that need no database before Django sees them."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        try:
            response = self._answer(environ)
        except Exception:  # a bug here must not cost the request: Django answers it
            logger.exception("fast read in front of Django failed; Django answers")
            environ[ENVIRON_KEY] = DECLINED
            response = None
        if response is None:
            return self.app(environ, start_response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    def _answer(self, environ: dict[str, Any]) -> HttpResponse | None:
        path_info = environ.get("PATH_INFO", "")
        found = _candidate(environ, path_info)
        if (
            found is None
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
            or "HTTP_TRANSFER_ENCODING" in environ
            or (settings.SECURE_SSL_REDIRECT and not _secure(environ))  # Django redirects
            or not _host_allowed(environ)  # Django answers 400
        ):
            return None
        route, ident, plaintext = found
        key_hash, info = key_peek(plaintext)
        if info is None:
            return None  # Django loads the key (or refuses it)
        begun = _begin(route, ident, key_hash, info)
        response = _answer(begun, database=False) if begun else None
        if response is None:
            environ[ENVIRON_KEY] = begun or DECLINED
            return None
        # What the middlewares between Django's handler and FastReadMiddleware add, in order.
        request = _Environ(environ)
        api_headers(get_script_name(environ) + path_info, response)  # request.path
        compress, security = _outer_middleware()
        compress.process_response(request, response)  # type: ignore[arg-type]
        security.process_response(request, response)  # type: ignore[arg-type]
        return response
