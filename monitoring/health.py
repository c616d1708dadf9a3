"""Dependency probes for ``/readyz``: each answers within ``READINESS_TIMEOUT`` seconds."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection
from kombu import Connection


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    latency_ms: float
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"ok": self.ok, "latency_ms": round(self.latency_ms, 1)}
        if self.error:
            data["error"] = self.error
        return data


def _timed(name: str, probe: object) -> ProbeResult:
    started = time.perf_counter()
    try:
        probe()  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; reported by name.
        return ProbeResult(name, False, (time.perf_counter() - started) * 1000, type(exc).__name__)
    return ProbeResult(name, True, (time.perf_counter() - started) * 1000)


def _probe_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _probe_redis() -> None:
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
    """Probe PostgreSQL, Redis and the broker; never raises."""
    return [
        _timed("database", _probe_database),
        _timed("redis", _probe_redis),
        _timed("broker", _probe_broker),
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
