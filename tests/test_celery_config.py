"""The Celery app is configured for at-least-once, JSON-only, bounded work."""

from __future__ import annotations

from kyb.celery import app
from kyb.queues import Queue


def test_celery_is_json_only_and_acks_late() -> None:
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.result_serializer == "json"
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_queues_are_declared_in_one_place() -> None:
    assert {q.name for q in app.conf.task_queues} == {q.value for q in Queue}
    assert app.conf.task_default_queue == Queue.DEFAULT


def test_beat_schedule_names_registered_tasks() -> None:
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_transient_database_retries_outlast_a_restart() -> None:
    """Five retries under Celery's full jitter waited 31 s on average and ran out during a 45-s
    outage (a QA fault run, 2026-12-03)."""
    from celery.utils.time import get_exponential_backoff_interval

    from kyb.queues import IDEMPOTENT_DB_TASK as options

    backoffs = [
        get_exponential_backoff_interval(
            factor=options["retry_backoff"],
            retries=n,
            maximum=options["retry_backoff_max"],
            full_jitter=False,
        )
        for n in range(options["max_retries"])
    ]
    assert options["retry_jitter"] is True
    assert sum(backoffs) / 2 >= 120  # full jitter: each wait is on average half its backoff
