"""Lua scripts run with EVALSHA on the calling thread's own Redis connection.

Every API request makes one such call (the rate limit, ``kyb.api.ratelimit``) and most writes
one or two more (cache reads and invalidations, ``kyb.cache``). Through ``redis.Redis`` and its
pool a call cost about as much Python as the round trip itself: py-spy on a loaded gunicorn
worker put the client's command, retry, pool and deprecation wrappers at 12 % of a cached
read's GIL time, and on ``POST /verifications`` the two cache scripts were 15 % of the request.
Here the command goes out on a connection this thread keeps (made with the pool's class and
arguments: same host, database, timeouts, TLS), and the reply is read back directly.

A script Redis lost (a restart, ``SCRIPT FLUSH``) is loaded again and the call repeated; a
dropped connection is made again once. Any other error, and a second connection failure, is the
caller's to handle (each caller already treats Redis trouble as it must: fail open, a miss, an
epoch bump). A gthread worker's threads live as long as the worker, so the connections are
bounded by threads x pools; a forked child makes its own.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from typing import Any

import redis
from redis.exceptions import NoScriptError

_local = threading.local()


def thread_connection(pool: redis.ConnectionPool) -> Any:
    """This thread's own connection to ``pool``'s server, made like the pool's."""
    conns: dict[int, tuple[redis.ConnectionPool, Any]] | None = getattr(_local, "conns", None)
    if conns is None or getattr(_local, "pid", None) != os.getpid():
        conns = _local.conns = {}
        _local.pid = os.getpid()
    found = conns.get(id(pool))
    if found is None or found[0] is not pool:  # (the pool is kept: its id is never reused)
        found = conns[id(pool)] = (pool, pool.connection_class(**pool.connection_kwargs))
    return found[1]


def run_command(pool: redis.ConnectionPool, *command: Any) -> Any:
    """One command on this thread's connection to ``pool`` (a dropped connection is made again
    once); the raw reply."""
    conn = thread_connection(pool)
    try:
        conn.send_command(*command)
        return conn.read_response()
    except (redis.ConnectionError, redis.TimeoutError):
        conn.disconnect()  # a reply may still be on its way: never read it as the next one
    conn.send_command(*command)
    return conn.read_response()


def run_script(
    pool: redis.ConnectionPool, sha: str, source: str, keys: Sequence[Any], args: Sequence[Any]
) -> Any:
    """EVALSHA ``sha`` (the SHA-1 of ``source``) on this thread's connection to ``pool``,
    loading the script first if Redis lost it."""
    try:
        return run_command(pool, "EVALSHA", sha, len(keys), *keys, *args)
    except NoScriptError:
        run_command(pool, "SCRIPT", "LOAD", source)
        return run_command(pool, "EVALSHA", sha, len(keys), *keys, *args)


class ThreadScript:
    """A Lua script bound to a pool, called like redis-py's ``Script``: ``(keys=, args=)``."""

    def __init__(self, source: str, pool: redis.ConnectionPool) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode(), usedforsecurity=False).hexdigest()
        self.pool = pool

    def __call__(self, keys: Sequence[Any] = (), args: Sequence[Any] = ()) -> Any:
        return run_script(self.pool, self.sha, self.source, keys, args)
