"""/api/v1/merchants: create, read, list, update, tenancy, scopes, masking."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kyb.tests.api_client import ApiClient
from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory, api_key_with_secret

pytestmark = pytest.mark.django_db

PAYLOAD: dict[str, Any] = {
    "external_id": "shop-42",
    "legal_name": "Northwind Outdoor Ltd",
    "dba_name": "Northwind",
    "registration_number": "09446231",
    "tax_id": "GB 123 4567 89",
    "country": "gb",
    "address": {"line1": "1 High Street", "city": "London", "postal_code": "EC1A 1BB"},
    "website": "https://northwind.example",
    "email": "ops@northwind.example",
    "phone": "+44 20 7946 0000",
    "description": "Online retailer of outdoor clothing",
    "declared_mcc": "5651",
    "people": [
        {
            "name": "Jane Smith",
            "role": "owner",
            "ownership_pct": "60",
            "date_of_birth": "1980-04-02",
        }
    ],
    "metadata": {"plan": "gold"},
}


def test_create_returns_201_location_and_masked_tax_id(api: ApiClient) -> None:
    response = api.post_json("/api/v1/merchants", PAYLOAD)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"/api/v1/merchants/{body['id']}"
    assert response["API-Version"] == "v1"
    assert body["tax_id"] == "****6789"
    assert body["country"] == "GB"
    assert body["people"][0]["year_of_birth"] == 1980
    assert "date_of_birth" not in body["people"][0]
    stored = Merchant.objects.get(pk=body["id"])
    assert "123" not in stored.tax_id_encrypted  # encrypted at rest
    assert stored.integrator == api.integrator


@pytest.mark.parametrize("tax_id", ["\U0001f600", "---", " . "])
def test_a_tax_id_of_no_letter_or_digit_is_refused_not_dropped(api: ApiClient, tax_id: str) -> None:
    """Found by a QA pass: stored as "no tax id" with a 201, on create and on PATCH alike."""
    response = api.post_json("/api/v1/merchants", {**PAYLOAD, "tax_id": tax_id})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"tax_id"}
    created = api.post_json("/api/v1/merchants", PAYLOAD).json()
    response = api.patch_json(f"/api/v1/merchants/{created['id']}", {"tax_id": tax_id})
    assert response.status_code == 400
    assert api.get(f"/api/v1/merchants/{created['id']}").json()["tax_id"] == "****6789"
    # Blank still means "no tax id".
    assert (
        api.post_json("/api/v1/merchants", {**PAYLOAD, "external_id": "", "tax_id": ""}).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"legal_name": "\u200b"}, "legal_name"),  # a zero-width space only
        ({"tax_id": "***"}, "tax_id"),
        ({"legal_name": "Acme \u202eLtd"}, "legal_name"),  # right-to-left override
        ({"dba_name": "\u2067Acme\u2069"}, "dba_name"),  # an isolate
        ({"people": [{"name": "\u200b\u200b"}]}, "people"),
        ({"people": [{"name": "N", "date_of_birth": "3000-01-01"}]}, "people"),
        ({"people": [{"name": "N", "date_of_birth": "0001-01-01"}]}, "people"),
        ({"website": "ftp://acme.example/"}, "website"),
    ],
)
def test_names_dates_and_websites_a_check_cannot_use_are_refused(
    api: ApiClient, change: dict[str, Any], field: str
) -> None:
    """Found by a QA pass: each was a 201, then shown in the console or failed in the checks."""
    response = api.post_json("/api/v1/merchants", {**PAYLOAD, **change})
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {field}


def test_names_in_any_script_with_marks_are_kept(api: ApiClient) -> None:
    body = {
        **PAYLOAD,
        "legal_name": "\u0634\u0631\u0643\u0629 \u200fAcme",
        "dba_name": "O'Brien & Co.",
    }
    assert api.post_json("/api/v1/merchants", body).status_code == 201


def test_people_patched_are_read_as_on_create(api: ApiClient) -> None:
    """Found by a QA pass: a person PATCHed without a role got none, POSTed an owner."""
    created = api.post_json("/api/v1/merchants", {**PAYLOAD, "people": [{"name": "N"}]}).json()
    assert created["people"][0]["role"] == "owner"
    path = f"/api/v1/merchants/{created['id']}"
    patched = api.patch_json(path, {"people": [{"name": "N"}, {"name": "M", "role": "director"}]})
    assert patched.status_code == 200
    assert [p["role"] for p in patched.json()["people"]] == ["owner", "director"]
    assert [p["role"] for p in api.get(path).json()["people"]] == ["owner", "director"]


def test_read_back_and_search_by_exact_tax_id(api: ApiClient) -> None:
    created = api.post_json("/api/v1/merchants", PAYLOAD).json()
    assert api.get(f"/api/v1/merchants/{created['id']}").json() == created
    found = api.get("/api/v1/merchants", {"tax_id": "GB123456789"}).json()["data"]
    assert [m["id"] for m in found] == [created["id"]]
    assert api.get("/api/v1/merchants", {"tax_id": "GB000"}).json()["data"] == []


def test_patch_changes_only_given_fields_and_is_visible_on_next_read(
    api: ApiClient, django_capture_on_commit_callbacks: Any
) -> None:
    created = api.post_json("/api/v1/merchants", PAYLOAD).json()
    api.get(f"/api/v1/merchants/{created['id']}")  # fill the cache
    with django_capture_on_commit_callbacks(execute=True):  # the request's commit
        response = api.patch_json(f"/api/v1/merchants/{created['id']}", {"dba_name": "NW Outdoor"})
    assert response.status_code == 200
    again = api.get(f"/api/v1/merchants/{created['id']}").json()
    assert again["dba_name"] == "NW Outdoor"
    assert again["legal_name"] == PAYLOAD["legal_name"]


def test_duplicate_external_id_is_a_409(api: ApiClient) -> None:
    api.post_json("/api/v1/merchants", PAYLOAD)
    response = api.post_json("/api/v1/merchants", PAYLOAD)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "merchant_exists"


def test_another_integrators_merchant_is_404_everywhere(
    api: ApiClient, other_api: ApiClient
) -> None:
    mine = api.post_json("/api/v1/merchants", PAYLOAD).json()["id"]
    for response in (
        other_api.get(f"/api/v1/merchants/{mine}"),
        other_api.patch_json(f"/api/v1/merchants/{mine}", {"dba_name": "x"}),
        other_api.get(f"/api/v1/merchants/{mine}/classifications"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert other_api.get("/api/v1/merchants").json()["data"] == []
    assert Merchant.objects.get(pk=mine).dba_name == PAYLOAD["dba_name"]


def test_read_only_key_cannot_write() -> None:
    _, plaintext = api_key_with_secret(scopes=["read"])
    client = ApiClient(plaintext)
    assert client.get("/api/v1/merchants").status_code == 200
    response = client.post_json("/api/v1/merchants", PAYLOAD)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer a b"])
def test_missing_or_bad_key_is_401(header: str | None) -> None:
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": header} if header else {}
    response = ApiClient().get("/api/v1/merchants", **extra)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_revoked_key_is_401() -> None:
    from kyb.tenancy.services import api_key_revoke

    key, plaintext = api_key_with_secret()
    api_key_revoke(key=key)
    assert ApiClient(plaintext).get("/api/v1/merchants").status_code == 401


def test_list_is_cursor_paginated_newest_first(api: ApiClient) -> None:
    integrator = api.integrator
    made = [MerchantFactory.create(integrator=integrator) for _ in range(5)]
    first = api.get("/api/v1/merchants", {"limit": 2}).json()
    assert [m["id"] for m in first["data"]] == [str(m.id) for m in reversed(made)][:2]
    second = api.get(first["next"]).json()
    assert [m["id"] for m in second["data"]] == [str(m.id) for m in reversed(made)][2:4]


@pytest.mark.parametrize("path", ["/api/v1/merchants", "/api/v1/merchants?country=GB"])
def test_list_query_count_is_constant(api: ApiClient, path: str) -> None:
    integrator = api.integrator
    MerchantFactory.create(integrator=integrator)
    api.get(path)  # first use of the key records last_used_at
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    MerchantFactory.create_batch(10, integrator=integrator)
    with CaptureQueriesContext(connection) as many:
        api.get(path)
    assert len(many) == len(few) <= 3


def test_detail_query_count_and_cache_hit(api: ApiClient) -> None:
    created = api.post_json("/api/v1/merchants", PAYLOAD).json()
    api.get("/api/v1/merchants")  # first use of the key records last_used_at
    with CaptureQueriesContext(connection) as miss:
        api.get(f"/api/v1/merchants/{created['id']}")
    with CaptureQueriesContext(connection) as hit:
        api.get(f"/api/v1/merchants/{created['id']}")
    assert len(miss) == 1  # the merchant; the key comes from the process's key ring
    assert len(hit) == 0  # key ring + Redis: no PostgreSQL at all


def test_classifications_of_a_merchant_latest_first_by_confidence(api: ApiClient) -> None:
    from classifications.tests.factories import ClassificationFactory

    merchant = MerchantFactory.create(integrator=api.integrator)
    ClassificationFactory.create(business=merchant, code="5651", confidence=0.4, rank=2)
    ClassificationFactory.create(business=merchant, code="5699", confidence=0.9, rank=1)
    body = api.get(f"/api/v1/merchants/{merchant.id}/classifications").json()
    assert [c["code"] for c in body["mcc"]] == ["5699", "5651"]
    assert body["naics"] == []
