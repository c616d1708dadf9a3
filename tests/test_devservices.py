"""``make run``'s plumbing: it refuses early on a taken port, and the embedded Redis of one
checkout is never mistaken for another's (scripts/run.sh, scripts/devservices.py)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from verifications.tests.test_faults import PrivateRedis

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def devservices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """scripts/devservices.py with its var/ folders moved under tmp_path."""
    spec = importlib.util.spec_from_file_location("devservices", ROOT / "scripts/devservices.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "REDIS_DIR", tmp_path / "redis")
    monkeypatch.setattr(module, "REDIS_PORT_FILE", tmp_path / "redis" / "port")
    monkeypatch.delenv("EMBEDDED_REDIS_PORT", raising=False)
    yield module
    module.down(["redis"])


def test_another_checkouts_redis_on_the_remembered_port_is_not_reused(
    devservices: ModuleType, tmp_path: Path
) -> None:
    foreign = PrivateRedis(tmp_path)  # answers PING, but works in another directory
    foreign.start()
    try:
        (tmp_path / "redis").mkdir()
        (tmp_path / "redis" / "port").write_text(f"{foreign.port}\n")
        url, started = devservices.redis_up()
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert started and port != foreign.port
        assert devservices._redis_is_ours(port) and not devservices._redis_is_ours(foreign.port)
        assert (tmp_path / "redis" / "port").read_text().strip() == str(port)
        assert devservices.redis_up() == (url, False)  # running: reused, not started again
    finally:
        foreign.stop()


@pytest.mark.skipif(
    (ROOT / "var" / "run" / "make-run.pid").exists(), reason="a make run is up in this checkout"
)
def test_make_run_refuses_at_once_when_its_port_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bind = f"127.0.0.1:{taken.getsockname()[1]}"
        result = subprocess.run(
            ["scripts/run.sh"],
            cwd=ROOT,
            env={**os.environ, "GUNICORN_BIND": bind},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"GUNICORN_BIND {bind} is in use" in result.stderr
    assert "migrate" not in result.stdout  # nothing was started
    assert not (ROOT / "var" / "run" / "make-run.pid").exists()  # its lock is released
