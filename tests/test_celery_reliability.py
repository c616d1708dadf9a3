"""A pool process starts without waiting for warm-up; a publish never touches a result backend
and makes no retry loop against a broker that is down (issue 12, items 1 and 2)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kyb import celery as kyb_celery
from kyb.celery import app, publish


class CountingListener:
    """A TCP port that accepts connections and closes them at once: a Redis that is going
    away. Counts how often a client tried it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@contextmanager
def _app_pointing_at(broker: str, backend: str | None) -> Iterator[None]:
    keys = ("broker_url", "broker_write_url", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=broker, broker_write_url=broker, result_backend=backend)
    _reset_app()
    try:
        yield
    finally:
        app.conf.update(saved)
        _reset_app()


def _reset_app() -> None:
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
    app._local.__dict__.pop("backend", None)  # type: ignore[attr-defined]


def test_no_result_backend_is_configured_by_default() -> None:
    assert app.conf.result_backend is None
    assert app.conf.task_ignore_result is True
    app.loader.import_default_modules()
    # What the request path and beat publish: nobody reads their results.
    for name in ("kyb.verifications.run", "kyb.webhooks.deliver", "kyb.verifications.sweep"):
        assert app.tasks[name].ignore_result is True, name


def test_publish_touches_no_result_backend_and_gives_up_on_a_dead_broker_at_once() -> None:
    broker, backend = CountingListener(), CountingListener()
    try:
        with _app_pointing_at(broker.url, backend.url):
            assert publish("kyb.webhooks.deliver", kwargs={"delivery_id": "x"}) is None
    finally:
        broker.close()
        backend.close()
    assert backend.accepted == 0, "a publish subscribed to the result backend"
    # One connection, plus the one quick retry that re-opens a stale pooled connection.
    assert 1 <= broker.accepted <= 2, broker.accepted


def test_webhook_enqueue_goes_through_the_fast_publish(monkeypatch: pytest.MonkeyPatch) -> None:
    from webhooks import services

    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        kyb_celery, "publish", lambda name, *, kwargs, queue=None: sent.append((name, kwargs))
    )
    import uuid

    delivery_id = uuid.uuid4()
    services._enqueue(delivery_id)
    assert sent == [("kyb.webhooks.deliver", {"delivery_id": str(delivery_id)})]


def test_pool_process_start_does_not_wait_for_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    import classifications.engine
    import screening.engine

    release, loaded = threading.Event(), threading.Event()

    def slow_classifier() -> object:
        release.wait(timeout=10)
        loaded.set()
        return object()

    monkeypatch.setattr(classifications.engine, "get_classifier", slow_classifier)
    monkeypatch.setattr(screening.engine, "current_index", lambda: None)
    try:
        kyb_celery._warm_up()
        # The handler returned (the pool process may report up) with the load still going on.
        assert not loaded.is_set()
    finally:
        release.set()
    assert loaded.wait(timeout=10), "warm-up never ran"
