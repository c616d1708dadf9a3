"""process_* metrics for every process of a multiprocess server (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from kyb.process_metrics import ProcessesCollector


def test_every_live_process_that_writes_metrics_is_described_by_pid(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / f"counter_{child.pid}.db").write_bytes(b"")
        (tmp_path / "histogram_999999999.db").write_bytes(b"")  # a process long gone
        registry = CollectorRegistry()
        registry.register(ProcessesCollector(str(tmp_path)))
        text = generate_latest(registry).decode()
    finally:
        child.kill()
        child.wait()
    for pid in (child.pid, os.getpid()):
        assert f'process_resident_memory_bytes{{pid="{pid}"}}' in text
        assert f'process_cpu_seconds_total{{pid="{pid}"}}' in text
    assert 'pid="999999999"' not in text
