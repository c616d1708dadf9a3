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
