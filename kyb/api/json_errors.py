"""JSON errors for every ``/api/`` response, whoever produced it.

DRF views and the non-DEBUG handlers already answer with the envelope. What remains is what
Django writes itself: with ``DEBUG=true`` (``make run``'s default) an unknown URL is the HTML
"technical 404", an exception the HTML debug page, a bad ``Host`` header an HTML 400; a plain
Django view answers 405 with an empty ``text/html`` body. This middleware rewrites any such
non-JSON error under ``/api/`` into ``{"error": {"code", "message"}}``, keeping the status and
headers (``Allow``, ``Retry-After``, rate-limit headers). Tracebacks stay in the server log.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase

from kyb.api.errors import envelope

API_PREFIX = "/api/"

# status -> (code, message); codes match what the DRF exception handler uses for the same status.
STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Bad request."),
    401: ("unauthenticated", "Authentication credentials were not provided or are invalid."),
    403: ("forbidden", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    406: ("not_acceptable", "Could not satisfy the request Accept header."),
    413: ("payload_too_large", "Request body exceeds the size limit."),
    415: ("unsupported_media_type", "Unsupported media type in request."),
    429: ("rate_limited", "Request was throttled."),
    500: ("internal_error", "Internal server error."),
    503: ("service_unavailable", "A dependency is unavailable; retry shortly."),
}
_DROPPED_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})


def _is_json(response: HttpResponseBase) -> bool:
    content_type = (response.get("Content-Type") or "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def error_for_status(status: int) -> tuple[str, str]:
    """The envelope's (code, message) for an HTTP error status."""
    if status in STATUS_CODES:
        return STATUS_CODES[status]
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return ("server_error" if status >= 500 else "error"), f"{phrase}."


def as_json_error(response: HttpResponseBase) -> JsonResponse:
    """The same error as the envelope, with the original status and headers."""
    code, message = error_for_status(response.status_code)
    rewritten = JsonResponse(envelope(code, message), status=response.status_code)
    for name, value in response.items():
        if name.lower() not in _DROPPED_HEADERS:
            rewritten[name] = value
    return rewritten


class ApiJsonErrorsMiddleware:
    """Under ``/api/``: a 4xx/5xx that is not JSON becomes the error envelope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and not response.streaming
            and not _is_json(response)
        ):
            return as_json_error(response)
        return response
