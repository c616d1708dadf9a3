"""A substitute for the network: ``with use_transport(t):`` sends every ``outbound.request``
made in this context (thread, task) to ``t`` instead of the pooled client.

The sandbox (``verifications.sandbox``) uses it to answer registry, website and other calls from
recorded responses, so sandbox runs go through the same check code as live ones and never
reach the outside world. While a substitute is active no circuit breaker is consulted or
updated: a recorded answer says nothing about the real provider's health.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kyb.outbound.client import OutboundResponse


@dataclass(frozen=True)
class OutboundCall:
    """What ``outbound.request`` was asked to send."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    provider: str


class Transport(Protocol):
    """Answers an outbound call: a response, or an ``OutboundError`` as the network would."""

    def send(self, call: OutboundCall) -> OutboundResponse: ...


_current: ContextVar[Transport | None] = ContextVar("kyb_outbound_transport", default=None)


def current_transport() -> Transport | None:
    """The substitute in effect here, or ``None`` (the network)."""
    return _current.get()


@contextmanager
def use_transport(transport: Transport | None) -> Iterator[None]:
    """Route this context's outbound calls to ``transport`` (``None``: the network)."""
    token = _current.set(transport)
    try:
        yield
    finally:
        _current.reset(token)
