"""Exceptions raised by the outbound HTTP client."""

from __future__ import annotations


class OutboundError(Exception):
    """The request could not be completed (network error, timeout, too large, breaker open)."""


class BlockedDestination(OutboundError):
    """The SSRF guard refused the destination (scheme, or an address it resolves to)."""


class UnresolvableHost(BlockedDestination):
    """The host name does not resolve (DNS answered no such name, or did not answer).

    A refusal like its parent (nothing was connected to), but not a judgement about where the
    name points: a website check scores it as unreachable, not as an internal address."""


class ResponseTooLarge(OutboundError):
    """The response body exceeded ``max_bytes``."""


class TooManyRedirects(OutboundError):
    """More redirects than ``OUTBOUND_MAX_REDIRECTS``."""


class CircuitOpen(OutboundError):
    """The provider's circuit breaker is open: the call was not attempted."""
