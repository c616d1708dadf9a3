"""Per-process memory and CPU metrics for multiprocess servers (gunicorn, Celery prefork)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import ProcessCollector
from prometheus_client.core import Metric
from prometheus_client.registry import Collector


def _multiprocess_pids(directory: Path) -> set[int]:
    pids = set()
    for metric_file in directory.glob("*.db"):
        tail = metric_file.stem.rsplit("_", 1)[-1]
        if tail.isdigit():
            pids.add(int(tail))
    return pids


class ProcessesCollector(Collector):
    """``process_*`` (resident and virtual memory, CPU seconds, open fds, start time) for every
    live process of a multiprocess server, labelled ``pid``.

    prometheus_client's own ProcessCollector describes only the process that answers the
    scrape, and multiprocess mode drops it. The processes are found by the metric files they
    write (``<kind>_<pid>.db``), plus this process and its parent (gunicorn's master, or the
    Celery worker's main process), and read from /proc, so a scrape of any one of them
    describes all.
    """

    def __init__(self, directory: str | None = None, proc: str = "/proc") -> None:
        self.directory = Path(directory or os.environ.get("PROMETHEUS_MULTIPROC_DIR", "."))
        self.proc = proc

    def collect(self) -> Iterator[Metric]:
        pids = _multiprocess_pids(self.directory) | {os.getpid(), os.getppid()}
        merged: dict[str, Metric] = {}
        for pid in sorted(pids):
            if not os.path.isdir(f"{self.proc}/{pid}"):
                continue  # a dead process's files stay until gunicorn's child_exit
            collector = ProcessCollector(pid=_constant(pid), proc=self.proc, registry=None)
            for family in collector.collect():
                target = merged.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                for sample in family.samples:
                    labels = {**sample.labels, "pid": str(pid)}
                    target.add_sample(sample.name, labels, sample.value)
        yield from merged.values()


def _constant(pid: int) -> Callable[[], int]:
    return lambda: pid


def resident_mb() -> float:
    """This process's resident set in MB, as ``ps`` counts it (Linux /proc; 0 where missing).

    For benchmarks that print a stage's memory (``bench_screen``, ``bench_memory``).
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0
