"""End to end on the real stack: gunicorn (2 worker processes) + PostgreSQL + Redis.

Covers the integrator journey (key → merchant → verification → read back), tenancy (404 for
another integrator), idempotent replays, and read-your-writes across worker processes through
the Redis cache.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from merchants.tests.factories import api_key_with_secret

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or ""
    if not host:  # Unix socket (embedded PostgreSQL)
        return f"postgres://{db['USER']}@/{db['NAME']}?host={db['OPTIONS']['host']}"
    return f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env: dict[str, str] = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CACHE_KEY_PREFIX": str(settings.CACHES["default"]["KEY_PREFIX"]),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "2",
        "DB_POOL_MAX_SIZE": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    proc = subprocess.Popen(
        [str(gunicorn), "-c", "kyb/gunicorn_conf.py", "kyb.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "gunicorn.log").open("wb"),  # the access log, for the PII test
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def call(
    base: str, method: str, path: str, key: str, body: Any = None, **headers: str
) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    request.add_header("Connection", "close")  # new connection: any worker may answer
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def test_integrator_journey_tenancy_and_idempotency(server: str) -> None:
    _, key = api_key_with_secret()
    _, other = api_key_with_secret()
    merchant_body = {"legal_name": "Journey Ltd", "country": "GB", "tax_id": "123456789"}

    status, headers, merchant = call(server, "POST", "/api/v1/merchants", key, merchant_body)
    assert status == 201 and merchant["tax_id"] == "****6789"
    verification_body = {"merchant_id": merchant["id"]}
    status, headers, created = call(
        server, "POST", "/api/v1/verifications", key, verification_body, Idempotency_Key="e2e-1"
    )
    assert status == 202 and created["status"] == "pending"
    location = headers["Location"]
    assert call(server, "GET", location, key)[2]["id"] == created["id"]

    for path in (f"/api/v1/merchants/{merchant['id']}", location):
        assert call(server, "GET", path, other)[0] == 404

    status, _, replay = call(
        server, "POST", "/api/v1/verifications", key, verification_body, Idempotency_Key="e2e-1"
    )
    assert (status, replay) == (202, created)
    status, _, error = call(
        server,
        "POST",
        "/api/v1/verifications",
        key,
        {"merchant": merchant_body},
        Idempotency_Key="e2e-1",
    )
    assert status == 422 and error["error"]["code"] == "idempotency_key_reused"


def test_read_your_writes_across_worker_processes(server: str) -> None:
    _, key = api_key_with_secret()
    _, _, merchant = call(
        server, "POST", "/api/v1/merchants", key, {"legal_name": "Before Ltd", "country": "FR"}
    )
    path = f"/api/v1/merchants/{merchant['id']}"
    for _ in range(10):  # both workers fill / hit the cache
        assert call(server, "GET", path, key)[2]["legal_name"] == "Before Ltd"
    status, _, _ = call(server, "PATCH", path, key, {"legal_name": "After Ltd"})
    assert status == 200
    names = {call(server, "GET", path, key)[2]["legal_name"] for _ in range(20)}
    assert names == {"After Ltd"}


def test_metrics_are_aggregated_across_workers(server: str) -> None:
    _, key = api_key_with_secret()
    for _ in range(6):
        call(server, "GET", "/api/v1/merchants", key)
    with urllib.request.urlopen(f"{server}/metrics", timeout=5) as response:
        text = response.read().decode()
    assert "kyb_cache_requests_total" in text or "django_http_requests_total" in text
    assert "django_http_responses_total_by_status_total" in text


def test_the_access_log_never_holds_a_tax_id(server: str, tmp_path: Path) -> None:
    _, key = api_key_with_secret()
    status, _, _ = call(server, "GET", "/api/v1/merchants?tax_id=GB123456789&country=GB", key)
    assert status == 200
    deadline = time.monotonic() + 10
    log = ""
    while "/api/v1/merchants" not in log and time.monotonic() < deadline:
        time.sleep(0.1)
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "tax_id=REDACTED&country=GB" in log, log[-2000:]
    assert "GB123456789" not in log


def _raw(base: str, head: str, body: bytes, *, close_write: bool = False) -> tuple[int, Any]:
    """One request written by hand on a socket (what urllib cannot send: chunked bodies, a
    body cut short); the status and JSON body of the answer."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        if close_write:
            sock.shutdown(socket.SHUT_WR)  # the client went away mid-body
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    payload = answer.split(b"\r\n\r\n", 1)[1]
    return status, json.loads(payload) if payload.startswith(b"{") else payload


def _post_head(key: str, extra: str) -> str:
    return (
        "POST /api/v1/merchants HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Connection: close\r\n{extra}\r\n"
    )


def test_a_chunked_json_body_is_read(server: str) -> None:
    _, key = api_key_with_secret()
    body = json.dumps({"legal_name": "Chunked Ltd", "country": "GB"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]))
    status, answer = _raw(
        server, _post_head(key, "Transfer-Encoding: chunked\r\n"), chunks + b"0\r\n\r\n"
    )
    assert status == 201, answer
    assert answer["legal_name"] == "Chunked Ltd"


def test_a_body_shorter_than_its_content_length_is_not_processed(server: str) -> None:
    from merchants.models import Merchant

    _, key = api_key_with_secret()
    body = json.dumps({"legal_name": "Truncated Ltd", "country": "GB"}).encode()
    head = _post_head(key, f"Content-Length: {len(body) + 100}\r\n")
    status, answer = _raw(server, head, body, close_write=True)
    assert status == 400, answer
    assert answer["error"]["code"] == "incomplete_body"
    assert not Merchant.objects.filter(legal_name="Truncated Ltd").exists()
