"""The event registry: domain apps announce what happened, other apps subscribe.

A domain app calls ``publish`` inside the transaction of the change it announces; it imports no
subscriber. Subscribers (webhooks) register at ``ready()`` and run right there, in order, in the
same transaction: they may only write rows (an outbox); anything that leaves the process they
defer with ``transaction.on_commit``. So a rolled-back change announces nothing, and a committed
one cannot lose its event to a crash between commit and delivery.

The payload is plain JSON-able data or a callable returning it: a subscriber calls it only if it
needs the data (webhooks: only when an endpoint wants the event type), so an announcement nobody
listens to costs no rendering. This module imports no domain app.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Payload = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Event:
    """What happened (``type``, e.g. ``verification.completed``), to whose data
    (``integrator_id``), and its public representation (``payload``, possibly lazy).

    ``redact_ids`` is set by an erasure: the ids (merchant, its verifications) whose stored
    copies subscribers must cut down to ids and statuses before the event goes out.
    ``livemode`` is false for a sandbox object's event (docs/sandbox.md): it goes to sandbox
    endpoints only. ``simulated_failures`` (sandbox only): a scripted outcome asking that the
    first N delivery attempts fail without being sent. ``subject`` is the object announced
    (e.g. the verification), for in-process subscribers that act on it in the same transaction
    (batches count a decision); it is never serialised."""

    type: str
    integrator_id: uuid.UUID
    payload: Payload
    redact_ids: tuple[str, ...] = ()
    livemode: bool = True
    simulated_failures: int = 0
    subject: Any = None

    def data(self) -> dict[str, Any]:
        """The payload, rendered now if it was lazy."""
        payload = self.payload() if callable(self.payload) else self.payload
        return payload if isinstance(payload, dict) else dict(payload)


# A subscriber may return counts of what it did (for the caller's audit row), or None.
Subscriber = Callable[[Event], Mapping[str, int] | None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    """Register ``subscriber`` for every event (idempotent); it filters the types it wants."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(
    event_type: str,
    *,
    integrator_id: uuid.UUID,
    payload: Payload,
    redact_ids: tuple[str, ...] = (),
    livemode: bool = True,
    simulated_failures: int = 0,
    subject: Any = None,
) -> dict[str, int]:
    """Announce an event to every subscriber, in the caller's transaction; returns the counts
    the subscribers reported, merged."""
    event = Event(
        type=event_type,
        integrator_id=integrator_id,
        payload=payload,
        redact_ids=redact_ids,
        livemode=livemode,
        simulated_failures=simulated_failures,
        subject=subject,
    )
    counts: dict[str, int] = {}
    for subscriber in list(_subscribers):
        counts.update(subscriber(event) or {})
    return counts
