"""Dependency probes for ``/readyz``: each answers within ``READINESS_TIMEOUT`` seconds.

Dependencies come in two kinds. *Required* ones (PostgreSQL, the broker) decide readiness: a
pod that cannot reach them cannot accept work, and leaves the Service. *Degraded* ones (the
cache Redis) are reported but keep the pod ready: the API serves from PostgreSQL when the cache
is down (a Redis error is a miss), so taking every web pod out of service for a cache outage
would turn a slowdown into a full outage.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import redis
from django.conf import settings
from django.db import connection
from kombu import Connection

REQUIRED = ("database", "broker")
DEGRADED = ("cache",)


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    latency_ms: float
    error: str = ""

    @property
    def required(self) -> bool:
        return self.name in REQUIRED

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "ok": self.ok,
            "required": self.required,
            "latency_ms": round(self.latency_ms, 1),
        }
        if self.error:
            data["error"] = self.error
        return data


def _timed(name: str, probe: Callable[[], None]) -> ProbeResult:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; reported by name.
        return ProbeResult(name, False, (time.perf_counter() - started) * 1000, type(exc).__name__)
    return ProbeResult(name, True, (time.perf_counter() - started) * 1000)


class ProbeTimeout(Exception):
    """The dependency did not answer within ``READINESS_TIMEOUT``."""


def _within(timeout: float, func: Callable[[], None]) -> None:
    """Run ``func`` in a daemon thread and give up after ``timeout`` seconds.

    libpq rounds a connect timeout up to 2 s and a half-open TCP connection can hang far
    longer; the probe's answer must not. A thread left behind ends on its own connect timeout.
    """
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            func()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            outcome.append(exc)
        else:
            outcome.append(None)

    worker = threading.Thread(target=run, name="readyz-probe", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise ProbeTimeout
    if outcome[0] is not None:
        raise outcome[0]


def _probe_database() -> None:
    """``SELECT 1`` on a connection obtained within ``READINESS_TIMEOUT``.

    Django's own ``connection.cursor()`` would wait ``DB_POOL_TIMEOUT`` for a pooled connection,
    which is what a PostgreSQL outage looks like from here. The probe asks the
    pool itself with the readiness deadline (without a pool: a fresh connection), under a hard
    deadline for servers that accept but never answer.
    """
    timeout = settings.READINESS_TIMEOUT
    pool = getattr(connection, "pool", None)  # the PostgreSQL backend's psycopg pool
    params = connection.get_connection_params()

    def select_one() -> None:
        if pool is not None:
            pool.open(wait=False)
            with pool.connection(timeout=timeout) as pooled:
                pooled.execute("SELECT 1").fetchone()
            return
        params["connect_timeout"] = max(2, math.ceil(timeout))
        with psycopg.connect(**params, autocommit=True) as fresh:
            fresh.execute("SELECT 1").fetchone()

    _within(timeout, select_one)


def _probe_cache() -> None:
    timeout = settings.READINESS_TIMEOUT
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        client.ping()
    finally:
        client.close()


def _probe_broker() -> None:
    timeout = settings.READINESS_TIMEOUT
    transport_options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=transport_options
    ) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=max(1, round(timeout))
        )


def readiness_probes() -> list[ProbeResult]:
    """Probe PostgreSQL, the broker and the cache Redis; never raises."""
    return [
        _timed("database", _probe_database),
        _timed("broker", _probe_broker),
        _timed("cache", _probe_cache),
    ]


def watchlist_detail() -> dict[str, object]:
    """The sanctions lists in use, by publisher's date, and which are stale (a bundled demo
    snapshot always is). Detail for operators only: a stale list never fails readiness."""
    from django.db import DatabaseError

    from screening.selectors import watchlist_freshness

    try:
        lists = watchlist_freshness()
    except DatabaseError as exc:
        return {"error": type(exc).__name__}
    return {
        "stale": [f"{wl['source']}:{wl['name']}" for wl in lists if wl["stale"]],
        "lists": {
            f"{wl['source']}:{wl['name']}": {
                "version": wl["version"],
                "published_at": wl["published_at"].isoformat() if wl["published_at"] else None,
                "stale": wl["stale"],
                "bundled": wl["bundled"],
            }
            for wl in lists
        },
    }
