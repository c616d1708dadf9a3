"""One error envelope for every API error: ``{"error": {"code", "message", "fields"?}}``.

Codes are stable and machine-readable; messages are for humans. No stack trace or SQL ever
reaches a client: unexpected exceptions become ``internal_error`` and are logged server-side.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kyb.errors import DomainError, ValidationFailed

logger = logging.getLogger("kyb.api")

CONSOLE_PREFIX = "/admin/"  # where kyb/urls.py mounts the admin

CODES: dict[type[Exception], str] = {
    exceptions.ParseError: "malformed_json",
    exceptions.AuthenticationFailed: "unauthenticated",
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


class ApiError(exceptions.APIException):
    """A domain error with its own code and status (409 conflict, 422 ...)."""

    def __init__(self, *, code: str, message: str, status_code: int = 400) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code


def envelope(code: str, message: str, fields: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _message(detail: Any) -> str:
    if isinstance(detail, list | tuple) and detail:
        return str(detail[0])
    return str(detail)


UNAVAILABLE = ("service_unavailable", "A dependency is unavailable; retry shortly.")
UNAVAILABLE_RETRY_AFTER = "5"


def unavailable_response(exc: Exception) -> JsonResponse:
    """The 503 a database outage answers, for code that runs outside DRF (middleware)."""
    logger.warning("database unavailable: %s", type(exc).__name__)
    response = json_error(*UNAVAILABLE, 503)
    response["Retry-After"] = UNAVAILABLE_RETRY_AFTER
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, rewritten into the envelope; also maps DB outages and oversize bodies."""
    if isinstance(exc, RequestDataTooBig):
        return Response(
            envelope("payload_too_large", "Request body exceeds the size limit."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", type(exc).__name__)
        return Response(
            envelope(*UNAVAILABLE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": UNAVAILABLE_RETRY_AFTER},
        )
    if isinstance(exc, DomainError):
        fields = exc.fields if isinstance(exc, ValidationFailed) else None
        return Response(envelope(exc.code, exc.message, fields), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        if isinstance(exc, DatabaseError):
            logger.exception("database error")
        return None  # Django's 500 handler answers with the envelope (see server_error)
    if isinstance(exc, ApiError):
        response.data = envelope(exc.error_code, _message(exc.detail))
    elif isinstance(exc, exceptions.ValidationError):
        response.data = envelope(
            "validation_error", "One or more fields are invalid.", fields=exc.detail
        )
    else:
        code = next((c for t, c in CODES.items() if isinstance(exc, t)), "error")
        detail = getattr(exc, "detail", str(exc))
        response.data = envelope(code, _message(detail))
    return response


def json_error(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(envelope(code, message), status=status_code)


def _console(request: HttpRequest) -> bool:
    """A page of the console (the admin), which a browser shows: its errors are HTML."""
    return request.path.startswith(CONSOLE_PREFIX)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON, except in the console (an analyst's browser showed the envelope)."""
    if _console(request):
        return defaults.page_not_found(request, exception or Http404())
    return json_error("not_found", "Not found.", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a generic envelope (a plain page in the console), never a trace."""
    if _console(request):
        return defaults.server_error(request)
    return json_error("internal_error", "Internal server error.", 500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return json_error("payload_too_large", "Request body exceeds the size limit.", 413)
    if _console(request):
        return defaults.bad_request(request, exception or SuspiciousOperation())
    return json_error("bad_request", "Bad request.", 400)
