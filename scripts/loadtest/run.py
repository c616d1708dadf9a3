"""`make loadtest`: the plan's load scenarios through the shipped front, on this machine.

Starts what production runs in front of the database (nginx with deploy/nginx/kyb.conf, then
gunicorn with kyb/gunicorn_conf.py) against the configured or embedded PostgreSQL and Redis,
seeds 100,000 merchants and verifications (once), and runs wrk (scripts/loadtest/kyb.lua):

1. the plan's scenario: LOADTEST_USERS connections (1,000), each waiting 0-12 s (mean 6 s)
   before every request, a 70/20/10 mix of GET by id (Zipf), list of 50 and POST;
2. closed-loop capacity of the same mix at 64 connections;
3. /healthz, cached GET, and POST alone at 64 connections (same run, so ratios hold);
4. a Zipf read mix over all 100,000 ids, its cache hit rate read from /metrics;
5. the engines in use: LOADTEST_ENGINE_NAMES (20,000) distinct real names screened and a quarter
   as many businesses classified through the front (``/api/v1/screen``, ``/api/v1/classify``),
   so every web worker holds the screening index and the classifier with their caches full;
6. the reference: stock Django REST framework (scripts/loadtest/stock_drf.py, one row per POST)
   behind the same front with the same gunicorn sizing, sent the same POSTs at 64 connections;
7. one Celery worker (one pool process) deciding the jobs the POSTs queued for
   LOADTEST_WORKER_SECONDS (60), with the offline checks (the website check is off).

For each wrk scenario it prints req/s, p50/p95/p99, errors, the machine's CPU busy %, the CPU
that wrk itself used (it shares the cores) and the share of the box each part of the stack used
(gunicorn, PostgreSQL, Redis, nginx). At the end it prints the RSS of every process, web and
Celery workers included: issue #10 asks for at most 200 MB each "after the load test, with
screening and the classifier in use". During the wrk scenarios no Celery worker runs: POSTs
queue their jobs on the broker (the API tier is what is measured). Knobs: LOADTEST_*
environment variables (see docs/benchmarks.md).
"""

from __future__ import annotations

import json
import os
import re
import resource
import runpy
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from monitoring.benchdata import index_phrases, real_names  # noqa: E402  (no Django import)

OUT = ROOT / "var" / "loadtest"
PY = str(ROOT / ".venv" / "bin" / "python")
FRONT_PORT = int(os.environ.get("LOADTEST_FRONT_PORT", "8480"))
APP_PORT = int(os.environ.get("LOADTEST_APP_PORT", "8481"))
STOCK_FRONT_PORT, STOCK_APP_PORT = FRONT_PORT + 2, APP_PORT + 2
USERS = int(os.environ.get("LOADTEST_USERS", "1000"))
DURATION = int(os.environ.get("LOADTEST_DURATION", "60"))
SHORT = int(os.environ.get("LOADTEST_SHORT_DURATION", "20"))
COUNT = int(os.environ.get("LOADTEST_COUNT", "100000"))
WRK_THREADS = os.environ.get("LOADTEST_WRK_THREADS", "2")
ENGINE_NAMES = int(os.environ.get("LOADTEST_ENGINE_NAMES", "20000"))
WORKER_SECONDS = int(os.environ.get("LOADTEST_WORKER_SECONDS", "60"))
# Comma-separated subset to run (default all): plan, capacity, healthz, get, post, list, zipf,
# stock, engines, worker.
ONLY = {x.strip() for x in os.environ.get("LOADTEST_SCENARIOS", "").split(",") if x.strip()}
BASE = f"http://127.0.0.1:{FRONT_PORT}"


def _env() -> dict[str, str]:
    """The server's environment: production settings, a loadtest-only secret kept under var/
    (the seeded API key is hashed with it), and a rate limit the scenario cannot reach."""
    OUT.mkdir(parents=True, exist_ok=True)
    secret_file = OUT / "secret"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=secret_file.read_text().strip(),
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        ADMIN_REQUIRE_2FA="false",
        API_RATE_LIMIT=os.environ.get("LOADTEST_RATE_LIMIT", "100000000"),
        GUNICORN_BIND=f"127.0.0.1:{APP_PORT}",
        PROMETHEUS_MULTIPROC_DIR=str(OUT / "prometheus"),
        LOG_LEVEL="WARNING",
        # As the deploy files set it: POSTs leave their jobs to the outbox relay, which runs
        # beside gunicorn (its CPU counts as part of the stack's).
        PIPELINE_PUBLISH=os.environ.get("PIPELINE_PUBLISH", "relay"),
        # glibc's heap settings, as the image sets them (Dockerfile)
        MALLOC_ARENA_MAX="2",
        MALLOC_MMAP_THRESHOLD_="131072",
        MALLOC_TRIM_THRESHOLD_="131072",
    )
    # The front logs every request, so gunicorn does not (docker-compose.yml); "-" turns it on.
    env.setdefault("GUNICORN_ACCESS_LOG", "")
    env.setdefault(
        "FIELD_ENCRYPTION_KEY", "ZmFrZS10ZXN0LWtleS1mb3ItZmVybmV0LTMyYnl0ZXM="
    )  # the seeded rows hold no tax id
    return env


def _nginx_conf(name: str = "nginx", app_port: int = APP_PORT, port: int = FRONT_PORT) -> Path:
    """deploy/nginx/kyb.conf rendered for a local, unprivileged nginx (scripts/nginx_front.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from nginx_front import write_local

    return write_local(
        OUT / name, upstream=f"127.0.0.1:{app_port}", listen=f"127.0.0.1:{port}", daemon=False
    )


def _tcp_counters() -> dict[str, int]:
    """The kernel's TCP counters that say why a client saw a connection closed or refused:
    accept-queue overflows and drops, resets sent, connections aborted on data or timeout."""
    wanted = ("ListenOverflows", "ListenDrops", "TCPAbortOnData", "TCPAbortOnTimeout")
    counters: dict[str, int] = {}
    for name in ("/proc/net/netstat", "/proc/net/snmp"):
        lines = Path(name).read_text().splitlines()
        for head, values in zip(lines[::2], lines[1::2], strict=False):
            keys, nums = head.split()[1:], values.split()[1:]
            for key, num in zip(keys, nums, strict=False):
                if key in wanted or (head.startswith("Tcp:") and key == "OutRsts"):
                    counters[key] = int(num)
    return counters


def _cpu_times() -> tuple[float, float]:
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields), idle


# The processes of the stack under test, by command line; CPU is reported per group (wrk is
# counted apart, from its own rusage).
_STACK = re.compile(r"gunicorn|nginx|wrk |postgres|redis-server|celery|relay_jobs")
_GROUPS = ("gunicorn", "postgres", "redis", "nginx", "relay")


def _stack_processes(*files: str) -> list[tuple[int, str, list[str]]]:
    """(pid, command line, contents of ``files`` under /proc/<pid>/) of the stack's processes."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            if _STACK.search(cmd):
                found.append((int(proc.name), cmd, [(proc / f).read_text() for f in files]))
        except OSError:
            continue  # the process ended
    return found


def _process_cpu() -> dict[str, float]:
    """CPU seconds used so far by each process group (live processes)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for _, cmd, (stat,) in _stack_processes("stat"):
        fields = stat.rsplit(")", 1)[1].split()
        group = next((g for g in _GROUPS if g in cmd), None)
        if group is not None:
            used[group] = used.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return used


def _wrk(
    mode: str, connections: int, seconds: int, think_ms: int, zipf_n: int, base: str = BASE
) -> dict:
    args = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "scripts" / "loadtest" / "kyb.lua"),
        base,
        "--",
        mode,
        str(think_ms),
        str(OUT / "verifications.txt"),
        str(OUT / "merchants.txt"),
        (OUT / "key").read_text().strip(),
        str(zipf_n),
        str(-(-connections // int(WRK_THREADS))),  # connections per wrk thread
    ]
    total0, idle0 = _cpu_times()
    groups0 = _process_cpu()
    tcp0 = _tcp_counters()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0 or "RESULT " not in done.stdout:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total1, idle1 = _cpu_times()
    groups1 = _process_cpu()
    tcp1 = _tcp_counters()
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / result["duration_s"]
    result["tcp"] = {k: tcp1[k] - tcp0.get(k, 0) for k in tcp1 if tcp1[k] != tcp0.get(k, 0)}
    result["cpu_busy_pct"] = 100 * (1 - (idle1 - idle0) / max(total1 - total0, 1))
    wrk_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    box = result["duration_s"] * (os.cpu_count() or 1)
    result["wrk_cpu_pct_of_box"] = 100 * wrk_cpu / box
    result["cpu_by_process_pct_of_box"] = {
        g: round(100 * (groups1.get(g, 0.0) - groups0.get(g, 0.0)) / box, 1) for g in _GROUPS
    }
    return result


def _print(name: str, r: dict) -> None:
    errors = r["non2xx"] + sum(r["socket_errors"].values())
    print(
        f"{name:<34} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:7.1f}  p95 {r['p95_ms']:7.1f}  "
        f"p99 {r['p99_ms']:7.1f} ms  errors {errors:<5} CPU {r['cpu_busy_pct']:5.1f}% "
        f"(wrk {r['wrk_cpu_pct_of_box']:4.1f}%)" + (f"  codes {r['codes']}" if r["codes"] else "")
    )
    shares = ", ".join(f"{g} {pct:.1f}%" for g, pct in r["cpu_by_process_pct_of_box"].items())
    print(f"{'':<34} CPU of the box by process: {shares}")


def _metric_sum(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _hits_misses() -> tuple[float, float]:
    # The front does not publish /metrics; Prometheus (and this) scrape gunicorn directly.
    url = f"http://127.0.0.1:{APP_PORT}/metrics"
    text = urllib.request.urlopen(url, timeout=10).read().decode()
    ns = "business:verification"
    name = "kyb_cache_requests_total"
    return (
        _metric_sum(text, name, namespace=ns, result="hit"),
        _metric_sum(text, name, namespace=ns, result="miss"),
    )


def _rss() -> list[tuple[str, int, float]]:
    rows = []
    for pid, cmd, (status,) in _stack_processes("status"):
        found = re.search(r"VmRSS:\s+(\d+)", status)
        rss = int(found.group(1)) / 1024 if found else 0.0
        rows.append((cmd[:70], pid, rss))
    return sorted(rows)


def _wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> int:
    if not shutil.which("wrk") or not shutil.which("nginx"):
        print("make loadtest needs wrk and nginx: apt-get install wrk nginx", file=sys.stderr)
        return 2
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    env = _env()
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run(
        [PY, "manage.py", "seed_loadtest", "--force", "--count", str(COUNT), "--out", str(OUT)],
        env=env,
        check=True,
    )
    # The bundled sanctions lists (when none is loaded), for the engines stage and the worker.
    subprocess.run(
        [PY, "manage.py", "load_default_watchlists", "--if-empty"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(OUT / "prometheus", ignore_errors=True)
    web = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "kyb/gunicorn_conf.py", "kyb.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(OUT / "gunicorn.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    relay = subprocess.Popen(
        [PY, "manage.py", "relay_jobs"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(OUT / "relay.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    conf = _nginx_conf()
    front = subprocess.Popen(["nginx", "-p", str(conf.parent), "-c", str(conf)], cwd=OUT)
    try:
        _wait_up(f"{BASE}/healthz")
        return _scenarios()
    finally:
        front.send_signal(signal.SIGQUIT)
        os.killpg(relay.pid, signal.SIGTERM)
        os.killpg(web.pid, signal.SIGTERM)
        relay.wait(30)
        web.wait(30)
        front.wait(30)


def _scenarios() -> int:
    print(f"front http://127.0.0.1:{FRONT_PORT} (nginx) -> gunicorn 127.0.0.1:{APP_PORT}")
    warm = subprocess.run(
        [PY, "manage.py", "cache_warm", "--ids", str(OUT / "verifications.txt")],
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    print(warm.stdout.strip().splitlines()[-1], "(cache warming, as after a deploy)")
    _wrk("get", 16, 5, 0, 1000)  # warm: workers and pools
    results = {}
    plan = [
        (
            "plan",
            "scenario",
            f"plan: {USERS} users, think 0-12 s, mix",
            ("mix", USERS, DURATION, 12_000, COUNT),
        ),
        ("capacity", "capacity", "capacity: mix, 64 connections", ("mix", 64, SHORT, 0, COUNT)),
        ("healthz", "healthz", "/healthz, 64 connections", ("healthz", 64, SHORT, 0, 1)),
        ("get", "get_cached", "GET by id (1,000 hot ids), 64 conn.", ("get", 64, SHORT, 0, 1000)),
        ("post", "post", "POST verification, 64 connections", ("post", 64, SHORT, 0, 1)),
        ("list", "list", "list of 50, 64 connections", ("list", 64, SHORT, 0, 1)),
    ]
    for name, key, title, args in plan:
        if not ONLY or name in ONLY:
            results[key] = r = _wrk(*args)
            _print(title, r)
    if not ONLY or "zipf" in ONLY:
        _wrk("get", 64, SHORT, 0, COUNT)  # Zipf over 100,000 ids: reach steady state
        hits0, misses0 = _hits_misses()
        results["zipf"] = r = _wrk("get", 64, SHORT, 0, COUNT)
        hits1, misses1 = _hits_misses()
        rate = (hits1 - hits0) / max(hits1 - hits0 + misses1 - misses0, 1)
        _print("GET by id, Zipf over all ids", r)
        print(f"cache hit rate (Zipf s=1, steady state, from /metrics): {100 * rate:.1f}%")
    if "get_cached" in results and "healthz" in results:
        ratio = results["get_cached"]["rps"] / results["healthz"]["rps"]
        print(f"cached GET / healthz req/s: {ratio:.2f}")
    if not ONLY or "stock" in ONLY:
        results["stock_post"] = r = _stock_post()
        _print("reference: stock DRF POST, 64 conn.", r)
        if "post" in results:
            ratio = results["post"]["rps"] / r["rps"]
            print(f"POST verification / stock DRF POST req/s: {ratio:.2f}")
    if ENGINE_NAMES and (not ONLY or "engines" in ONLY):
        _engines()
    worker = _worker_start() if WORKER_SECONDS and (not ONLY or "worker" in ONLY) else None
    try:
        print("RSS after the run (MB):")
        for cmd, pid, rss in _rss():
            print(f"  {rss:7.1f}  {pid:>7}  {cmd}")
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(60)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    return 0


def _stock_post() -> dict:
    """Stock DRF's POST (scripts/loadtest/stock_drf.py) through its own copy of the front, served
    by gunicorn with the workers, threads and keep-alive of kyb/gunicorn_conf.py."""
    here = ROOT / "scripts" / "loadtest"
    env = {**_env(), "PYTHONPATH": str(here)}
    create = "import stock_drf; stock_drf.create_table()"
    subprocess.run([PY, "-c", create], cwd=here, env=env, check=True)
    conf = runpy.run_path(str(ROOT / "kyb" / "gunicorn_conf.py"))
    web = subprocess.Popen(
        [
            *(str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{STOCK_APP_PORT}"),
            *("--worker-class", "gthread", "--workers", str(conf["workers"])),
            *("--threads", str(conf["threads"]), "--keep-alive", str(conf["keepalive"])),
            "stock_drf:application",
        ],
        cwd=here,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(OUT / "stock_drf.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    nginx = _nginx_conf("nginx-stock", STOCK_APP_PORT, STOCK_FRONT_PORT)
    front = subprocess.Popen(["nginx", "-p", str(nginx.parent), "-c", str(nginx)], cwd=OUT)
    base = f"http://127.0.0.1:{STOCK_FRONT_PORT}"
    try:
        _wait_up(f"{base}/healthz")
        _wrk("post", 16, 5, 0, 1, base)  # warm: workers and connections
        return _wrk("post", 64, SHORT, 0, 1, base)
    finally:
        front.send_signal(signal.SIGQUIT)
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(30)
        front.wait(30)


def _post_json(path: str, body: dict, key: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own front on loopback
        f"{BASE}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        response.read()


def _engines() -> None:
    """Screen and classify real names through the front, 8 clients at once (so every web worker
    builds both engines and fills their caches, as integrators' traffic would)."""
    names = real_names(ENGINE_NAMES)
    phrases = index_phrases(len(names) // 4)
    screens = [
        {"names": [{"name": n} for n in names[i : i + 100]]} for i in range(0, len(names), 100)
    ]
    businesses = [{"name": n, "description": d} for n, d in zip(names, phrases, strict=False)]
    classifies = [{"businesses": businesses[i : i + 50]} for i in range(0, len(businesses), 50)]
    key = (OUT / "key").read_text().strip()
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda body: _post_json("/api/v1/screen", body, key), screens))
        list(pool.map(lambda body: _post_json("/api/v1/classify", body, key), classifies))
    print(
        f"engines in use: {len(names)} names screened and {len(businesses)} businesses classified"
        f" through the front in {time.monotonic() - started:.1f}s"
    )


def _worker_start() -> subprocess.Popen[bytes]:
    """One Celery worker deciding the POSTs' queued verifications for WORKER_SECONDS; left
    running while the RSS is read (the caller stops it)."""
    env = {**_env(), "WEBSITE_CHECK_ENABLED": "false"}  # no network here
    log = OUT / "worker.log"
    worker = subprocess.Popen(
        [
            *(str(ROOT / ".venv" / "bin" / "celery"), "-A", "kyb", "worker", "-Q", "verifications"),
            *("--concurrency", "1", "--loglevel", "INFO", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),  # noqa: SIM115
        start_new_session=True,
    )
    time.sleep(WORKER_SECONDS)
    decided = log.read_text(errors="replace").count("succeeded in")
    print(f"Celery worker (1 pool process): {decided} verifications decided in {WORKER_SECONDS}s")
    return worker


if __name__ == "__main__":
    sys.exit(main())
