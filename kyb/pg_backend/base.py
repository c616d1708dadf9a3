"""django-prometheus's PostgreSQL backend, with its psycopg pool fitted to our processes.

* **A cheap check on checkout** (``check_idle_connection``). After PostgreSQL restarted (or a
  proxy between dropped its connections) each process's pool still held up to
  ``DB_POOL_MAX_SIZE`` dead connections and handed each out once: a 503 per dead connection, for
  minutes. Django builds the pool and passes ``check`` from ``CONN_HEALTH_CHECKS``: on, psycopg's
  check costs a round trip per checkout. Ours is one ``select`` call, set on the pool Django made.
* **A pool inherited through ``fork`` is never used**: a forked child forgets it (psycopg says
  nothing on the parent's sockets), and opens its own.
* **Celery workers keep their pool** (``keep_pool``, set by ``kyb.celery`` in the worker).
  Celery's Django fixup calls ``close_pool()`` when a pool process starts and after every task:
  each task then opened a new connection, and the warm-up thread loading the screening index
  lost the pool under it ("the pool 'pool-2' is closed", seen by a QA fault run when pool
  processes were replaced). Elsewhere ``close_pool()`` closes, as Django expects (test
  databases, a time zone change).
"""

from __future__ import annotations

import os
import select
from typing import Any

import psycopg
from django_prometheus.db.backends.postgresql.base import (  # type: ignore[import-untyped]
    DatabaseWrapper as PrometheusWrapper,
)


def check_idle_connection(conn: psycopg.Connection) -> None:
    """Raise if the server has closed ``conn`` or sent it anything while it sat in the pool: the
    pool then discards it and hands out another.

    An idle connection has nothing to read, so when the server ends one (a shutdown's FATAL
    message, or EOF) its socket turns readable. A connection cut without a word (a silent
    network partition) is not caught here; TCP keepalives and ``DB_POOL_MAX_LIFETIME`` bound
    those."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        # Closed, so the pool discards it (one it cannot tell is broken goes back in the pool,
        # and the same connection failed the check until the pool's timeout).
        conn.close()
        raise psycopg.OperationalError("the server ended the connection while it was idle")


class DatabaseWrapper(PrometheusWrapper):
    keep_pool = False  # a Celery worker's (kyb.celery): close_pool() keeps this process's pool

    @property
    def pool(self) -> Any:
        pool = super().pool
        if pool is not None and pool._check is None:
            pool._check = check_idle_connection  # psycopg_pool keeps the callback here
        return pool

    def close_pool(self) -> None:
        """Close this process's pool, unless ``keep_pool`` (its connections went back to it on
        ``close()``)."""
        if not self.keep_pool:
            super().close_pool()


def _forget_inherited_pools() -> None:
    """In a forked child: the parent's pools (and sockets) are not this process's to use or
    close. psycopg never finishes a connection in a process other than the one that opened it,
    so dropping them is silent; the child's first query opens its own pool."""
    DatabaseWrapper._connection_pools.clear()


os.register_at_fork(after_in_child=_forget_inherited_pools)
