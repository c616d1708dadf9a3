"""What a batch announces: ``batch.completed``, once, when its last item is decided.

The same contract as ``verifications.effects``: receivers (webhooks) run inside the transaction
that completed the batch and may only write rows; whatever leaves the process they defer to
``transaction.on_commit``. A rolled-back completion announces nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from batches.models import VerificationBatch

# Registered by other apps at ready(); called with (batch, event_type).
_receivers: list[Callable[[VerificationBatch, str], None]] = []


def register(receiver: Callable[[VerificationBatch, str], None]) -> None:
    if receiver not in _receivers:
        _receivers.append(receiver)


def batch_changed(batch: VerificationBatch, *, event_type: str) -> None:
    """Announce ``event_type`` (``batch.completed``)."""
    for receiver in list(_receivers):
        receiver(batch, event_type)
