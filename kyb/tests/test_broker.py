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


def test_a_channel_publishes_through_one_redis_client_until_its_pool_is_replaced(
    tmp_path: Path,
) -> None:
    """kombu built a ``redis.Redis`` client per published message (``reuse_publish_client``)."""
    broker = PrivateRedis(tmp_path)
    broker.start()
    try:
        connection = Connection(broker.url)
        channel: Any = connection.default_channel
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
            assert first is second
        queue = Queue("verifications")
        with connection.Producer() as producer:
            for n in range(3):
                producer.publish({"n": n}, routing_key="verifications", declare=[queue])
        assert channel._size("verifications") == 3  # every message arrived
        channel._disconnect_pools()  # what kombu does when the connection is lost
        with channel.conn_or_acquire() as third:
            assert third is not first and third.connection_pool is channel.pool
        with channel.conn_or_acquire(client=first) as given:
            assert given is first  # a caller's own client is used as it is
        connection.close()
    finally:
        broker.stop()


def test_celery_reads_its_settings_from_a_snapshot_not_djangos_settings_object(
    monkeypatch: Any,
) -> None:
    """Each option Celery looked up under several spellings against Django's settings object,
    raising and catching an AttributeError per miss: dozens per published message."""
    from django.conf import LazySettings, settings

    from kyb.celery import app

    assert app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE
    assert app.conf.task_routes == settings.CELERY_TASK_ROUTES
    looked_up: list[str] = []
    original = LazySettings.__getattr__

    def counting(self: LazySettings, name: str) -> Any:
        looked_up.append(name)
        return original(self, name)

    monkeypatch.setattr(LazySettings, "__getattr__", counting)
    message = app.amqp.create_task_message(
        "00000000-0000-0000-0000-000000000001",
        "verifications.run",
        (),
        {"verification_id": "x"},
        argsrepr="()",
        kwargsrepr="{}",
    )
    app.amqp.router.route({}, "verifications.run", (), {})
    assert message.headers["task"] == "verifications.run"
    assert looked_up == []
