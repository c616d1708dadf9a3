"""The per-process screening index, rebuilt when the active list versions change.

Queries never touch the database for list data: they use the in-memory
:class:`~screening.matching.index.ScreeningIndex`. At most every
``SCREENING_VERSION_CHECK_SECONDS`` (default 5) a query checks the active versions with one
indexed query of a few rows; when they changed, the index is rebuilt from one consistent snapshot.
While one thread rebuilds, other threads keep answering from the previous index, so a reload never
leaves a window without a list. A load in this process makes the next query check at once.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError

from screening import selectors
from screening.matching.index import ScreeningIndex

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_index: ScreeningIndex | None = None
_checked_at = float("-inf")
_expired_at = float("-inf")  # when expire() last ran


def check_interval() -> float:
    """Seconds between two checks of the active list versions."""
    return float(getattr(settings, "SCREENING_VERSION_CHECK_SECONDS", 5.0))


def current_index() -> ScreeningIndex:
    """The index for the active lists, checking for a newer version when the interval passed."""
    global _index, _checked_at
    index = _index
    if index is not None and time.monotonic() - _checked_at < check_interval():
        return index
    # Only one thread checks or rebuilds; the others keep using the index they have (if any).
    if not _lock.acquire(blocking=index is None):
        return index  # type: ignore[return-value]  # not None: blocking acquire otherwise
    try:
        index = _index
        if index is not None and time.monotonic() - _checked_at < check_interval():
            return index
        # The time the check *starts*: an expire() (a load committed in this process) while
        # the stamp is read or the index built leaves _checked_at at -inf for the next query;
        # stamping the end time instead would cancel it.
        started = time.monotonic()
        try:
            stamp = selectors.watchlist_stamp()
            if index is None or stamp != index.stamp:
                index = _build()
        except DatabaseError:
            if index is None:
                raise  # nothing to screen with: the caller's check reports the error
            # A database blip must not fail screening that a good index can answer; retry
            # at the next interval.
            logger.warning(
                "watchlist check failed; screening with the current index", exc_info=True
            )
            if _expired_at <= started:
                _checked_at = started
            return index
        _index = index
        if _expired_at <= started:  # else a load committed meanwhile: check again at once
            _checked_at = started
        return index
    finally:
        _lock.release()


def _build() -> ScreeningIndex:
    started = time.monotonic()
    stamp, entities = selectors.watchlist_snapshot()
    index = ScreeningIndex(entities, stamp=stamp)
    logger.info(
        "screening index built",
        extra={
            "stamp": stamp,
            "entities": len(index),
            "names": index.name_count,
            "seconds": round(time.monotonic() - started, 3),
        },
    )
    return index


def expire() -> None:
    """Make the next query re-check the active versions (called after a load commits)."""
    global _checked_at, _expired_at
    _expired_at = time.monotonic()
    _checked_at = float("-inf")


def reset() -> None:
    """Drop the index entirely (tests)."""
    global _index
    with _lock:
        _index = None
    expire()
