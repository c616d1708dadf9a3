"""Idempotency-Key: replay, mismatch, and exactly-once under concurrent duplicates."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from kyb.models import IdempotencyRecord
from kyb.tests.api_client import ApiClient
from merchants.models import Merchant

pytestmark = pytest.mark.django_db

BODY = {"legal_name": "Replay Ltd", "country": "DE"}


def test_same_key_same_body_replays_without_redoing_the_work(api: ApiClient) -> None:
    first = api.post_json("/api/v1/merchants", BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post_json("/api/v1/merchants", BODY, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert Merchant.objects.filter(legal_name="Replay Ltd").count() == 1


def test_same_key_different_body_is_422(api: ApiClient) -> None:
    api.post_json("/api/v1/merchants", BODY, HTTP_IDEMPOTENCY_KEY="k-2")
    response = api.post_json(
        "/api/v1/merchants", {**BODY, "legal_name": "Other"}, HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_keys_are_per_integrator(api: ApiClient, other_api: ApiClient) -> None:
    a = api.post_json("/api/v1/merchants", BODY, HTTP_IDEMPOTENCY_KEY="shared")
    b = other_api.post_json("/api/v1/merchants", BODY, HTTP_IDEMPOTENCY_KEY="shared")
    assert a.json()["id"] != b.json()["id"]


def test_failed_request_is_not_remembered(api: ApiClient) -> None:
    bad = api.post_json("/api/v1/merchants", {"country": "DE"}, HTTP_IDEMPOTENCY_KEY="k-3")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="k-3").exists()
    good = api.post_json("/api/v1/merchants", BODY, HTTP_IDEMPOTENCY_KEY="k-3")
    assert good.status_code == 201


def test_expired_key_does_the_work_again(api: ApiClient, settings: Any) -> None:
    first = api.post_json(
        "/api/v1/merchants", {**BODY, "external_id": "a"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    IdempotencyRecord.objects.filter(key="k").update(created_at="2000-01-01T00:00:00Z")
    again = api.post_json(
        "/api/v1/merchants", {**BODY, "external_id": "b"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert again.status_code == 201 and again.json()["id"] != first.json()["id"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_do_the_work_once(api_key: Any) -> None:
    plaintext = api_key[1]
    results: list[Any] = []
    barrier = threading.Barrier(8)

    def send() -> None:
        client = ApiClient(plaintext)
        barrier.wait()
        try:
            results.append(client.post_json("/api/v1/merchants", BODY, HTTP_IDEMPOTENCY_KEY="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [201] * 8
    assert len({r.json()["id"] for r in results}) == 1
    assert Merchant.objects.filter(legal_name="Replay Ltd").count() == 1
