"""The pooled, SSRF-guarded HTTP client (urllib3) behind ``kyb.outbound.request``."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import orjson
import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError
from urllib3.util import connection as u3connection
from urllib3.util.retry import Retry

from kyb.outbound import metrics
from kyb.outbound.errors import (
    BlockedDestination,
    OutboundError,
    ResponseTooLarge,
    TooManyRedirects,
)
from kyb.outbound.guard import resolve_checked
from kyb.outbound.transport import OutboundCall, current_transport

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Headers that must not follow a redirect to another origin.
CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
USER_AGENT = "kyb-platform/1.0 (+https://github.com/kyb-platform)"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class OutboundResponse:
    """A completed response. ``url`` is the final URL after redirects, ``history`` the hops."""

    status: int
    headers: dict[str, str]
    body: bytes
    url: str
    elapsed_ms: int
    history: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";"):
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return orjson.loads(self.body)


# The wall-clock deadline of the request this thread is making (``request`` sets it): the
# read timeout is per socket read, so a server that drips its status line and headers a byte
# at a time never reached it, and held a worker until its task's time limit.
_budget = threading.local()


class _GuardedConnectionMixin:
    """Resolve, vet every address, then connect to a vetted address (never re-resolve); read
    the response's head within the request's deadline."""

    _dns_host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any
    host: str
    sock: Any

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        deadline = getattr(_budget, "deadline", None)
        if deadline is None:
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        # Past the deadline the socket is shut down: the blocked read returns and the request
        # fails as a broken connection (``request`` reports it as out of time).
        timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._cut_off)
        timer.daemon = True
        timer.start()
        try:
            return super().getresponse(*args, **kwargs)  # type: ignore[misc]
        finally:
            timer.cancel()

    def _cut_off(self) -> None:
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _new_conn(self) -> socket.socket:
        addresses = resolve_checked(
            self._dns_host, self.port, allow_private=settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS
        )
        last: OSError | None = None
        for _family, address in addresses:
            try:
                return u3connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"connect to {self.host} timed out") from exc
            except OSError as exc:
                last = exc
        raise NewConnectionError(self, f"cannot connect to {self.host}: {last}")  # type: ignore[arg-type]


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


_lock = threading.Lock()
_manager: urllib3.PoolManager | None = None


def pool_manager() -> urllib3.PoolManager:
    """The process's one pool manager (created lazily, so each forked worker gets its own)."""
    global _manager
    if _manager is None:
        with _lock:
            if _manager is None:
                manager = urllib3.PoolManager(
                    num_pools=settings.OUTBOUND_POOL_HOSTS,
                    maxsize=settings.OUTBOUND_POOL_SIZE_PER_HOST,
                    block=False,
                )
                manager.pool_classes_by_scheme = {
                    "http": GuardedHTTPConnectionPool,
                    "https": GuardedHTTPSConnectionPool,
                }
                _manager = manager
    return _manager


def _reset_after_fork() -> None:
    global _manager
    _manager = None


os.register_at_fork(after_in_child=_reset_after_fork)


def _retry_policy(retries: int) -> Retry:
    # Transient failures only: connection errors, and for idempotent methods read errors and
    # 429/502/503/504. Exponential backoff with jitter, capped; Retry-After is ignored so a
    # remote end can never stall a worker past our own time budget.
    return Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=False,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.OUTBOUND_BACKOFF_FACTOR,
        backoff_max=settings.OUTBOUND_BACKOFF_MAX,
        backoff_jitter=settings.OUTBOUND_BACKOFF_FACTOR,
        raise_on_status=False,
        raise_on_redirect=False,
        respect_retry_after_header=False,
    )


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise BlockedDestination(f"scheme {parts.scheme!r} is not allowed")
    if not parts.hostname:
        raise BlockedDestination("URL has no host")
    if parts.username or parts.password:
        raise BlockedDestination("credentials in URLs are not allowed")


def _read_capped(response: Any, *, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        _discard(response)
        raise ResponseTooLarge(f"content-length {declared} exceeds {max_bytes} bytes")
    chunks: list[bytes] = []
    total = 0
    # read1: at most one socket read per step, so the deadline is checked even against a
    # server that drips a byte at a time (read(n) would wait for all n bytes).
    while chunk := response.read1(_CHUNK, decode_content=True):
        total += len(chunk)
        if total > max_bytes:
            _discard(response)
            raise ResponseTooLarge(f"response exceeds {max_bytes} bytes")
        if time.monotonic() > deadline:
            _discard(response)
            raise OutboundError("response took longer than the time budget")
        chunks.append(chunk)
    response.release_conn()
    return b"".join(chunks)


@dataclass(frozen=True)
class _Hop:
    """What to send next: the request, or the one a redirect turned it into."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


def _discard(response: Any) -> None:
    # Close rather than drain: a redirect or refused body may be arbitrarily large.
    response.close()
    response.release_conn()


def _next_hop(hop: _Hop, response: Any) -> _Hop | None:
    """The request a redirect asks for (as browsers and RFC 9110 do it), or None."""
    location = response.headers.get("location")
    if response.status not in REDIRECT_STATUSES or not location:
        return None
    target = urljoin(hop.url, location)
    method, body = hop.method, hop.body
    if response.status == 303 or (response.status in (301, 302) and method == "POST"):
        method, body = ("HEAD" if method == "HEAD" else "GET"), None
    headers = hop.headers
    if urlsplit(target).netloc != urlsplit(hop.url).netloc:
        headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}
    return _Hop(method, target, headers, body)


def _send(hop: _Hop, retry: Retry, timeout: urllib3.Timeout) -> Any:
    _check_url(hop.url)
    return pool_manager().urlopen(
        hop.method,
        hop.url,
        body=hop.body,
        headers=hop.headers,
        redirect=False,
        retries=retry,
        timeout=timeout,
        preload_content=False,
        assert_same_host=False,
    )


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    follow_redirects: bool = True,
    retries: int | None = None,
    provider: str = "other",
) -> OutboundResponse:
    """Make one HTTP request through the guarded pool. See the package docstring."""
    substitute = current_transport()
    if substitute is not None:  # the sandbox: answered from recordings, nothing leaves
        encoded = body.encode() if isinstance(body, str) else body
        call = OutboundCall(method.upper(), url, dict(headers or {}), encoded, provider)
        return substitute.send(call)
    budget = timeout if timeout is not None else settings.OUTBOUND_TIMEOUT
    cap = max_bytes if max_bytes is not None else settings.OUTBOUND_MAX_BYTES
    attempts = 1 + (settings.OUTBOUND_RETRIES if retries is None else retries)
    retry = _retry_policy(attempts - 1)
    u3timeout = urllib3.Timeout(connect=min(budget, settings.OUTBOUND_CONNECT_TIMEOUT), read=budget)
    started = time.monotonic()
    deadline = started + attempts * (budget + settings.OUTBOUND_BACKOFF_MAX)
    # Passing headers replaces the pool's defaults, so the User-Agent is set here.
    hop = _Hop(
        method.upper(),
        url,
        {"User-Agent": USER_AGENT, **(headers or {})},
        body.encode() if isinstance(body, str) else body,
    )
    history: list[str] = []
    outcome = "error"
    _budget.deadline = deadline
    try:
        for _ in range(settings.OUTBOUND_MAX_REDIRECTS + 1):
            response = _send(hop, retry, u3timeout)
            following = _next_hop(hop, response) if follow_redirects else None
            if following is not None:
                _discard(response)
                history.append(hop.url)
                hop = following
                continue
            content = _read_capped(response, max_bytes=cap, deadline=deadline)
            outcome = f"{response.status // 100}xx"
            return OutboundResponse(
                status=response.status,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=content,
                url=hop.url,
                elapsed_ms=int((time.monotonic() - started) * 1000),
                history=tuple(history),
            )
        raise TooManyRedirects(f"more than {settings.OUTBOUND_MAX_REDIRECTS} redirects")
    except BlockedDestination:
        outcome = "blocked"
        raise
    except HTTPError as exc:
        if time.monotonic() >= deadline:
            raise OutboundError(
                f"{hop.method} {hop.url}: no response within the time budget"
            ) from exc
        raise OutboundError(f"{hop.method} {hop.url}: {_describe(exc)}") from exc
    finally:
        _budget.deadline = None
        metrics.observe_request(
            provider=provider, outcome=outcome, seconds=time.monotonic() - started
        )


def _describe(exc: HTTPError) -> str:
    reason = getattr(exc, "reason", None)
    return f"{type(exc).__name__}: {reason or exc}"
