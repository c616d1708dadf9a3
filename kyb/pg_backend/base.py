"""django-prometheus's PostgreSQL backend, whose psycopg pool checks a connection as it hands it
out (``kyb.db_pool.check_idle_connection``).

Django builds the pool itself and passes ``check`` from ``CONN_HEALTH_CHECKS``: on, psycopg's
check costs a round trip per checkout; off, a pool kept handing out the connections of a
restarted server (a 503 each). Ours is one ``select`` call, so it is set on the pool Django made.
"""

from __future__ import annotations

from typing import Any

from django_prometheus.db.backends.postgresql.base import (  # type: ignore[import-untyped]
    DatabaseWrapper as PrometheusWrapper,
)

from kyb.db_pool import check_idle_connection


class DatabaseWrapper(PrometheusWrapper):
    @property
    def pool(self) -> Any:
        pool = super().pool
        if pool is not None and getattr(pool, "_check", None) is None:
            pool._check = check_idle_connection  # psycopg_pool keeps the callback here
        return pool
