"""What the screening app announces: a list version that added or changed entries.

Other apps register a receiver at ``ready()`` (ongoing monitoring in ``verifications``); the
screening app imports none of them. Receivers run inside the transaction that marks the change
re-screened, may only write rows (an outbox), and defer anything leaving the process with
``transaction.on_commit``. Each returns how many alerts it opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screening.models import WatchListChange

ListChangedReceiver = Callable[["WatchListChange"], int]
_receivers: list[ListChangedReceiver] = []


def register(receiver: ListChangedReceiver) -> None:
    """Subscribe ``receiver`` to list changes (idempotent)."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def list_changed(change: WatchListChange) -> int:
    """Run every receiver for ``change``; the alerts they opened, summed."""
    return sum(receiver(change) for receiver in list(_receivers))
