"""Exceptions raised by the outbound HTTP client."""

from __future__ import annotations


class OutboundError(Exception):
    """The request could not be completed (network error, timeout, too large, breaker open)."""


class BlockedDestination(OutboundError):
    """The SSRF guard refused the destination (scheme, or an address it resolves to)."""


class ResponseTooLarge(OutboundError):
    """The response body exceeded ``max_bytes``."""


class TooManyRedirects(OutboundError):
    """More redirects than ``OUTBOUND_MAX_REDIRECTS``."""


class CircuitOpen(OutboundError):
    """The provider's circuit breaker is open: the call was not attempted."""
