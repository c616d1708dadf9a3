"""Side effects of a verification's state change, scheduled to run after commit.

Services call ``verification_changed`` inside their transaction; everything that leaves the
process (webhook events, cache invalidation beyond the model signals) happens on commit, so a
rolled-back change never leaks out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from verifications.models import BusinessVerification

# Receivers registered by other apps (e.g. webhooks) at import time; each gets
# (verification, event_type) after commit. A list, not Django signals, so the order is explicit
# and failures are isolated per receiver.
_receivers: list[Callable[[BusinessVerification, str], None]] = []


def register(receiver: Callable[[BusinessVerification, str], None]) -> None:
    if receiver not in _receivers:
        _receivers.append(receiver)


def verification_changed(verification: BusinessVerification, *, event_type: str) -> None:
    """Announce ``event_type`` (``verification.created`` / ``.updated`` / ``.completed``)."""

    def _fire() -> None:
        for receiver in list(_receivers):
            receiver(verification, event_type)

    transaction.on_commit(_fire)
