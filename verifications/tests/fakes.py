"""A local HTTP server that plays a third-party provider (GLEIF, Companies House, a merchant's
website) with the provider's real wire format. Runs on 127.0.0.1 in a thread."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(data).encode(), {"Content-Type": "application/json"})

    @classmethod
    def html(cls, text: str, status: int = 200) -> Reply:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})


Route = Callable[["Seen"], Reply]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


class FakeProvider:
    """Routes by exact path (query string included) or by path prefix; ``down`` makes every
    request answer 503 (a provider outage). ``requests`` records what arrived."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.prefixes: dict[str, Route] = {}
        self.down = False
        self.requests: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, reply: Reply | Route) -> None:
        if isinstance(reply, Reply):
            fixed: Reply = reply
            self.routes[path] = lambda _seen: fixed
        else:
            self.routes[path] = reply

    def route_prefix(self, prefix: str, route: Route) -> None:
        self.prefixes[prefix] = route

    def _answer(self, seen: Seen) -> Reply:
        self.requests.append(seen)
        if self.down:
            return Reply.json({"errors": [{"status": "503", "title": "Service Unavailable"}]}, 503)
        if seen.path in self.routes:
            return self.routes[seen.path](seen)
        for prefix, route in self.prefixes.items():
            if seen.path.startswith(prefix):
                return route(seen)
        return Reply.json({"errors": [{"status": "404", "title": "Not Found"}]}, 404)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers.items()), body)
                reply = provider._answer(seen)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> FakeProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    server = FakeProvider().start()
    try:
        yield server
    finally:
        server.stop()


def gleif_record(name: str) -> dict[str, Any]:
    """A real GLEIF API v1 response (pygleif_<LEI>_<status>.json)."""
    return json.loads((FIXTURES / name).read_text())


def companies_house_profile(number: str, name: str, status: str = "active") -> dict[str, Any]:
    """The documented shape of GET /company/{company_number} (companyProfile resource)."""
    return {
        "company_name": name,
        "company_number": number,
        "company_status": status,
        "type": "ltd",
        "jurisdiction": "england-wales",
        "date_of_creation": "2015-02-13",
        "has_been_liquidated": False,
        "has_charges": False,
        "can_file": status == "active",
        "registered_office_is_in_dispute": False,
        "undeliverable_registered_office_address": False,
        "registered_office_address": {
            "address_line_1": "1 Example Street",
            "locality": "London",
            "postal_code": "EC1A 1BB",
            "country": "England",
        },
        "sic_codes": ["47910"],
        "accounts": {"overdue": False},
        "confirmation_statement": {"overdue": False},
        "links": {"self": f"/company/{number}"},
        "etag": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4",
    }
