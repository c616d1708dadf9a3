"""Two changes to kombu's Redis transport (kombu 5.7 with Celery 5.7), installed where the Celery
app is built.

1. ``guard_closed_transport``: a fix that keeps a worker alive when
the broker goes away.

When the broker connection is lost, Celery 5.7's consumer first ``collect()``s the connection and
then ``close()``s it. If the loss was noticed on the Pub/Sub socket while a BRPOP was still
outstanding, ``collect()`` stops part-way. The transport has already let go of its client, but
the default channel is still open and holds unacked messages (``acks_late``). ``close()`` then
closes that channel, which tries to restore the messages through a new Redis pool. Building the
pool's parameters reads ``transport.client.hostname`` and raises ``AttributeError`` on ``None``.
That is not a connection error, so nothing catches it: Celery logs "Unrecoverable error" and the
worker stops consuming for good (seen in the broker-outage fault test; the same trace is in
celery/celery#10205 and #10302).

With no client, the broker is unreachable by definition. Raising Redis's ``ConnectionError``
there makes the close path treat it as the connection error it is. The messages stay in the
broker's unacked set, and the visibility timeout restores them; if the broker lost them, the
sweeper re-sends their jobs (docs/reliability.md).

2. ``reuse_publish_client``: kombu builds a new ``redis.Redis`` client for every message it
publishes (``Channel.conn_or_acquire``), and a client's constructor copies its ~170 response
callbacks into a case-insensitive dict: about 5 % of a ``POST /verifications``'s CPU. The channel
now keeps one client over its own connection pool and builds a new one only when the pool is
replaced (kombu drops the pool when the connection is lost). The client takes a connection from
the pool per command, as before, so nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

_PATCHED = "_kyb_closed_transport_guard"


def guard_closed_transport() -> None:
    """Install the guard once (idempotent); called where the Celery app is built."""
    channel: Any = kombu_redis.Channel  # typed stubs do not name its private methods
    if getattr(channel, _PATCHED, False):
        return
    original = channel._connparams

    def _connparams(self: Any, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection is closed")
        return original(self, asynchronous=asynchronous)

    channel._connparams = _connparams
    setattr(channel, _PATCHED, True)


_REUSED = "_kyb_reused_publish_client"
_CLIENT = "_kyb_publish_client"


def reuse_publish_client() -> None:
    """Install the client reuse once (idempotent); see the module's docstring."""
    channel: Any = kombu_redis.Channel
    if getattr(channel, _REUSED, False):
        return

    @contextmanager
    def conn_or_acquire(self: Any, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        pool = self.pool
        cached = self.__dict__.get(_CLIENT)
        if cached is None or cached.connection_pool is not pool:
            cached = self._create_client()
            self.__dict__[_CLIENT] = cached
        yield cached

    channel.conn_or_acquire = conn_or_acquire
    setattr(channel, _REUSED, True)
