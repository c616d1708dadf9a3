"""Side effects of a verification's state change.

Services call ``verification_changed`` inside their transaction. Receivers (e.g. webhooks) run
right there, in the same transaction, and may only write rows (an event, its deliveries: an
outbox); anything that leaves the process they defer with ``transaction.on_commit``. So a
rolled-back change emits nothing, and a committed one cannot lose its event to a crash between
commit and emission.
"""

from __future__ import annotations

from collections.abc import Callable

from verifications.models import BusinessVerification

# Registered by other apps at ready(); called in order with (verification, event_type).
_receivers: list[Callable[[BusinessVerification, str], None]] = []


def register(receiver: Callable[[BusinessVerification, str], None]) -> None:
    if receiver not in _receivers:
        _receivers.append(receiver)


def verification_changed(verification: BusinessVerification, *, event_type: str) -> None:
    """Announce ``event_type`` (``verification.created`` / ``.updated`` / ``.completed``)."""
    for receiver in list(_receivers):
        receiver(verification, event_type)
