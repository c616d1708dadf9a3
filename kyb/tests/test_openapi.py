"""The OpenAPI schema is generated from the code, valid, and describes every operation."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from kyb.tests.openapi import openapi_schema

pytestmark = pytest.mark.django_db


def test_schema_generation_is_valid_and_warning_free(tmp_path: Path) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3")


def test_schema_and_docs_are_served(client: Client) -> None:
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.parametrize(
    "version",
    ['abc"; x=1', "\x00", "a\r\nSet-Cookie: x=1", "v2"],
    ids=["quote", "nul", "crlf", "v2"],
)
def test_the_schema_version_is_not_the_callers(client: Client, version: str) -> None:
    """Found by a QA pass: ``?version=`` went into Content-Disposition (a 500 with CR/LF or NUL)
    and relabelled the document."""
    response = client.get("/api/schema/", {"version": version})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="KYB platform API (1.0.0).yaml"'
    assert b"version: 1.0.0" in response.content


def test_the_schema_is_built_once_per_process(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kyb.api.docs import SchemaApi

    first = client.get("/api/schema/").content
    monkeypatch.setattr(SchemaApi, "generator_class", None)  # a second build would fail
    assert client.get("/api/schema/").content == first
    assert client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_options_on_the_docs_is_no_500(client: Client) -> None:
    assert client.options("/api/docs/").status_code == 405
    assert client.options("/api/schema/").status_code == 405


PUBLIC_PATHS = {"/api/v1/"}  # the index: names resources, needs no key, is never throttled


def test_every_operation_documents_errors_and_auth() -> None:
    schema = openapi_schema()
    # The scheme is declared as what it is (a bearer key), and every operation requires it: not
    # merely "some security scheme exists".
    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, item in schema["paths"].items():
        if not path.startswith("/api/v1/") or path in PUBLIC_PATHS:
            continue
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "404", "429"} <= codes, (method, path)
            assert operation.get("security") == [{"ApiKeyAuth": []}], (method, path)
            for status, response in operation["responses"].items():
                assert "X-RateLimit-Remaining" in response["headers"], (method, path, status)
            assert "Retry-After" in operation["responses"]["429"]["headers"]


# Every object an integrator's key creates or reads (docs/sandbox.md): each says its mode.
MODE_SCHEMAS = (
    "MerchantOutput",
    "VerificationOutput",
    "VerificationSummary",
    "EndpointOutput",
    "EndpointWithSecret",
    "DeliveryOutput",
    "ApiKeyOutput",
    "ApiKeyCreated",
    "MerchantErasureOutput",
    "ClassificationList",
    "BatchSummary",
    "BatchOutput",
    "BatchAccepted",
)


def test_every_api_object_schema_requires_livemode() -> None:
    components = openapi_schema()["components"]["schemas"]
    for name in MODE_SCHEMAS:
        schema = components[name]
        assert schema["properties"]["livemode"]["type"] == "boolean", name
        assert "livemode" in schema["required"], name
