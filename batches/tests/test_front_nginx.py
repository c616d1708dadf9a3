"""The shipped nginx front (deploy/nginx/kyb.conf) lets a batch body through up to the batch
limit on the batch route only, and answers a body over its limit with the JSON envelope.

Runs the real nginx with the shipped file in front of a small local upstream that records the
body sizes it receives (the app's own limits are tested through Django in test_batches).
Skipped where no nginx binary is installed (.ci/run installs it)."""

from __future__ import annotations

import http.client
import importlib.util
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
MIB = 1_048_576
pytestmark = pytest.mark.skipif(not NGINX, reason="nginx is not installed")


class _Upstream(BaseHTTPRequestHandler):
    received: list[int] = []

    def do_GET(self) -> None:
        self._answer(200)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        _Upstream.received.append(len(self.rfile.read(length)))
        self._answer(202)

    def _answer(self, status: int) -> None:
        body = b'{"ok":true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def front() -> Iterator[int]:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    spec = importlib.util.spec_from_file_location("nginx_front", ROOT / "scripts/nginx_front.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    port = _free_port()
    # Not under pytest's tmp (mode 700): nginx's workers, which may run as another user, write
    # bodies over client_body_buffer_size to a temp folder in here.
    tmp = Path(tempfile.mkdtemp(prefix="kyb-batch-front-"))
    tmp.chmod(0o755)
    conf = module.write_local(
        tmp / "nginx",
        upstream=f"127.0.0.1:{upstream.server_address[1]}",
        listen=f"127.0.0.1:{port}",
        daemon=False,
    )
    nginx = subprocess.Popen(
        [NGINX, "-p", str(conf.parent), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=(tmp / "nginx.log").open("w"),
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        upstream.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


def _post(port: int, path: str, body: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _declare(port: int, path: str, length: int) -> tuple[int, bytes]:
    """Send only the headers of a body of ``length`` bytes: nginx refuses it from them."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass  # nginx answers, then resets the connection whose body it will not read
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_a_3_mib_batch_passes_and_a_3_mib_single_submission_is_refused_in_json(
    front: int,
) -> None:
    body = b"[" + b" " * (3 * MIB) + b"]"
    assert _post(front, "/api/v1/verification-batches", body)[0] == 202
    assert _Upstream.received[-1] == len(body)
    status, answer = _post(front, "/api/v1/verifications", body)
    assert status == 413
    assert orjson.loads(answer)["error"]["code"] == "payload_too_large"


def test_a_body_over_the_batch_limit_is_refused_in_json(front: int) -> None:
    status, answer = _declare(front, "/api/v1/verification-batches", 18 * MIB)
    assert status == 413
    assert orjson.loads(answer)["error"]["code"] == "payload_too_large"
