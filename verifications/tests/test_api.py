"""/api/v1/verifications: 202 + Location, inline merchants, filters, pagination, Prefer: wait."""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from kyb.api.pagination import CreatedCursorPagination
from kyb.tests.api_client import ApiClient
from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory
from verifications.models import BusinessVerification, PipelineJob
from verifications.selectors import verification_list, verification_summaries
from verifications.services import verification_transition
from verifications.tests.factories import BusinessVerificationFactory

pytestmark = pytest.mark.django_db


def _merchant(api: ApiClient) -> Merchant:
    return MerchantFactory.create(integrator=api.integrator)


def test_create_for_existing_merchant_is_202_pending_with_location(api: ApiClient) -> None:
    merchant = _merchant(api)
    response = api.post_json("/api/v1/verifications", {"merchant_id": str(merchant.id)})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["decision"] is None
    assert response["Location"] == f"/api/v1/verifications/{body['id']}"
    assert PipelineJob.objects.filter(subject_id=body["id"], status="queued").exists()
    assert api.get(response["Location"]).json()["id"] == body["id"]


def test_create_with_inline_merchant_creates_both(api: ApiClient) -> None:
    response = api.post_json(
        "/api/v1/verifications", {"merchant": {"legal_name": "Inline GmbH", "country": "DE"}}
    )
    assert response.status_code == 202
    merchant = Merchant.objects.get(legal_name="Inline GmbH")
    assert merchant.integrator == api.integrator
    assert str(merchant.verification_id) == response.json()["id"]


def test_invalid_inline_merchant_reports_nested_fields(api: ApiClient) -> None:
    response = api.post_json("/api/v1/verifications", {"merchant": {"country": "QQ"}})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]["merchant"]) == {"legal_name", "country"}
    assert not BusinessVerification.objects.exists()


def test_another_integrators_verification_is_404(api: ApiClient, other_api: ApiClient) -> None:
    merchant = _merchant(api)
    vid = api.post_json("/api/v1/verifications", {"merchant_id": str(merchant.id)}).json()["id"]
    assert other_api.get(f"/api/v1/verifications/{vid}").status_code == 404
    assert other_api.get("/api/v1/verifications").json()["data"] == []
    response = other_api.post_json("/api/v1/verifications", {"merchant_id": str(merchant.id)})
    assert response.status_code == 404


def test_list_filters_by_status_merchant_and_created_range(api: ApiClient) -> None:
    merchant = _merchant(api)
    pending = BusinessVerificationFactory.create(merchant=merchant)
    approved = BusinessVerificationFactory.create(merchant=merchant, status="approved")
    other = BusinessVerificationFactory.create(merchant=_merchant(api))

    def ids(**params: str) -> list[str]:
        return [v["id"] for v in api.get("/api/v1/verifications", params).json()["data"]]

    assert ids(status="approved") == [str(approved.id)]
    assert set(ids(merchant_id=str(merchant.id))) == {str(pending.id), str(approved.id)}
    assert ids(created_after=other.created_at.isoformat()) == [str(other.id)]
    assert str(other.id) not in ids(created_before=other.created_at.isoformat())


def test_list_pages_with_a_stable_cursor(api: ApiClient) -> None:
    merchant = _merchant(api)
    made = [BusinessVerificationFactory.create(merchant=merchant) for _ in range(5)]
    seen: list[str] = []
    url: str | None = "/api/v1/verifications?limit=2"
    while url:
        page = api.get(url).json()
        seen += [v["id"] for v in page["data"]]
        url = page["next"]
    assert seen == [str(v.id) for v in reversed(made)]


def test_list_pages_as_drf_would_over_the_orm_forwards_backwards_and_through_ties(
    api: ApiClient,
) -> None:
    """The list's fixed SQL (``VerificationSummaries``) under DRF's cursor pagination gives the
    pages and links the ORM queryset gave: every cursor reachable by ``next`` and ``previous``,
    with rows that share a ``created_at`` (the cursor's offsets)."""
    merchant = _merchant(api)
    made = [BusinessVerificationFactory.create(merchant=merchant) for _ in range(7)]
    tie = made[2].created_at
    BusinessVerification.objects.filter(pk__in=[v.pk for v in made[2:5]]).update(created_at=tie)
    BusinessVerificationFactory.create(merchant=merchant, livemode=False)  # the other mode
    orm = verification_list(integrator=api.integrator).values("id", "created_at")
    factory = APIRequestFactory()
    todo: list[dict[str, str]] = [{"limit": "2"}, {"limit": "3"}]
    seen: set[str] = set()
    while todo:
        params = todo.pop()
        request = Request(factory.get("/api/v1/verifications", params))
        fixed, drf = CreatedCursorPagination(), CreatedCursorPagination()
        summaries: Any = verification_summaries(integrator=api.integrator)
        rows: Any = fixed.paginate_queryset(summaries, request)
        expected: Any = drf.paginate_queryset(orm, request)
        assert [r["id"] for r in rows or []] == [r["id"] for r in expected or []], params
        assert [str(r["created_at"]) for r in rows or []] == [
            str(r["created_at"]) for r in expected or []
        ]
        links = (fixed.get_next_link(), fixed.get_previous_link())
        assert links == (drf.get_next_link(), drf.get_previous_link()), params
        for link in links:
            if link and link not in seen:
                seen.add(link)
                todo.append({k: v[0] for k, v in parse_qs(urlsplit(link).query).items()})
    assert len(seen) >= 6  # forwards and backwards over 7 rows in pages of 2 and 3


def test_list_query_count_is_constant(api: ApiClient) -> None:
    merchant = _merchant(api)
    BusinessVerificationFactory.create(merchant=merchant)
    api.get("/api/v1/verifications")
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/verifications")
    BusinessVerificationFactory.create_batch(10, merchant=merchant)
    with CaptureQueriesContext(connection) as many:
        api.get("/api/v1/verifications")
    assert len(many) == len(few) <= 2


def test_detail_is_served_from_cache_on_second_read(api: ApiClient) -> None:
    v = BusinessVerificationFactory.create(merchant=_merchant(api))
    api.get("/api/v1/verifications")
    with CaptureQueriesContext(connection) as miss:
        api.get(f"/api/v1/verifications/{v.id}")
    with CaptureQueriesContext(connection) as hit:
        api.get(f"/api/v1/verifications/{v.id}")
    # The key comes from the process's key ring, the row from one fixed SQL statement, a hit
    # from Redis alone (the fast read path, kyb.api.fastpath).
    assert (len(miss), len(hit)) == (1, 0)


def test_prefer_wait_times_out_into_a_normal_202(api: ApiClient) -> None:
    merchant = _merchant(api)
    started = time.monotonic()
    response = api.post_json(
        "/api/v1/verifications", {"merchant_id": str(merchant.id)}, HTTP_PREFER="wait=1"
    )
    assert response.status_code == 202
    assert time.monotonic() - started >= 1.0


def test_prefer_wait_never_takes_the_last_thread(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by a QA pass: four POSTs waiting held every gunicorn thread, and another
    integrator's GET waited 28 s. Past PREFER_WAIT_MAX_WAITERS a request is answered at once."""
    from verifications import api as verification_api

    def no_sleep(seconds: float) -> None:
        raise AssertionError("waited")

    merchant = _merchant(api)
    body = {"merchant_id": str(merchant.id)}
    slots = verification_api.waiter_slots()
    assert slots is not None and slots.acquire(blocking=False)  # another request waits
    try:
        monkeypatch.setattr("verifications.api.time.sleep", no_sleep)
        response = api.post_json("/api/v1/verifications", body, HTTP_PREFER="wait=5")
    finally:
        slots.release()
    assert response.status_code == 202 and not response.has_header("Preference-Applied")
    with override_settings(PREFER_WAIT_MAX_WAITERS=0):  # 0: Prefer: wait is ignored
        response = api.post_json("/api/v1/verifications", body, HTTP_PREFER="wait=5")
    assert response.status_code == 202


@pytest.mark.django_db(transaction=True)
def test_prefer_wait_returns_the_decision_when_it_lands_in_time(api_key: Any) -> None:
    client = ApiClient(api_key[1])
    merchant = MerchantFactory.create(integrator=api_key[0].integrator)

    def worker() -> None:  # stands in for the pipeline: the real service moves the run on
        for _ in range(50):
            v = BusinessVerification.objects.filter(merchant=merchant).first()
            if v:
                verification_transition(verification_id=v.id, to_status="processing")
                verification_transition(verification_id=v.id, to_status="approved", reason="ok")
                break
            time.sleep(0.05)
        connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    body = {"merchant_id": str(merchant.id)}
    response = client.post_json(
        "/api/v1/verifications", body, HTTP_PREFER="wait=10", HTTP_IDEMPOTENCY_KEY="w-1"
    )
    thread.join()
    assert response.status_code == 200
    assert response["Preference-Applied"] == "wait=10"
    assert response.json()["status"] == "approved"
    assert response.json()["decision"]["reason"] == "ok"
    assert not response.has_header("Idempotent-Replayed")
    # A replay waiting too answers the current state and says it is a replay (found by a QA
    # pass: the header was missing); one without Prefer replays the recorded acceptance.
    replay = client.post_json(
        "/api/v1/verifications", body, HTTP_PREFER="wait=5", HTTP_IDEMPOTENCY_KEY="w-1"
    )
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == response.json()["id"]
    assert replay.json()["status"] == "approved"
    plain = client.post_json("/api/v1/verifications", body, HTTP_IDEMPOTENCY_KEY="w-1")
    assert plain.status_code == 202 and plain["Idempotent-Replayed"] == "true"
    assert plain.json()["id"] == response.json()["id"]
    assert BusinessVerification.objects.filter(merchant=merchant).count() == 1


def test_replayed_create_returns_the_same_verification(api: ApiClient) -> None:
    merchant = _merchant(api)
    body = {"merchant_id": str(merchant.id)}
    first = api.post_json("/api/v1/verifications", body, HTTP_IDEMPOTENCY_KEY="v-1")
    second = api.post_json("/api/v1/verifications", body, HTTP_IDEMPOTENCY_KEY="v-1")
    assert second.status_code == 202 and second.json() == first.json()
    assert BusinessVerification.objects.filter(merchant=merchant).count() == 1


def test_prefer_is_read_case_insensitively() -> None:
    """RFC 7240: preference names are case-insensitive (a QA pass's WAIT=1 was ignored)."""
    from types import SimpleNamespace

    from verifications.api import prefer_wait_seconds

    for header, seconds in [("wait=3", 3), ("WAIT=3", 3), ("respond-async, Wait=40", 30), ("", 0)]:
        request: Any = SimpleNamespace(headers={"Prefer": header})
        assert prefer_wait_seconds(request) == seconds, header
