"""kyb/broker.py: closing a lost broker connection whose transport already let go of its client
(what Celery 5.7's consumer meets after a partial ``collect()``) is a connection error, not an
``AttributeError`` that stops the worker. Against a real, private redis-server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kombu import Connection, Queue

import kyb.celery  # noqa: F401  (installs the guard, as every worker does)
from verifications.tests.test_faults import PrivateRedis


def test_closing_a_lost_connection_with_unacked_messages_is_a_connection_error(
    tmp_path: Path,
) -> None:
    broker = PrivateRedis(tmp_path)
    broker.start()
    connection = Connection(broker.url)
    queue = Queue("verifications")
    with connection.Producer() as producer:
        producer.publish({"verification_id": "x"}, routing_key="verifications", declare=[queue])
    channel: Any = connection.default_channel
    message = channel.basic_get("verifications", no_ack=False)  # delivered, not acked
    assert message is not None and channel.qos._delivered
    # The broker goes away, and the transport lets go of its client while the channel is still
    # open: the state a partial collect() leaves.
    broker.stop()
    connection.transport.client = None

    connection.close()  # raised AttributeError("'NoneType' object has no attribute 'hostname'")

    assert channel.closed
