"""API keys resolved from memory: the L1 in front of PostgreSQL for the hottest read there is.

Each process keeps the keys it has seen (by their keyed hash) for ``KEY_CACHE_SECONDS``. A
revocation, a scope change or an integrator's deactivation bumps the key epoch in Redis on
commit; every API request reads that epoch in the same Lua call as its rate limit
(``kyb.api.ratelimit``), and an entry loaded under another epoch is loaded again. So a revoked
key is refused on the next request after the commit, with no PostgreSQL query on the requests in
between. When Redis cannot be asked, an entry is trusted for ``KEY_CACHE_OFFLINE_SECONDS``
only. If the bump itself fails (Redis down at the commit), it is retried in the background until
Redis answers, and entries older than ``KEY_CACHE_SECONDS`` are reloaded regardless.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from kyb.api.keys import api_key_hash
from kyb.cache import incr_when_redis_answers
from kyb.tenancy.models import ApiKey, Integrator

logger = logging.getLogger("kyb.api")

KEY_CACHE_SECONDS = 60.0
KEY_CACHE_OFFLINE_SECONDS = 1.0
NEGATIVE_SECONDS = 1.0
MAX_ENTRIES = 10_000
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass
class KeyInfo:
    """What a request needs of its key, without a model instance."""

    id: int
    prefix: str
    integrator_id: uuid.UUID
    scopes: frozenset[str]
    epoch: bytes | None
    loaded_at: float
    last_used_at: datetime | None = None
    livemode: bool = True
    instance: ApiKey | None = field(default=None, repr=False)


_keys: dict[str, KeyInfo | None] = {}
_negative: dict[str, float] = {}
_lock = threading.Lock()


def epoch_key() -> str:
    return f"{settings.CACHE_KEY_PREFIX}:rl:epoch"


def _load(key_hash: str, epoch: bytes | None) -> KeyInfo | None:
    key = (
        ApiKey.objects.select_related("integrator")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .first()
    )
    if key is None or not key.integrator.is_active:
        return None
    return KeyInfo(
        id=key.pk,
        prefix=key.prefix,
        integrator_id=key.integrator_id,
        scopes=frozenset(key.scopes),
        epoch=epoch,
        loaded_at=time.monotonic(),
        last_used_at=key.last_used_at,
        livemode=key.livemode,
        instance=key,
    )


def key_resolve(plaintext: str) -> tuple[str, KeyInfo | None]:
    """(hash, entry) for a presented key, from memory when fresh enough. The entry's epoch is
    checked by ``key_confirm`` once the request has read the current epoch."""
    key_hash, info = key_peek(plaintext)
    if info is not None:
        return key_hash, info
    if time.monotonic() - _negative.get(key_hash, -NEGATIVE_SECONDS) < NEGATIVE_SECONDS:
        return key_hash, None
    return key_hash, _remember(key_hash, _load(key_hash, _current_epoch()))


def key_peek(plaintext: str) -> tuple[str, KeyInfo | None]:
    """(hash, entry) from memory only: ``None`` when the ring has no fresh entry (the caller
    then takes the path that may load it from the database)."""
    key_hash = api_key_hash(plaintext)
    info = _keys.get(key_hash)
    if info is not None and time.monotonic() - info.loaded_at < KEY_CACHE_SECONDS:
        return key_hash, info
    return key_hash, None


def key_holds(info: KeyInfo, epoch: bytes | None) -> bool:
    """Whether ``key_confirm`` would keep the entry as it is, without the database."""
    return epoch is not None and info.epoch == epoch


def key_touch_due(info: KeyInfo) -> bool:
    """Whether ``key_touch`` would write ``last_used_at`` now."""
    return info.last_used_at is None or timezone.now() - info.last_used_at > LAST_USED_RESOLUTION


def _client() -> Any:
    from kyb.api.ratelimit import rate_limit_client

    return rate_limit_client(settings.RATE_LIMIT_REDIS_URL)


def _current_epoch() -> bytes | None:
    """Read before the database, so a revocation committed in between is seen as a change."""
    try:
        return _client().get(epoch_key()) or b"0"
    except Exception:  # noqa: BLE001 - Redis down: the entry is trusted only briefly
        return None


def key_confirm(key_hash: str, info: KeyInfo, epoch: bytes | None) -> KeyInfo | None:
    """The entry if it still holds under ``epoch`` (``None``: Redis not asked), else reloaded."""
    if epoch is None:
        if time.monotonic() - info.loaded_at < KEY_CACHE_OFFLINE_SECONDS:
            return info
    elif key_holds(info, epoch):
        return info
    return _remember(key_hash, _load(key_hash, epoch))


def _remember(key_hash: str, info: KeyInfo | None) -> KeyInfo | None:
    with _lock:
        if len(_keys) >= MAX_ENTRIES:
            _keys.clear()
            _negative.clear()
        if info is None:
            _keys.pop(key_hash, None)
            _negative[key_hash] = time.monotonic()
        else:
            _keys[key_hash] = info
            _negative.pop(key_hash, None)
    return info


def key_instance(info: KeyInfo) -> ApiKey:
    """The ApiKey row (with its integrator) behind an entry, fetched once per entry."""
    if info.instance is None:
        info.instance = ApiKey.objects.select_related("integrator").get(pk=info.id)
    return info.instance


def key_touch(info: KeyInfo) -> None:
    if key_touch_due(info):
        info.last_used_at = now = timezone.now()
        ApiKey.objects.filter(pk=info.id).update(last_used_at=now)


def keyring_clear() -> None:
    """Forget every entry of this process (tests; a key epoch bump does it lazily)."""
    with _lock:
        _keys.clear()
        _negative.clear()


# --- revocation: bump the epoch on commit -------------------------------------------------
def _bump() -> None:
    try:
        _client().incr(epoch_key())
    except Exception:  # noqa: BLE001 - Redis down: retry until it answers
        logger.warning("API key epoch bump failed; retrying in the background")
        incr_when_redis_answers(epoch_key(), lambda: _client(), what="API key epoch")


def keys_changed(**kwargs: Any) -> None:
    """Any change to a key or an integrator: every process reloads its entries. A new row
    changes nothing: no process can hold an entry for it."""
    if kwargs.get("created"):
        return
    transaction.on_commit(_bump)
    keyring_clear()


def connect_signals() -> None:
    for model in (ApiKey, Integrator):
        post_save.connect(keys_changed, sender=model, dispatch_uid=f"keyring-{model.__name__}")
        post_delete.connect(keys_changed, sender=model, dispatch_uid=f"keyring-d-{model.__name__}")
