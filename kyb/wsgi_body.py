"""WSGI wrapper that hands Django a complete request body, or answers 400/413 itself.

Django reads exactly ``CONTENT_LENGTH`` bytes and treats a request without one as empty. Two
things went wrong behind gunicorn:

- a body sent with ``Transfer-Encoding: chunked`` has no ``Content-Length``: Django saw an empty
  body and the API answered "field required" to a valid JSON request;
- a client that closed the connection after fewer bytes than its ``Content-Length`` had its
  truncated body processed (a merchant was created from half a request).

Bodies up to the path's limit (``kyb.api.bodylimit``: ``DATA_UPLOAD_MAX_MEMORY_SIZE``, larger
for batch submissions) are therefore read here first: a chunked body is buffered and given its
length, a short one is refused with the API's error envelope, and so is a larger declared one
(413, ``Connection: close``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from kyb.api.bodylimit import body_limit

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _read(stream: Any, limit: int) -> bytes | None:
    """Up to ``limit`` bytes, fewer only if the stream ends first; ``None`` if reading failed
    (gunicorn raises on a chunked body cut off mid-chunk)."""
    chunks, remaining = [], limit
    while remaining > 0:
        try:
            chunk = stream.read(min(remaining, 65_536))
        except Exception:  # noqa: BLE001 - the server's reader: any failure is a cut-off body
            return None
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _refuse(start_response: StartResponse, status: str, code: str, message: str) -> list[bytes]:
    body = orjson.dumps({"error": {"code": code, "message": message}})
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ],
    )
    return [body]


def _incomplete(start_response: StartResponse) -> list[bytes]:
    return _refuse(
        start_response,
        "400 Bad Request",
        "incomplete_body",
        "The request body ended before it was complete (Content-Length or last chunk).",
    )


class CompleteBodyMiddleware:
    """See the module docstring. Wraps the Django WSGI application in ``kyb/wsgi.py``."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        limit = body_limit(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        declared = environ.get("CONTENT_LENGTH") or ""
        if chunked and not declared:
            body = _read(environ["wsgi.input"], limit + 1)
            if body is None:
                return _incomplete(start_response)
            if len(body) > limit:
                return _refuse(
                    start_response,
                    "413 Request Entity Too Large",
                    "payload_too_large",
                    f"The request body is larger than {limit} bytes.",
                )
        elif declared.isdigit() and 0 < int(declared) <= limit:
            body = _read(environ["wsgi.input"], int(declared))
            if body is None or len(body) < int(declared):
                return _incomplete(start_response)
        elif declared.isdigit() and int(declared) > limit:
            # Refused here, not by Django: the unread body still follows on the connection, so
            # the answer must close it, and only the server may say so (PEP 3333 keeps
            # hop-by-hop headers from applications; gunicorn honours this one). Django's own
            # 413 kept the connection open, and the client's next request on it failed (a QA
            # pass).
            return _refuse(
                start_response,
                "413 Request Entity Too Large",
                "payload_too_large",
                f"Request body exceeds the size limit ({limit} bytes).",
            )
        else:
            return self.app(environ, start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)
