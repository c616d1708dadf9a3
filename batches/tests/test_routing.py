"""Batch work runs on the bulk queue, never on the integrator-facing one; the sweeper with the
housekeeping; the sweeper is scheduled."""

from __future__ import annotations

from kyb.celery import app


def _queue(name: str) -> str:
    return str(app.amqp.router.route({}, name)["queue"].name)


def test_batch_tasks_run_on_the_bulk_queue_and_the_sweeper_on_maintenance() -> None:
    app.loader.import_default_modules()
    for name in ("kyb.batches.submit", "kyb.batches.fan_out", "kyb.batches.materialize"):
        assert name in app.tasks
        assert _queue(name) == "bulk", name
    assert _queue("kyb.batches.sweep") == "maintenance"
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "kyb.batches.sweep" in schedule
