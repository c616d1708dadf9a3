"""django-prometheus's PostgreSQL backend, with its psycopg pool fitted to our processes.

* **A cheap check on checkout** (``kyb.db_pool.check_idle_connection``). Django builds the pool
  and passes ``check`` from ``CONN_HEALTH_CHECKS``: on, psycopg's check costs a round trip per
  checkout; off, a pool kept handing out the connections of a restarted server (a 503 each).
  Ours is one ``select`` call, so it is set on the pool Django made.
* **A pool inherited through ``fork`` is never used**: it is dropped without a word on its
  sockets (they are the parent's), and the child opens its own.
* **Celery workers keep their pool** (``keep_pool``, set by ``kyb.celery`` in the worker).
  Celery's Django fixup calls ``close_pool()`` when a pool process starts and after every task:
  each task then opened a new connection, and the warm-up thread loading the screening index
  lost the pool under it ("the pool 'pool-2' is closed", seen by a QA fault run when pool
  processes were replaced). Elsewhere ``close_pool()`` closes, as Django expects (test
  databases, a time zone change).
"""

from __future__ import annotations

import os
from typing import Any

from django_prometheus.db.backends.postgresql.base import (  # type: ignore[import-untyped]
    DatabaseWrapper as PrometheusWrapper,
)

from kyb.db_pool import check_idle_connection


class DatabaseWrapper(PrometheusWrapper):
    keep_pool = False  # a Celery worker's (kyb.celery): close_pool() keeps this process's pool

    def _drop_inherited_pool(self) -> bool:
        """Forget a pool another process opened; whether there was one."""
        pool = self._connection_pools.get(self.alias)
        if pool is not None and getattr(pool, "_kyb_pid", None) != os.getpid():
            self._connection_pools.pop(self.alias, None)
            return True
        return False

    @property
    def pool(self) -> Any:
        self._drop_inherited_pool()
        pool = super().pool
        if pool is not None and getattr(pool, "_kyb_pid", None) is None:
            pool._kyb_pid = os.getpid()
            if pool._check is None:
                pool._check = check_idle_connection  # psycopg_pool keeps the callback here
        return pool

    def close_pool(self) -> None:
        """Forget a pool inherited from the parent process; close this process's own, unless
        ``keep_pool`` (its connections went back to it on ``close()``)."""
        if self._drop_inherited_pool() or self.keep_pool:
            return
        super().close_pool()
