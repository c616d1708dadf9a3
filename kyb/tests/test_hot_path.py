"""The request hot path: the key ring, the one-round-trip fast read, list rows built by
PostgreSQL, and a cache that never serves a status older than the database after an outage."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import orjson
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from kyb import cache as kcache
from kyb.api import keyring
from kyb.tenancy.models import ApiKey, Integrator
from kyb.tenancy.services import api_key_revoke
from kyb.tests.api_client import ApiClient
from merchants.tests.factories import MerchantFactory, api_key_with_secret
from verifications.models import BusinessVerification, VerificationStatus
from verifications.selectors import (
    VERIFICATION_NAMESPACE,
    verification_summary_data,
)
from verifications.services import verification_create, verification_transition
from verifications.tests.factories import BusinessVerificationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_keyring() -> None:
    keyring.keyring_clear()


def _verification(api: ApiClient, **fields: Any) -> BusinessVerification:
    merchant = MerchantFactory.create(integrator=api.integrator)
    v = BusinessVerificationFactory.create(merchant=merchant, **fields)
    kcache.cache_evict(VERIFICATION_NAMESPACE, v.id)  # the creation's tombstone
    return v


def _fast_and_slow(api: ApiClient, path: str) -> tuple[Any, Any]:
    """The same GET answered by the fast path and (with a query string that the fast path
    does not take, and the view ignores) by the DRF view."""
    fast = api.get(path)
    with mock.patch("kyb.api.fastpath._route", return_value=None):
        slow = api.get(path)
    return fast, slow


def test_fast_read_answers_exactly_what_the_view_answers(api: ApiClient) -> None:
    v = _verification(api, checks={"identifiers": {"status": "success", "evidence": {"a": 1}}})
    fast, slow = _fast_and_slow(api, f"/api/v1/verifications/{v.id}")
    assert fast.status_code == slow.status_code == 200
    assert fast.json() == slow.json()
    for header in ("Content-Type", "API-Version", "Content-Security-Policy", "X-Frame-Options"):
        assert fast[header] == slow[header], header
    assert fast["X-RateLimit-Limit"] == slow["X-RateLimit-Limit"]
    assert int(fast["X-RateLimit-Remaining"]) < int(fast["X-RateLimit-Limit"])


def test_fast_read_of_another_integrators_verification_is_the_same_404(
    api: ApiClient, other_api: ApiClient
) -> None:
    v = _verification(api)
    api.get(f"/api/v1/verifications/{v.id}")  # cached under its owner
    fast, slow = _fast_and_slow(other_api, f"/api/v1/verifications/{v.id}")
    assert fast.status_code == slow.status_code == 404
    assert fast.json() == slow.json()


def test_an_accept_the_api_cannot_serve_gets_the_views_406(api: ApiClient) -> None:
    v = _verification(api)
    api.get(f"/api/v1/verifications/{v.id}")  # cached
    plain = Client(HTTP_AUTHORIZATION=api.defaults["HTTP_AUTHORIZATION"])  # 406 is undocumented
    response = plain.get(f"/api/v1/verifications/{v.id}", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "not_acceptable"


def test_a_cached_read_makes_no_database_query(api: ApiClient) -> None:
    v = _verification(api)
    api.get(f"/api/v1/verifications/{v.id}")
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/verifications/{v.id}")
    assert response.status_code == 200
    assert len(queries) == 0


def test_fast_read_is_rate_limited_with_the_same_envelope(api: ApiClient) -> None:
    v = _verification(api)
    with override_settings(API_RATE_LIMIT=2, API_RATE_WINDOW=60):
        codes = [api.get(f"/api/v1/verifications/{v.id}") for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[-1].json()["error"]["code"] == "rate_limited"
    assert int(codes[-1]["Retry-After"]) >= 1


def test_a_key_without_read_scope_gets_the_views_403(db: None) -> None:
    key, plaintext = api_key_with_secret(scopes=["write"])
    client = ApiClient(plaintext)
    merchant = MerchantFactory.create(integrator=key.integrator)
    v = BusinessVerificationFactory.create(merchant=merchant)
    response = client.get(f"/api/v1/verifications/{v.id}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", ["/api/v1/verifications/{id}", "/api/v1/verifications"])
def test_a_revoked_key_is_refused_on_the_next_request(api_key: Any, path: str) -> None:
    key, plaintext = api_key
    client = ApiClient(plaintext)
    v = BusinessVerificationFactory.create(
        merchant=MerchantFactory.create(integrator=key.integrator)
    )
    url = path.format(id=v.id)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # now from the key ring (and the cache)
    api_key_revoke(key=key)
    response = client.get(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_revocation_by_another_process_is_seen_through_the_key_epoch(api_key: Any) -> None:
    """Another process revokes: its row update and its epoch bump are all this process sees."""
    key, plaintext = api_key
    client = ApiClient(plaintext)
    assert client.get("/api/v1/verifications").status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=key.created_at)  # no signal here
    assert client.get("/api/v1/verifications").status_code == 200  # still in the key ring
    keyring._client().incr(keyring.epoch_key())  # what the other process's commit does
    assert client.get("/api/v1/verifications").status_code == 401


def test_a_deactivated_integrator_is_refused_at_once(api_key: Any) -> None:
    key, plaintext = api_key
    client = ApiClient(plaintext)
    assert client.get("/api/v1/verifications").status_code == 200
    integrator = Integrator.objects.get(pk=key.integrator_id)
    integrator.is_active = False
    integrator.save()
    assert client.get("/api/v1/verifications").status_code == 401


def test_with_redis_down_a_key_ring_entry_is_trusted_only_briefly(api_key: Any) -> None:
    key, plaintext = api_key
    hashed, info = keyring.key_resolve(plaintext)
    assert info is not None
    assert keyring.key_confirm(hashed, info, None) is info  # just loaded: trusted
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=key.created_at)
    later = time.monotonic() + keyring.KEY_CACHE_OFFLINE_SECONDS + 0.1
    with mock.patch("kyb.api.keyring.time.monotonic", return_value=later):
        assert keyring.key_confirm(hashed, info, None) is None  # reloaded: revoked


def test_list_rows_built_by_postgres_equal_the_python_representation(api: ApiClient) -> None:
    v = _verification(
        api,
        checks={
            "identifiers": {"status": "success", "evidence": {"x": [1, 2]}},
            "sanctions": {"status": "failure", "evidence": {}},
        },
        risk_score=42,
        risk_reasons=[{"code": "sanctions_hit", "points": 40}],
    )
    verification_transition(verification_id=v.id, to_status=VerificationStatus.PROCESSING)
    verification_transition(
        verification_id=v.id, to_status=VerificationStatus.IN_REVIEW, reason="needs a look"
    )
    BusinessVerification.objects.filter(pk=v.id).update(
        information_requested="a utility bill", information_requested_at=v.created_at
    )
    _verification(api)  # pending: no decision, no timestamps
    for code, public in (("verified", ""), ("other", "We could not confirm the address.")):
        by_analyst = _verification(api, status=VerificationStatus.IN_REVIEW)
        verification_transition(
            verification_id=by_analyst.id,
            to_status=VerificationStatus.APPROVED,
            actor="alice",
            reason="internal rationale, never shown",
            fields={"decision_code": code, "decision_public_reason": public},
        )
    rows = api.get("/api/v1/verifications").json()["data"]
    assert "alice" not in str(rows) and "internal rationale" not in str(rows)
    expected = {
        str(row.id): verification_summary_data(row)
        for row in BusinessVerification.objects.filter(integrator=api.integrator)
    }
    assert {row["id"]: row for row in rows} == expected
    assert rows[-1]["check_statuses"] == {"identifiers": "success", "sanctions": "failure"}
    assert {r["decision"]["reason"] for r in rows if r["decision"]} >= {
        "Business verified",
        "We could not confirm the address.",
    }
    assert "checks" not in rows[0]


def test_expand_checks_adds_the_evidence_to_each_row(api: ApiClient) -> None:
    checks = {"identifiers": {"status": "success", "evidence": {"x": 1}}}
    v = _verification(api, checks=checks)
    row = api.get("/api/v1/verifications?expand=checks").json()["data"][0]
    assert row["id"] == str(v.id)
    assert row["checks"] == checks
    assert api.get("/api/v1/verifications?expand=nope").status_code == 400


def test_a_decision_committed_while_redis_is_down_is_visible_after_it_returns(
    api: ApiClient,
) -> None:
    """The cached ``processing`` must not come back when Redis does: the failed invalidation
    bumps the cache epoch as soon as Redis answers again."""
    merchant = MerchantFactory.create(integrator=api.integrator)
    v = verification_create(merchant=merchant)
    verification_transition(verification_id=v.id, to_status=VerificationStatus.PROCESSING)
    kcache.cache_evict(VERIFICATION_NAMESPACE, v.id)  # drop the tombstone: cache the row now
    assert api.get(f"/api/v1/verifications/{v.id}").json()["status"] == "processing"

    real = kcache._registered
    down = mock.patch.object(kcache, "_registered", side_effect=ConnectionError("redis down"))
    with down, mock.patch.object(kcache, "redis_client", side_effect=ConnectionError("down")):
        verification_transition(
            verification_id=v.id, to_status=VerificationStatus.APPROVED, reason="ok"
        )
    assert kcache._registered is real
    deadline = time.monotonic() + 10
    while kcache._bump_thread is not None and kcache._bump_thread.is_alive():
        assert time.monotonic() < deadline, "the epoch bump never happened"
        time.sleep(0.05)
    assert api.get(f"/api/v1/verifications/{v.id}").json()["status"] == "approved"


def test_cached_entries_are_final_bytes_not_pickles(api: ApiClient) -> None:
    v = _verification(api)
    api.get(f"/api/v1/verifications/{v.id}")
    _epoch, raw = kcache.cache_read(VERIFICATION_NAMESPACE, v.id)
    assert raw is not None and raw[:1] == kcache.VALUE
    owner, _, body = raw[1:].partition(b"\n")
    assert owner.decode() == str(api.integrator.id)
    assert orjson.loads(body)["id"] == str(v.id)


def test_a_list_query_is_validated_once_per_distinct_query_string(api: ApiClient) -> None:
    from kyb.api import serializers as api_serializers
    from verifications.serializers import VerificationListQuerySerializer

    api_serializers._validated.cache_clear()
    built: list[dict[str, Any]] = []
    original = VerificationListQuerySerializer.__init__

    def counting(self: Any, *args: Any, **kwargs: Any) -> None:
        if "data" in kwargs:  # not the schema's own instances
            built.append(kwargs["data"])
        original(self, *args, **kwargs)

    with mock.patch.object(VerificationListQuerySerializer, "__init__", counting):
        assert api.get("/api/v1/verifications?limit=5&status=approved").status_code == 200
        assert api.get("/api/v1/verifications?status=approved&limit=5").status_code == 200
        for _ in range(2):  # an invalid query is refused every time, never remembered
            bad = api.get("/api/v1/verifications?limit=0")
            assert bad.status_code == 400
            assert "limit" in bad.json()["error"]["fields"]
    assert built == [{"limit": "5", "status": "approved"}, {"limit": "0"}, {"limit": "0"}]
