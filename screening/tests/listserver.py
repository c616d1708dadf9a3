"""A local HTTP server that plays a list publisher: serves files with ETag/Last-Modified and
answers conditional GETs with 304, or misbehaves on request (truncated body, HTML error page,
empty body, slow answer). Runs on 127.0.0.1 in a thread."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    """What one path answers. ``mode``: ok, truncated (Content-Length promises more than is
    sent), html (a 200 HTML page), error (503 HTML), empty, slow (sleeps ``delay`` first)."""

    body: bytes
    etag: str = ""
    last_modified: str = ""
    content_type: str = "application/xml"
    mode: str = "ok"
    delay: float = 0.0
    requests: list[dict[str, str]] = field(default_factory=list)


class ListServer:
    def __init__(self) -> None:
        self.files: dict[str, Served] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                served = files.get(self.path)
                if served is None:
                    return self._send(404, b"not found", "text/plain")
                served.requests.append(dict(self.headers.items()))
                if served.delay:
                    time.sleep(served.delay)
                if served.etag and self.headers.get("If-None-Match") == served.etag:
                    self.send_response(304)
                    self.send_header("ETag", served.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if served.mode == "html":
                    return self._send(
                        200, b"<!DOCTYPE html><html><body>Maintenance</body></html>", "text/html"
                    )
                if served.mode == "error":
                    return self._send(
                        503, b"<html><body>Service Unavailable</body></html>", "text/html"
                    )
                if served.mode == "empty":
                    return self._send(200, b"", served.content_type)
                if served.mode == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", served.content_type)
                    self.send_header("Content-Length", str(len(served.body)))
                    self.end_headers()
                    self.wfile.write(served.body[: len(served.body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                headers = {"ETag": served.etag, "Last-Modified": served.last_modified}
                return self._send(200, served.body, served.content_type, headers)

            def _send(
                self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    if value:
                        self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
