"""The OpenAPI schema allows exactly what the server accepts (issue 12: the fuzzer found places
where they disagreed). One small case per kind of fix; tests/test_schemathesis.py fuzzes the
whole API. Each case asserts both sides: what the schema says of a request, and the server's
answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft4Validator

from kyb.api.idempotency import KEY_PATTERN
from kyb.countries import ISO_3166_ALPHA2
from kyb.tests.api_client import ApiClient
from kyb.tests.openapi import openapi_schema
from merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema (``$ref``s left as they are: JsonValue is
    recursive)."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    return {"anyOf": [out, {"type": "null"}]} if node.get("nullable") else out


def schema_allows(component: str, body: Any) -> bool:
    """Whether the request component allows ``body`` (its $refs resolved in the document)."""
    components = _nullable(openapi_schema()["components"])
    root = {"$ref": f"#/components/schemas/{component}", "components": components}
    return Draft4Validator(root).is_valid(body)


def operation(method: str, path: str) -> dict[str, Any]:
    return openapi_schema()["paths"][path][method]


MERCHANT = {"legal_name": "Acme Trading Ltd", "country": "GB"}


# --- JSON types: DRF turned 0 into "0"; the schema said string ------------------------------


@pytest.mark.parametrize(
    ("path", "component", "body"),
    [
        ("/api/v1/classify", "ClassifyInputRequest", {"name": "Cafe", "website_text": 0}),
        ("/api/v1/screen", "ScreenInputRequest", {"names": [{"name": "x", "identifiers": [0]}]}),
        ("/api/v1/screen", "ScreenInputRequest", {"names": [{"name": "x"}], "limit": "5"}),
        ("/api/v1/screen", "ScreenInputRequest", {"names": [{"name": "x"}], "limit": True}),
        ("/api/v1/merchants", "MerchantInputRequest", {**MERCHANT, "legal_name": 12}),
        ("/api/v1/verifications", "VerificationCreateRequest", {"merchant_id": 5}),
        ("/api/v1/verifications", "VerificationCreateRequest", {"merchant": {"legal_name": 1}}),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused(
    api: ApiClient, path: str, component: str, body: dict[str, Any]
) -> None:
    assert not schema_allows(component, body)
    response = api.post_json(path, body)
    assert response.status_code == 400, response.json()


def test_query_parameters_stay_text(api: ApiClient) -> None:
    """The JSON type check is for bodies: a query string's ``limit=5`` is still a number."""
    assert api.get("/api/v1/merchants?limit=5").status_code == 200
    assert api.get("/api/v1/verifications?limit=5").status_code == 200


# --- country: the schema listed no codes -----------------------------------------------------


def test_the_country_pattern_is_exactly_the_accepted_codes(api: ApiClient) -> None:
    pattern = schema_pattern("MerchantInputRequest", "country")
    for code in ISO_3166_ALPHA2:
        for spelling in (code, code.lower(), code[0] + code[1].lower()):
            assert re.fullmatch(pattern, spelling), spelling
    for wrong in ("ZZ", "0", "", "GBR", "ß", "g", " gb"):
        assert not re.fullmatch(pattern, wrong), wrong
    assert api.post_json("/api/v1/merchants", {**MERCHANT, "country": "zz"}).status_code == 400
    assert api.post_json("/api/v1/merchants", {**MERCHANT, "country": "gb"}).status_code == 201
    assert not schema_allows("MerchantInputRequest", {**MERCHANT, "country": "zz"})
    assert schema_allows("MerchantInputRequest", {**MERCHANT, "country": "gb"})
    person = {"name": "Jane Smith", "country": ""}  # optional there: blank is allowed
    assert schema_allows("MerchantInputRequest", {**MERCHANT, "people": [person]})


def schema_pattern(component: str, field: str) -> str:
    return pattern_of(openapi_schema()["components"]["schemas"][component]["properties"][field])


def pattern_of(schema: dict[str, Any]) -> str:
    """The pattern of a string schema, or of its non-blank variant (allow_blank: oneOf)."""
    return str(next(s["pattern"] for s in [schema, *schema.get("oneOf", [])] if "pattern" in s))


def test_the_merchant_list_filter_documents_the_same_codes(api: ApiClient) -> None:
    parameters = operation("get", "/api/v1/merchants")["parameters"]
    country = next(p for p in parameters if p["name"] == "country")
    assert re.fullmatch(pattern_of(country["schema"]), "de")
    assert not re.fullmatch(pattern_of(country["schema"]), "0")
    assert api.get("/api/v1/merchants?country=0").status_code == 400


# --- empty lists and cross-field rules -------------------------------------------------------


def test_an_empty_names_list_is_refused_by_both(api: ApiClient) -> None:
    assert not schema_allows("ScreenInputRequest", {"names": []})
    assert api.post_json("/api/v1/screen", {"names": []}).status_code == 400


@pytest.mark.parametrize("body", [{}, {"merchant_id": "e3e70682-c209-1cac-a29f-6fbed82c07cd"}])
def test_merchant_id_and_merchant_are_one_or_the_other(
    api: ApiClient, body: dict[str, Any]
) -> None:
    both = {**body, "merchant": MERCHANT}
    assert not schema_allows("VerificationCreateRequest", both if body else {})
    assert api.post_json("/api/v1/verifications", both if body else {}).status_code == 400
    assert operation("post", "/api/v1/verifications")["requestBody"]["required"] is True


def test_an_inline_merchant_is_described_as_a_merchant(api: ApiClient) -> None:
    assert not schema_allows("VerificationCreateRequest", {"merchant": {}})
    assert api.post_json("/api/v1/verifications", {"merchant": {}}).status_code == 400
    assert schema_allows("VerificationCreateRequest", {"merchant": MERCHANT})
    assert api.post_json("/api/v1/verifications", {"merchant": MERCHANT}).status_code == 202


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ({}, False),
        ({"name": "   "}, False),  # blank once trimmed
        ({"name": "\x1c"}, False),  # whitespace to Python, not to ECMA's \s
        ({"name": "Cafe"}, True),
        ({"description": "  ", "website_text": "Italian restaurant"}, True),
        ({"businesses": [{"name": "Cafe"}]}, True),
        ({"businesses": [{"name": "Cafe"}], "name": " "}, True),
        ({"businesses": [{"name": "Cafe"}], "name": "Bar"}, False),
        ({"businesses": [{"name": " "}]}, False),
        ({"businesses": []}, False),
    ],
)
def test_classify_needs_one_text_or_a_list(
    api: ApiClient, body: dict[str, Any], accepted: bool
) -> None:
    assert schema_allows("ClassifyInputRequest", body) is accepted
    assert (api.post_json("/api/v1/classify", body).status_code == 200) is accepted
    assert operation("post", "/api/v1/classify")["requestBody"]["required"] is True


# --- strings: NUL, blanks, unknown properties ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ({"legal_name": "  "}, False),
        ({"legal_name": "Acme\u3000"}, True),
        ({"dba_name": ""}, True),
        ({"dba_name": "a\x00b"}, False),
        ({"nickname": "x"}, False),  # unknown property
        ({"phone": " .228"}, True),  # matched as sent: DRF used to trim it to 4 characters
        ({"subdivision": " CA"}, False),
    ],
)
def test_strings_and_properties_agree(
    api: ApiClient, change: dict[str, Any], accepted: bool
) -> None:
    body = {**MERCHANT, **change}
    assert schema_allows("MerchantInputRequest", body) is accepted
    assert (api.post_json("/api/v1/merchants", body).status_code == 201) is accepted


# --- numbers as text, metadata, URLs ---------------------------------------------------------


@pytest.mark.parametrize(
    ("pct", "accepted"),
    [
        *(("60", True), ("12.5", True), ("100.00", True), (None, True)),
        *((60, False), ("100.5", False), ("-1", False), ("1e1", False), (" 5", False)),
    ],
)
def test_ownership_percentages_agree(api: ApiClient, pct: Any, accepted: bool) -> None:
    body = {**MERCHANT, "people": [{"name": "Jane Smith", "ownership_pct": pct}]}
    assert schema_allows("MerchantInputRequest", body) is accepted
    assert (api.post_json("/api/v1/merchants", body).status_code == 201) is accepted


@pytest.mark.parametrize(
    "change",
    [{"people": [{"name": "Jane Smith", "ownership_pct": "5\n"}]}, {"declared_mcc": "5411\n"}],
)
def test_a_final_newline_is_refused(api: ApiClient, change: dict[str, Any]) -> None:
    """Python's ``$`` matches before a final newline; the schema's (ECMA) regex does not."""
    assert api.post_json("/api/v1/merchants", {**MERCHANT, **change}).status_code == 400


@pytest.mark.parametrize(
    ("metadata", "accepted"),
    [
        ({"a": [1, "x", None, True, {"b": 1.5}]}, True),
        ({"n": 2**63 - 1}, True),
        ({"n": 2**63}, False),
        ({"n": -1e300}, False),
        ({"s": "a\x00"}, False),
        ({f"k{i}": i for i in range(51)}, False),
    ],
)
def test_metadata_agrees(api: ApiClient, metadata: dict[str, Any], accepted: bool) -> None:
    body = {**MERCHANT, "metadata": metadata}
    assert schema_allows("MerchantInputRequest", body) is accepted
    assert (api.post_json("/api/v1/merchants", body).status_code == 201) is accepted


def test_a_nul_in_a_metadata_key_is_refused() -> None:
    """OpenAPI 3.0 cannot constrain free-form keys (tests/schemathesis_hooks.py); the server
    refuses the key (PostgreSQL cannot store NUL)."""
    from kyb.api.parsers import json_problem

    assert json_problem({"a\x00": 1}) is not None


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://example.com/hooks?x=1", True),
        ("https://" + "a" * 63 + "." + "b" * 63 + ".com/", True),
        ("https://" + ".".join(["a" * 63] * 4) + ".com", False),  # over 253 characters
        ("http://example.com/", False),  # webhooks are https outside DEBUG
        ("https://user:pw@example.com/", False),
    ],
)
def test_webhook_urls_agree(api: ApiClient, url: str, accepted: bool) -> None:
    assert schema_allows("EndpointInputRequest", {"url": url}) is accepted
    response = api.post_json("/api/v1/webhook-endpoints", {"url": url})
    assert (response.status_code == 201) is accepted, response.json()


# --- Idempotency-Key, and a person in a PATCH ------------------------------------------------


@pytest.mark.parametrize(
    ("key", "accepted"),
    [("k-1", True), ("a b", True), ("x" * 255, True), ("x" * 256, False), ("\u00e9t\u00e9", False)],
)
def test_idempotency_keys_agree(api: ApiClient, key: str, accepted: bool) -> None:
    header = next(
        p
        for p in operation("post", "/api/v1/merchants")["parameters"]
        if p["name"] == "Idempotency-Key"
    )
    assert header["schema"]["pattern"] == KEY_PATTERN
    assert bool(re.fullmatch(KEY_PATTERN, key)) is accepted
    response = api.post_json("/api/v1/merchants", MERCHANT, HTTP_IDEMPOTENCY_KEY=key)
    assert (response.status_code == 201) is accepted


def test_a_patched_person_needs_a_name(api: ApiClient) -> None:
    """A PATCH is partial, and DRF skipped the nested person's required name: it was stored
    empty."""
    merchant = MerchantFactory.create(integrator=api.integrator)
    response = api.patch_json(
        f"/api/v1/merchants/{merchant.id}", {"people": [{"role": "owner", "country": "rs"}]}
    )
    assert response.status_code == 400
    assert "name" in str(response.json()["error"]["fields"])


def test_an_empty_list_filter_filters_nothing(api: ApiClient) -> None:
    """A stateful link from a merchant without an external_id sends ``?external_id=``."""
    MerchantFactory.create(integrator=api.integrator, external_id="")
    parameters = operation("get", "/api/v1/merchants")["parameters"]
    external_id = next(p for p in parameters if p["name"] == "external_id")["schema"]
    assert "minLength" not in external_id or external_id["minLength"] == 0
    response = api.get("/api/v1/merchants?external_id=&country=&tax_id=")
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


# --- lengths count the string as sent; batches need an item ---------------------------------


def test_a_maximum_length_counts_the_string_as_sent(api: ApiClient) -> None:
    """DRF measured after trimming: 500 characters plus a newline passed a maxLength of 500."""
    body = {"names": [{"name": "\n" + "A" * 500}]}
    assert not schema_allows("ScreenInputRequest", body)
    response = api.post_json("/api/v1/screen", body)
    assert response.status_code == 400, response.json()
    assert api.post_json("/api/v1/screen", {"names": [{"name": "A" * 500}]}).status_code == 200


def test_a_batch_without_items_is_refused_by_both(api: ApiClient) -> None:
    assert not schema_allows("BatchCreateRequest", {"items": []})
    assert api.post_json("/api/v1/verification-batches", {"items": []}).status_code == 400
