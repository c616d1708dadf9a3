"""The worker metrics endpoint's housekeeping (the endpoint itself is exercised with real worker
processes in verifications/tests/test_faults.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kyb import worker_metrics


def test_files_of_earlier_processes_are_removed_and_ours_kept(tmp_path: Path) -> None:
    mine = tmp_path / f"counter_{os.getpid()}.db"
    stale = [tmp_path / "counter_1.db", tmp_path / "gauge_livesum_2.db"]
    for path in (mine, *stale):
        path.write_bytes(b"")
    assert worker_metrics.clear_stale_files(tmp_path) == 2
    assert sorted(tmp_path.iterdir()) == [mine]


def test_without_a_multiprocess_folder_nothing_is_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert worker_metrics.serve(0) is False


@pytest.mark.parametrize(("addr", "expected"), [("", "0.0.0.0"), ("127.0.0.1", "127.0.0.1")])  # noqa: S104
def test_the_metrics_port_listens_where_celery_metrics_addr_says(
    monkeypatch: pytest.MonkeyPatch, addr: str, expected: str
) -> None:
    """make run's banner prints 127.0.0.1: the endpoint must not listen on every interface
    there, while a pod (no CELERY_METRICS_ADDR) is scraped by its IP."""
    import kyb.celery
    import kyb.worker_metrics

    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(kyb.worker_metrics, "serve", lambda port, addr: calls.append((port, addr)))
    monkeypatch.setenv("CELERY_METRICS_PORT", "9999")
    monkeypatch.setenv("CELERY_METRICS_ADDR", addr)
    kyb.celery._serve_metrics()
    assert calls == [(9999, expected)]
