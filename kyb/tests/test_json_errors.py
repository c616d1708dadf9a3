"""Every error under ``/api/`` answers the JSON envelope, with DEBUG on (``make run``) or off,
whoever produced it: the URL resolver, DRF, a middleware, Django's own handlers."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

UUID = "00000000-0000-4000-8000-000000000000"

# (name, method, path, extra request kwargs, authenticated, status, code)
CASES: list[tuple[str, str, str, dict[str, Any], bool, int, str]] = [
    ("unknown v1 path", "get", "/api/v1/nope", {}, True, 404, "not_found"),
    ("unknown v1 path, no key", "get", "/api/v1/nope", {}, False, 404, "not_found"),
    ("unknown api version", "get", "/api/v2/merchants", {}, True, 404, "not_found"),
    ("api root", "get", "/api/", {}, False, 404, "not_found"),
    ("trailing slash", "get", "/api/v1/merchants/", {}, True, 404, "not_found"),
    ("malformed id", "get", "/api/v1/merchants/not-a-uuid", {}, True, 404, "not_found"),
    ("unknown object", "get", f"/api/v1/merchants/{UUID}", {}, True, 404, "not_found"),
    ("405 on a list", "put", "/api/v1/verifications", {}, True, 405, "method_not_allowed"),
    ("405 on the index", "post", "/api/v1/", {}, False, 405, "method_not_allowed"),
    ("405 on the schema", "post", "/api/schema/", {}, False, 405, "method_not_allowed"),
    ("no key", "get", "/api/v1/merchants", {}, False, 401, "unauthenticated"),
    (
        "bad host header",
        "get",
        "/api/v1/merchants",
        {"HTTP_HOST": "evil.example"},
        True,
        400,
        "bad_request",
    ),
    (
        "oversize body",
        "post",
        "/api/v1/merchants",
        {"CONTENT_LENGTH": str(10**9), "content_type": "application/json"},
        True,
        413,
        "payload_too_large",
    ),
    (
        "wrong media type",
        "post",
        "/api/v1/merchants",
        {"data": "x=1", "content_type": "text/plain"},
        True,
        415,
        "unsupported_media_type",
    ),
]


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG", "production"])
@pytest.mark.parametrize(
    ("name", "method", "path", "extra", "authenticated", "status", "code"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_every_api_error_is_the_json_envelope(
    api_key: tuple[Any, str],
    debug: bool,
    name: str,
    method: str,
    path: str,
    extra: dict[str, Any],
    authenticated: bool,
    status: int,
    code: str,
) -> None:
    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_key[1]}"} if authenticated else {}
    with override_settings(DEBUG=debug):
        response = getattr(client, method)(path, **{**headers, **extra})
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert body["error"]["code"] == code
    assert set(body["error"]) <= {"code", "message", "fields"}


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG", "production"])
def test_an_unexpected_exception_is_an_internal_error_without_a_trace(
    api_key: tuple[Any, str], debug: bool
) -> None:
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {api_key[1]}")
    boom = RuntimeError("secret detail from the depths")
    with (
        override_settings(DEBUG=debug),
        mock.patch("merchants.api.merchant_list", side_effect=boom),
    ):
        response = client.get("/api/v1/merchants")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Internal server error."}
    }
    assert b"secret detail" not in response.content


def test_a_405_keeps_its_allow_header() -> None:
    response = Client().post("/api/v1/")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_html_outside_the_api_is_left_alone() -> None:
    with override_settings(DEBUG=True):
        response = Client().get("/not-the-api")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")  # Django's debug page


def test_the_v1_index_lists_every_resource_without_a_key() -> None:
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    paths = {r["path"]: r["methods"] for r in body["resources"]}
    assert paths["/api/v1/merchants"] == ["GET", "POST"]
    assert paths["/api/v1/merchants/{merchant_id}"][0] == "GET"
    assert paths["/api/v1/verifications/{verification_id}"] == ["GET"]
    assert "/api/v1/screen" in paths and "/api/v1/webhook-endpoints" in paths
    assert "/api/v1/" not in paths  # the index does not list itself
    assert body["schema"] == "/api/schema/"
