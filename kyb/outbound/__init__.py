"""Outbound HTTP: one pooled, SSRF-guarded client per process, with per-provider breakers.

Everything that calls a third party (registry APIs, merchant websites, webhook deliveries) goes
through here::

    from kyb import outbound

    resp = outbound.request(
        "POST", "https://hooks.example.com/kyb",
        headers={"Content-Type": "application/json"}, body=b"{...}",
        timeout=10, max_bytes=64_000, follow_redirects=False, provider="webhooks",
    )
    resp.status, resp.headers, resp.body, resp.url, resp.elapsed_ms

- **Pooling**: one urllib3 ``PoolManager`` per process (re-created after fork), keep-alive per host
  (``OUTBOUND_POOL_HOSTS`` hosts x ``OUTBOUND_POOL_SIZE_PER_HOST`` connections).
- **Timeouts**: ``timeout`` (default ``OUTBOUND_TIMEOUT``) per attempt for reading; connecting is
  capped at ``OUTBOUND_CONNECT_TIMEOUT``. The body is also read against an overall deadline.
- **Retries**: transient failures only (connection errors; read errors and 429/502/503/504 for
  idempotent methods), ``OUTBOUND_RETRIES`` times, exponential backoff with jitter, capped at
  ``OUTBOUND_BACKOFF_MAX``. ``retries=0`` disables them (webhooks retry on their own schedule).
- **Size cap**: bodies over ``max_bytes`` (default ``OUTBOUND_MAX_BYTES``, after decompression)
  raise ``ResponseTooLarge``.
- **SSRF guard**: only http/https, no credentials in URLs; the host is resolved and *every*
  address vetted before connecting (private, loopback, link-local, cloud metadata, multicast,
  reserved, unspecified are refused), the socket then connects to the vetted address (no second
  lookup: DNS rebinding cannot swap it). Each redirect hop goes through the same check.
  ``OUTBOUND_ALLOW_PRIVATE_NETWORKS=true`` permits private/loopback (tests, on-prem); metadata,
  multicast and unspecified addresses stay refused. Refusals raise ``BlockedDestination``.
- **Redirects**: followed (at most ``OUTBOUND_MAX_REDIRECTS``) unless ``follow_redirects=False``,
  in which case the 3xx response is returned as is. Credentials are dropped across origins.
- **Circuit breakers**: ``breaker_call(provider, func)`` runs ``func`` under that provider's
  pybreaker breaker, state shared across workers in Redis, which ``/metrics`` reads at scrape
  time as the ``kyb_outbound_breaker_state`` gauge; raises ``CircuitOpen`` while open. Inside
  ``func``, raise ``ProviderFailure`` for what counts against the provider (5xx, 429, network
  errors); anything else passes through uncounted. ``breaker_guarded(key, func)`` does the same
  for one destination (``website:<host>``, ``webhooks:<host>``): network failures count and are
  re-raised as they were; ``/metrics`` counts the open ones (``kyb_outbound_breakers_open``).
  ``breaker_state`` / ``breaker_reset`` inspect and close one.

- **Substitute transport**: ``with use_transport(t):`` answers this context's requests from
  ``t`` (``kyb.outbound.transport``), bypassing pool and breakers; the sandbox's recordings.

Errors: ``OutboundError`` (base: network, timeout, too large, too many redirects, breaker open),
``BlockedDestination``. An HTTP error status is *not* an exception: check ``resp.status``.
"""

from __future__ import annotations

from kyb.outbound.breakers import ProviderFailure, breaker_reset, breaker_state
from kyb.outbound.breakers import call as breaker_call
from kyb.outbound.breakers import guarded as breaker_guarded
from kyb.outbound.client import OutboundResponse, request
from kyb.outbound.errors import (
    BlockedDestination,
    CircuitOpen,
    OutboundError,
    ResponseTooLarge,
    TooManyRedirects,
    UnresolvableHost,
)
from kyb.outbound.transport import OutboundCall, Transport, current_transport, use_transport

__all__ = [
    "BlockedDestination",
    "CircuitOpen",
    "OutboundCall",
    "OutboundError",
    "OutboundResponse",
    "ProviderFailure",
    "ResponseTooLarge",
    "TooManyRedirects",
    "Transport",
    "UnresolvableHost",
    "breaker_call",
    "breaker_guarded",
    "breaker_reset",
    "breaker_state",
    "current_transport",
    "request",
    "use_transport",
]
