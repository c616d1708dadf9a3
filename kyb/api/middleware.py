"""HTTP plumbing for the API: body-size limit, version and rate-limit headers, gzip."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware

from kyb.api.bodylimit import body_limit
from kyb.api.errors import json_error

if TYPE_CHECKING:
    from kyb.api.ratelimit import RateDecision

API_PREFIX = "/api/"
API_VERSION = "v1"
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def api_headers(path: str, response: HttpResponseBase) -> None:
    """The headers of every ``/api/`` response (also set by the WSGI fast read, which answers
    before this middleware runs)."""
    response["API-Version"] = API_VERSION
    if path.startswith(f"{API_PREFIX}{API_VERSION}/"):
        # JSON only: nothing in a response may load, run or be framed, whatever it contains.
        response.setdefault("Content-Security-Policy", API_CSP)


def rate_headers(response: HttpResponseBase, decision: RateDecision) -> None:
    response["X-RateLimit-Limit"] = str(decision.limit)
    response["X-RateLimit-Remaining"] = str(decision.remaining)
    response["X-RateLimit-Reset"] = str(decision.reset_at)


class ApiMiddleware:
    """For ``/api/`` requests: refuse oversize bodies early (413), echo ``API-Version``, and
    attach ``X-RateLimit-*`` headers from the throttle's decision."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self._too_large(request) or _encoded(request) or self.get_response(request)
        api_headers(request.path, response)
        decision = getattr(request, "kyb_rate_decision", None)
        if decision is not None:
            rate_headers(response, decision)
        return response

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error("bad_request", "Invalid Content-Length header.", 400)
        limit = body_limit(request.path)
        if length > limit:
            # Behind gunicorn kyb.wsgi_body answers first, closing the connection (which an
            # application may not ask for, PEP 3333); this is the answer of any other server.
            return json_error(
                "payload_too_large", f"Request body exceeds the size limit ({limit} bytes).", 413
            )
        return None


def _encoded(request: HttpRequest) -> HttpResponse | None:
    """A compressed request body is a 415: the parsers read plain JSON, and a gzip body was
    reported as malformed JSON (found by a QA pass)."""
    encoding = request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower()
    has_body = request.META.get("CONTENT_LENGTH") not in (None, "", "0")
    if encoding in ("", "identity") or not (has_body or "HTTP_TRANSFER_ENCODING" in request.META):
        return None
    return json_error(
        "unsupported_media_type", "Request bodies are not compressed (Content-Encoding).", 415
    )


# The methods of RFC 9110 and PATCH. Any other is read as UNKNOWN_METHOD from here on: the
# metrics middleware labels requests by method, and each invented method (anyone can send one,
# without a key) grew ~19 series in /metrics (found by a QA pass). The view still answers 405.
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
UNKNOWN_METHOD = "UNKNOWN"


class KnownMethodsMiddleware:
    """Outermost: a method HTTP does not define becomes ``UNKNOWN`` before anything counts it
    (and no view serves it: a 405 with ``Allow``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in KNOWN_METHODS:
            request.method = UNKNOWN_METHOD
        return self.get_response(request)


class ThresholdGZipMiddleware(GZipMiddleware):
    """gzip only bodies of at least ``API_GZIP_MIN_BYTES``: small ones don't pay for the CPU."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            isinstance(response, HttpResponse)
            and len(response.content) < settings.API_GZIP_MIN_BYTES
        ) or _gzip_refused(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        return super().process_response(request, response)


_GZIP_Q0 = re.compile(r"(?:^|,)\s*(?:gzip|\*)\s*;\s*q\s*=\s*0(?:\.0{0,3})?\s*(?:,|$)", re.I)
_GZIP_WANTED = re.compile(
    r"(?:^|,)\s*gzip\s*(?:;\s*q\s*=\s*(?:1|0?\.\d*[1-9]\d*))?\s*(?:,|$)", re.I
)


def _gzip_refused(accept_encoding: str) -> bool:
    """``gzip;q=0`` (or ``*;q=0`` without gzip named): the client refuses gzip (RFC 9110
    12.5.3); Django's middleware only looks for the word (found by a QA pass)."""
    return bool(_GZIP_Q0.search(accept_encoding)) and not _GZIP_WANTED.search(accept_encoding)
