"""A test client whose requests go through ``kyb.wsgi.application``, the WSGI callable gunicorn
serves, instead of Django's test handler: the WSGI fast read (``kyb.api.fastpath.FastReadApp``)
answers in front of Django only there."""

from __future__ import annotations

from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse

from kyb.tests.api_client import ApiClient


class WsgiHandler:
    """Calls the application with a test environ; ``answered_by_django`` says who answered."""

    def __init__(self) -> None:
        self.answered_by_django: list[bool] = []

    def __call__(self, environ: dict[str, Any]) -> HttpResponse:
        from kyb.wsgi import application

        started: list[bool] = []

        def seen(**kwargs: Any) -> None:
            started.append(True)

        captured: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> None:
            captured["status"], captured["headers"] = status, headers

        # As Django's ClientHandler: the test's database connection stays open.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        request_started.connect(seen)
        try:
            chunks = application(environ, start_response)
            try:
                body = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        finally:
            request_started.disconnect(seen)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        self.answered_by_django.append(bool(started))
        response = HttpResponse(body, status=int(captured["status"].split()[0]))
        for name in list(response.headers):
            del response.headers[name]
        for name, value in captured["headers"]:
            response.headers[name] = value
        response.wsgi_request = None  # type: ignore[attr-defined]
        return response


class WsgiClient(ApiClient):
    def __init__(self, key: str | None = None, **defaults: Any) -> None:
        super().__init__(key, **defaults)
        self.handler = WsgiHandler()  # type: ignore[assignment]

    @property
    def answered_by_django(self) -> list[bool]:
        return self.handler.answered_by_django  # type: ignore[attr-defined]
