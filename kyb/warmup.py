"""Heavy engines that the apps want loaded before work arrives, registered by the apps.

The plumbing runs them (kyb/celery.py: in a worker's main process before the pool forks, and
in each pool process as it starts) without knowing what they are, so it imports no domain app.
A loader must be idempotent and cheap the second time (the engines cache themselves).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("kyb.warmup")


@dataclass(frozen=True)
class _Loader:
    name: str
    load: Callable[[], object]
    before_fork: bool


_loaders: dict[str, _Loader] = {}


def warm_up_register(name: str, load: Callable[[], object], *, before_fork: bool = False) -> None:
    """Register ``load`` under ``name`` (registering a name again replaces it). ``before_fork``:
    it reads only shipped files, no database or socket, so it may run in the worker's main
    process and be shared copy-on-write by every pool process, replacements included."""
    _loaders[name] = _Loader(name, load, before_fork)


def warm_up_run(*, before_fork: bool = False) -> list[str]:
    """Run the loaders (only the fork-safe ones when ``before_fork``); the names that loaded.
    Best effort: a loader that fails is logged and left to load on first use."""
    loaded = []
    for loader in list(_loaders.values()):
        if before_fork and not loader.before_fork:
            continue
        try:
            loader.load()
        except Exception:  # warm-up must never stop a worker from starting
            logger.warning("warm-up of %s skipped", loader.name, exc_info=True)
        else:
            loaded.append(loader.name)
    return loaded
