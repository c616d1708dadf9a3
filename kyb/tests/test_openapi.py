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
