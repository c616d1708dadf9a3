"""Bad input never yields a 500: each case gets its documented 4xx and the error envelope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test import Client, override_settings

from kyb.tests.api_client import ApiClient
from merchants.tests.factories import api_key_with_secret

pytestmark = pytest.mark.django_db

GOOD = {"legal_name": "Acme Ltd", "country": "GB"}

CASES: list[tuple[str, str, str, bytes | str, str, int, str]] = [
    # (name, method, path, body, content type, status, code)
    (
        "malformed json",
        "post",
        "/api/v1/merchants",
        b'{"legal_name": ',
        "application/json",
        400,
        "malformed_json",
    ),
    (
        "wrong type",
        "post",
        "/api/v1/merchants",
        '{"legal_name": ["x"], "country": "GB"}',
        "application/json",
        400,
        "validation_error",
    ),
    (
        "missing field",
        "post",
        "/api/v1/merchants",
        '{"country": "GB"}',
        "application/json",
        400,
        "validation_error",
    ),
    (
        "unknown field",
        "post",
        "/api/v1/merchants",
        '{"legal_name": "A", "country": "GB", "x": 1}',
        "application/json",
        400,
        "validation_error",
    ),
    (
        "bad country",
        "post",
        "/api/v1/merchants",
        '{"legal_name": "A", "country": "XX"}',
        "application/json",
        400,
        "validation_error",
    ),
    (
        "bad mcc",
        "post",
        "/api/v1/merchants",
        '{"legal_name": "A", "country": "GB", "declared_mcc": "12"}',
        "application/json",
        400,
        "validation_error",
    ),
    (
        "json array body",
        "post",
        "/api/v1/merchants",
        "[1, 2]",
        "application/json",
        400,
        "validation_error",
    ),
    (
        "wrong content type",
        "post",
        "/api/v1/merchants",
        "legal_name=A",
        "text/plain",
        415,
        "unsupported_media_type",
    ),
    (
        "form content type",
        "post",
        "/api/v1/merchants",
        "legal_name=A",
        "application/x-www-form-urlencoded",
        415,
        "unsupported_media_type",
    ),
    (
        "method not allowed",
        "delete",
        "/api/v1/merchants",
        "",
        "application/json",
        405,
        "method_not_allowed",
    ),
    ("unknown path", "get", "/api/v1/nope", "", "application/json", 404, "not_found"),
    (
        "bad uuid path",
        "get",
        "/api/v1/merchants/not-a-uuid",
        "",
        "application/json",
        404,
        "not_found",
    ),
    (
        "unknown merchant",
        "get",
        "/api/v1/merchants/00000000-0000-0000-0000-000000000000",
        "",
        "application/json",
        404,
        "not_found",
    ),
    (
        "verification of nobody",
        "post",
        "/api/v1/verifications",
        '{"merchant_id": "00000000-0000-0000-0000-000000000000"}',
        "application/json",
        404,
        "not_found",
    ),
    (
        "both merchant forms",
        "post",
        "/api/v1/verifications",
        '{"merchant_id": "00000000-0000-0000-0000-000000000000", "merchant": {}}',
        "application/json",
        400,
        "validation_error",
    ),
    (
        "bad status filter",
        "get",
        "/api/v1/verifications?status=done",
        "",
        "application/json",
        400,
        "validation_error",
    ),
    (
        "bad date filter",
        "get",
        "/api/v1/verifications?created_after=yesterday",
        "",
        "application/json",
        400,
        "validation_error",
    ),
    (
        "bad cursor",
        "get",
        "/api/v1/merchants?cursor=garbage",
        "",
        "application/json",
        404,
        "not_found",
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "content_type", "status", "code"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_bad_input_gets_documented_4xx_and_envelope(
    api: ApiClient,
    name: str,
    method: str,
    path: str,
    body: Any,
    content_type: str,
    status: int,
    code: str,
) -> None:
    response = getattr(api, method)(path, body, content_type=content_type)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code
    assert "Traceback" not in response.content.decode()


def test_body_over_the_limit_is_413(api: ApiClient) -> None:
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024):
        response = api.post_json("/api/v1/merchants", {**GOOD, "description": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_compressed_body_is_a_415(api: ApiClient) -> None:
    """Found by a QA pass: a gzip body was reported as malformed JSON."""
    import gzip

    body = gzip.compress(orjson.dumps(GOOD))
    response = api.post(
        "/api/v1/merchants", body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    # identity is no encoding; a GET carries no body to refuse.
    assert api.get("/api/v1/merchants", HTTP_CONTENT_ENCODING="gzip").status_code == 200


def test_gzip_refused_by_the_client_is_not_sent(api: ApiClient) -> None:
    """Found by a QA pass: "gzip;q=0" (refused, RFC 9110) was answered gzipped."""
    for i in range(30):
        api.post_json("/api/v1/merchants", {**GOOD, "external_id": f"g-{i}"})
    wanted = api.get("/api/v1/merchants?limit=30", HTTP_ACCEPT_ENCODING="gzip")
    assert wanted["Content-Encoding"] == "gzip"
    refused = api.get("/api/v1/merchants?limit=30", HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert not refused.has_header("Content-Encoding")


def test_a_method_no_view_serves_is_refused_before_it_is_counted(api: ApiClient) -> None:
    """Found by a QA pass: each invented method, even without a key, added ~19 series to
    /metrics (the method label of django-prometheus)."""
    _, plaintext = api_key_with_secret(integrator=api.integrator)
    for method in ("RND12345", "RND67890", "QUERY"):
        assert Client().generic(method, "/api/v1/merchants").status_code == 401  # no key
        response = Client().generic(
            method, "/api/v1/merchants", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
        )
        assert response.status_code == 405 and response["Allow"]
        assert response.json()["error"]["code"] == "method_not_allowed"
    metrics = Client().get("/metrics").content.decode()
    assert "RND12345" not in metrics and "QUERY" not in metrics
    assert 'method="UNKNOWN"' in metrics
    assert api.get("/api/v1/merchants").status_code == 200


def test_field_errors_name_the_fields(api: ApiClient) -> None:
    response = api.post_json("/api/v1/merchants", {"legal_name": "", "country": "ZZ", "typo": 1})
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"typo"}  # unknown fields are reported first, before value checks
    response = api.post_json("/api/v1/merchants", {"legal_name": "", "country": "ZZ"})
    assert set(response.json()["error"]["fields"]) == {"legal_name", "country"}


@contextmanager
def _database_unreachable() -> Iterator[None]:
    """This process's database connection points at a closed port while the block runs."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT="1", OPTIONS={"connect_timeout": 1})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_database_down_is_503_with_envelope(api_key: Any) -> None:
    client = ApiClient(api_key[1])
    with _database_unreachable():
        response = client.get("/api/v1/merchants")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_database_down_on_the_fast_read_path_is_503_with_envelope(api_key: Any) -> None:
    """The fast read (kyb/api/fastpath.py) runs before DRF: a key not yet in this process's
    ring, looked up while PostgreSQL is unreachable, answered 500 (found by the PostgreSQL
    fault test)."""
    from kyb.api.keyring import keyring_clear

    client = ApiClient(api_key[1])
    keyring_clear()
    with _database_unreachable():
        response = client.get("/api/v1/verifications/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"


def test_gzip_only_above_threshold(api: ApiClient) -> None:
    from merchants.tests.factories import MerchantFactory

    small = api.get("/api/v1/merchants", HTTP_ACCEPT_ENCODING="gzip")
    assert small.get("Content-Encoding") is None
    MerchantFactory.create_batch(20, integrator=api.integrator)
    with override_settings(API_GZIP_MIN_BYTES=512):
        big = api.get("/api/v1/merchants", HTTP_ACCEPT_ENCODING="gzip")
    assert big["Content-Encoding"] == "gzip"
