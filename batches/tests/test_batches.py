"""Batch submission end to end: the API (schema-checked), the real task code (``.apply()``),
the real pipeline deciding each item, the webhook outbox, the internal task and the console."""

from __future__ import annotations

import base64
import io
import threading
from typing import Any

import orjson
import pytest
from django.db import connection
from django.test import Client

from batches import tasks
from batches.models import BatchItem, ItemState, VerificationBatch
from batches.services import batch_fan_out
from kyb.crypto import encrypt
from kyb.tests.api_client import ApiClient
from kyb.wsgi_body import CompleteBodyMiddleware
from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory, api_key_with_secret
from verifications import tasks as verification_tasks
from verifications.models import BusinessVerification, JobKind, PipelineJob
from webhooks.models import WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db
BATCHES = "/api/v1/verification-batches"
DECIDED = {"approved", "in_review", "rejected", "error"}


@pytest.fixture(autouse=True)
def offline(settings: Any) -> Any:
    """The pipeline runs every check it can without the network."""
    settings.WEBSITE_CHECK_ENABLED = False
    settings.REGISTRY_ADAPTERS = ["local"]
    settings.BATCH_CHUNK_SIZE = 10
    return settings


def _item(i: int, **fields: Any) -> dict[str, Any]:
    merchant = {
        "external_id": f"m-{i}",
        "legal_name": f"Corner Shop {i} Ltd",
        "country": "GB",
        "description": "Independent coffee shop and bakery",
        "tax_id": f"GB99887766{i:02d}",
        **fields,
    }
    return {"merchant": merchant}


# Five ways an item can be wrong; each is reported at its index, the rest are accepted.
INVALID = {
    3: {"merchant": {"external_id": "bad-3", "country": "GB"}},  # no legal_name
    7: {"merchant": {"legal_name": "Nowhere Ltd", "country": "XX"}},  # not a country
    11: "not an object",
    19: {"merchant": {"legal_name": "Typo Ltd", "country": "GB"}, "colour": "blue"},
    23: _item(2),  # the same external_id as item 2
}


def _items(count: int, invalid: dict[int, Any] | None = None) -> list[Any]:
    invalid = INVALID if invalid is None else invalid
    return [invalid.get(i, _item(i)) for i in range(count)]


def _accept(api: ApiClient, items: Any, **extra: Any) -> dict[str, Any]:
    response = api.post_json(BATCHES, items, **extra)
    assert response.status_code == 202, response.json()
    return dict(response.json())


def _materialize_all(batch_id: str, size: int = 10) -> None:
    total = VerificationBatch.objects.get(pk=batch_id).total
    for start in range(0, total, size):
        tasks.materialize.apply(kwargs={"batch_id": batch_id, "start": start, "stop": start + size})


def _decide_all(batch_id: str) -> None:
    """What the bulk workers do: the real run task for every verification of the batch."""
    ids = BatchItem.objects.filter(batch__pk=batch_id).exclude(verification=None)
    for verification_id in ids.values_list("verification_id", flat=True):
        verification_tasks.run.apply(kwargs={"verification_id": str(verification_id)})


def _endpoint(integrator: Any) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        integrator=integrator,
        url="https://hooks.example.com/kyb",
        secret_encrypted=encrypt("whsec_test"),
        event_types=["batch.completed"],
    )


def test_a_batch_of_50_reports_each_invalid_item_and_accepts_the_rest(api: ApiClient) -> None:
    body = _accept(api, _items(50))
    assert body["status"] == "processing" and body["total"] == 50
    assert [e["index"] for e in body["errors"]] == [3, 7, 11, 19, 23]
    errors = {e["index"]: e["error"] for e in body["errors"]}
    assert (
        errors[3]["code"] == "validation_error" and "legal_name" in errors[3]["fields"]["merchant"]
    )
    assert "country" in errors[7]["fields"]["merchant"]
    assert errors[19]["fields"] == {"colour": ["Unknown field."]}
    assert errors[23] == {"code": "merchant_exists", "message": "Item 2 has the same external_id."}
    assert body["counts"]["pending"] == 45 and body["counts"]["invalid"] == 5
    assert body["errors_truncated"] is False
    batch = VerificationBatch.objects.get(pk=body["id"])
    assert batch.items.filter(state=ItemState.ACCEPTED).count() == 45
    # Accepting stores the items; merchants and verifications come from the bulk queue.
    assert not Merchant.objects.filter(integrator=api.integrator).exists()
    # The tax id is stored encrypted until the merchant exists, never in clear.
    stored = orjson.dumps(list(batch.items.values_list("payload", flat=True))).decode()
    assert "GB9988776600" not in stored and "tax_id_encrypted" in stored


def test_acceptance_sends_the_fan_out_on_commit(
    api: ApiClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        _accept(api, _items(12, invalid={}))
    assert len(callbacks) == 1
    batch = VerificationBatch.objects.get()
    # Two chunks of 10 hold accepted items; once materialised, nothing is left to send.
    assert batch_fan_out(batch_id=batch.id) == 2
    _materialize_all(str(batch.id))
    assert batch_fan_out(batch_id=batch.id) == 0


def test_replay_with_the_same_key_returns_the_same_batch(api: ApiClient) -> None:
    items = _items(20)
    first = api.post_json(BATCHES, items, HTTP_IDEMPOTENCY_KEY="b-1")
    second = api.post_json(BATCHES, items, HTTP_IDEMPOTENCY_KEY="b-1")
    assert second.status_code == 202 and second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json() and second["Location"] == first["Location"]
    assert VerificationBatch.objects.count() == 1
    other = api.post_json(BATCHES, items[:5], HTTP_IDEMPOTENCY_KEY="b-1")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_another_integrators_batch_is_404(api: ApiClient, other_api: ApiClient) -> None:
    body = _accept(api, _items(5, invalid={}))
    for path in (f"{BATCHES}/{body['id']}", f"{BATCHES}/{body['id']}/items"):
        response = other_api.get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        assert api.get(path).status_code == 200


def test_scopes_write_to_create_read_to_get(api: ApiClient) -> None:
    body = _accept(api, _items(2, invalid={}))
    read_key = api_key_with_secret(integrator=api.integrator, scopes=["read"])[1]
    write_key = api_key_with_secret(integrator=api.integrator, scopes=["write"])[1]
    assert ApiClient(read_key).post_json(BATCHES, _items(1)).status_code == 403
    assert ApiClient(write_key).get(f"{BATCHES}/{body['id']}").status_code == 403
    assert ApiClient(read_key).get(f"{BATCHES}/{body['id']}").status_code == 200


def test_every_item_is_decided_once_and_batch_completed_fires_once(api: ApiClient) -> None:
    _endpoint(api.integrator)
    body = _accept(api, _items(30, invalid={4: INVALID[3], 17: INVALID[7]}))
    batch_id = body["id"]
    # The first chunk's task delivered twice (a retry, or a worker lost after commit).
    tasks.materialize.apply(kwargs={"batch_id": batch_id, "start": 0, "stop": 10})
    tasks.materialize.apply(kwargs={"batch_id": batch_id, "start": 0, "stop": 10})
    _materialize_all(batch_id)
    _materialize_all(batch_id)
    verifications = BusinessVerification.objects.filter(integrator=api.integrator)
    assert verifications.count() == 28 and set(verifications.values_list("source", flat=True)) == {
        "batch"
    }
    jobs = PipelineJob.objects.filter(kind=JobKind.VERIFICATION)
    assert set(jobs.values_list("queue", flat=True)) == {"bulk"} and jobs.count() == 28
    progress = api.get(f"{BATCHES}/{batch_id}").json()
    assert progress["counts"]["pending"] == 28 and progress["counts"]["invalid"] == 2
    assert progress["decided"] == 2 and progress["status"] == "processing"
    # Payloads (personal data) are gone once the merchant exists.
    assert not BatchItem.objects.filter(batch_id=batch_id).exclude(payload={}).exists()

    _decide_all(batch_id)
    _decide_all(batch_id)  # duplicate deliveries of every run change nothing
    done = api.get(f"{BATCHES}/{batch_id}").json()
    assert done["status"] == "completed" and done["completed_at"] and done["decided"] == 30
    counts = done["counts"]
    assert counts["pending"] == counts["processing"] == 0 and counts["invalid"] == 2
    assert sum(counts[s] for s in DECIDED) == 28
    assert BatchItem.objects.filter(batch_id=batch_id, decided_at=None).count() == 2  # invalid
    events = WebhookEvent.objects.filter(type="batch.completed")
    assert events.count() == 1
    sent = orjson.loads(events.get().body)["data"]
    assert sent["id"] == batch_id and sent["status"] == "completed" and sent["decided"] == 30


def test_a_review_outcome_after_in_review_does_not_count_again(api: ApiClient) -> None:
    from verifications.services import verification_transition

    _endpoint(api.integrator)
    batch_id = _accept(api, _items(2, invalid={}))["id"]
    _materialize_all(batch_id)
    first, second = BatchItem.objects.filter(batch_id=batch_id).order_by("index")
    for item, outcome in ((first, "in_review"), (second, "rejected")):
        verification_transition(verification_id=str(item.verification_id), to_status="processing")
        verification_transition(verification_id=str(item.verification_id), to_status=outcome)
    verification_transition(verification_id=str(first.verification_id), to_status="approved")
    batch = VerificationBatch.objects.get(pk=batch_id)
    assert batch.decided_count == 2 and batch.completed_at is not None
    assert WebhookEvent.objects.filter(type="batch.completed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_one_chunk_create_each_verification_once(api_key: Any) -> None:
    api = ApiClient(api_key[1])
    batch_id = _accept(api, _items(10, invalid={}))["id"]
    barrier = threading.Barrier(2)
    created: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            created.append(tasks.materialize.apply(args=(batch_id, 0, 10)).get())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [0, 10]
    assert BusinessVerification.objects.filter(source="batch").count() == 10


def test_a_conflict_that_arose_after_acceptance_makes_the_item_invalid(api: ApiClient) -> None:
    batch_id = _accept(api, _items(3, invalid={}))["id"]
    MerchantFactory.create(integrator=api.integrator, external_id="m-1")
    _materialize_all(batch_id)
    items = api.get(f"{BATCHES}/{batch_id}/items?status=invalid").json()["data"]
    assert [(i["index"], i["error"]["code"]) for i in items] == [(1, "merchant_exists")]
    _decide_all(batch_id)
    assert api.get(f"{BATCHES}/{batch_id}").json()["status"] == "completed"


def test_items_of_existing_merchants_are_checked_per_tenant(
    api: ApiClient, other_api: ApiClient
) -> None:
    mine = MerchantFactory.create(integrator=api.integrator, external_id="mine")
    theirs = MerchantFactory.create(integrator=other_api.integrator)
    body = _accept(api, [{"merchant_id": str(mine.id)}, {"merchant_id": str(theirs.id)}])
    assert body["errors"] == [
        {"index": 1, "error": {"code": "not_found", "message": "Merchant not found."}}
    ]
    _materialize_all(body["id"])
    mine.refresh_from_db()
    item = BatchItem.objects.get(batch_id=body["id"], index=0)
    assert item.external_id == "mine" and mine.verification_id == item.verification_id


def test_the_items_list_pages_with_a_cursor_and_shows_no_personal_data(api: ApiClient) -> None:
    batch_id = _accept(api, _items(25))["id"]
    _materialize_all(batch_id)
    seen: list[dict[str, Any]] = []
    url: str | None = f"{BATCHES}/{batch_id}/items?limit=10"
    while url:
        page = api.get(url).json()
        seen += page["data"]
        url = page["next"]
    assert [i["index"] for i in seen] == list(range(25))
    assert {i["status"] for i in seen} == {"pending", "invalid"}
    assert seen[0]["external_id"] == "m-0" and seen[0]["verification_id"]
    assert seen[3]["verification_id"] is None and seen[3]["error"]["code"] == "validation_error"
    assert "Corner Shop" not in str(seen) and "GB99887766" not in str(seen)
    assert api.get(f"{BATCHES}/{batch_id}/items?cursor=bogus").status_code == 404
    # An index past the integer column (a 500 before 2026-12-03's QA pass).
    huge = base64.b64encode(b"p=99999999999999999999").decode()
    assert api.get(f"{BATCHES}/{batch_id}/items?cursor={huge}").status_code == 404


def test_a_batch_with_every_item_invalid_is_422_and_stores_nothing(api: ApiClient) -> None:
    response = api.post_json(BATCHES, [INVALID[3], INVALID[7]])
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "batch_invalid"
    assert [i["index"] for i in error["items"]] == [0, 1]
    assert not VerificationBatch.objects.exists()


def test_the_items_object_form_and_json_lines_are_accepted(api: ApiClient) -> None:
    assert _accept(api, {"items": _items(3, invalid={})})["total"] == 3
    lines = b"\n".join(orjson.dumps(_item(i + 10)) for i in range(4)) + b"\n\n"
    for media_type in ("application/x-ndjson", "application/jsonl"):
        response = api.post(BATCHES, lines, content_type=media_type)
        assert response.status_code == 202, response.json()
        assert response.json()["total"] == 4
        lines = lines.replace(b'"m-1', b'"n-1')  # new external_ids for the second format
    broken = api.post(BATCHES, b'{"merchant_id": 1}\n{oops', content_type="application/x-ndjson")
    assert broken.status_code == 400 and "line 2" in broken.json()["error"]["message"]


def test_10000_items_are_accepted_in_one_request_with_per_item_errors(api: ApiClient) -> None:
    items: list[Any] = [
        {"merchant": {"legal_name": f"S{i}", "country": "GB"}} for i in range(10_000)
    ]
    items[9_999] = {"merchant": {"country": "GB"}}
    body = _accept(api, items)
    assert body["total"] == 10_000 and body["counts"]["pending"] == 9_999
    assert body["errors"][0]["index"] == 9_999
    assert BatchItem.objects.filter(batch_id=body["id"]).count() == 10_000


def test_10001_items_are_refused_with_a_clear_error(api: ApiClient) -> None:
    response = api.post_json(BATCHES, [{"merchant_id": "x"}] * 10_001)
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "batch_too_large",
        "message": "A batch holds at most 10000 items; this one has 10001. Split it.",
    }
    assert api.post_json(BATCHES, []).json()["error"]["code"] == "validation_error"
    assert api.post_json(BATCHES, {"merchant": {}}).status_code == 400


def test_the_batch_route_has_its_own_body_limit(api: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    settings.API_BATCH_MAX_BODY_BYTES = 8192
    items = _items(20, invalid={})  # ~4 KiB: over the general limit, under the batch one
    assert len(orjson.dumps(items)) > 2048
    assert api.post_json(BATCHES, items).status_code == 202
    too_big = api.post_json("/api/v1/verifications", {"merchant": {"description": "x" * 3000}})
    assert too_big.status_code == 413
    over = api.post_json(BATCHES, _items(60, invalid={}))
    assert over.status_code == 413 and over.json()["error"]["code"] == "payload_too_large"


def test_the_wsgi_body_wrapper_reads_a_chunked_batch_up_to_the_batch_limit(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.API_BATCH_MAX_BODY_BYTES = 1000
    seen: list[int] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(int(environ["CONTENT_LENGTH"]))
        start_response("202 Accepted", [])
        return [b""]

    def call(path: str, size: int) -> str:
        statuses: list[str] = []
        environ = {
            "PATH_INFO": path,
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input": io.BytesIO(b"x" * size),
        }
        CompleteBodyMiddleware(app)(environ, lambda status, headers: statuses.append(status))
        return statuses[0]

    assert call(BATCHES, 500).startswith("202") and seen == [500]
    assert call(BATCHES, 1001).startswith("413")
    assert call("/api/v1/verifications", 500).startswith("413")


def test_the_wsgi_body_wrapper_refuses_a_declared_body_over_the_limit(settings: Any) -> None:
    """Found by a QA pass: Django's 413 left the connection open with the unread body on it,
    and the client's next request on it failed. The wrapper answers and closes it."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    called: list[bool] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        called.append(True)
        start_response("201 Created", [])
        return [b""]

    answers: list[tuple[str, list[tuple[str, str]]]] = []
    environ = {
        "PATH_INFO": "/api/v1/merchants",
        "CONTENT_LENGTH": "101",
        "wsgi.input": io.BytesIO(),
    }
    body = CompleteBodyMiddleware(app)(environ, lambda s, h: answers.append((s, h)))
    status, headers = answers[0]
    assert status.startswith("413") and ("Connection", "close") in headers and not called
    assert b"payload_too_large" in b"".join(body)
    environ = {
        "PATH_INFO": "/api/v1/merchants",
        "CONTENT_LENGTH": "5",
        "wsgi.input": io.BytesIO(b"{}xxx"),
    }
    CompleteBodyMiddleware(app)(environ, lambda s, h: answers.append((s, h)))
    assert called == [True]


def test_the_internal_task_submits_a_batch_idempotently(integrator: Any) -> None:
    items = _items(6, invalid={2: INVALID[3]})
    kwargs = {"items": items, "integrator": integrator.name, "idempotency_key": "k-1"}
    first = tasks.submit.apply(kwargs=kwargs).get()
    again = tasks.submit.apply(kwargs=kwargs).get()
    assert first == again and [e["index"] for e in first["invalid"]] == [2]
    batch = VerificationBatch.objects.get(pk=first["batch_id"])
    assert batch.source == "internal" and batch.total == 6
    _materialize_all(first["batch_id"])
    _decide_all(first["batch_id"])
    batch.refresh_from_db()
    assert batch.completed_at is not None
    reused = tasks.submit.apply(kwargs={**kwargs, "items": items[:3]})
    assert reused.failed() and "different payload" in str(reused.result)
    invalid = tasks.submit.apply(kwargs={**kwargs, "items": [INVALID[3]], "idempotency_key": "k2"})
    assert invalid.failed() and "every item is invalid" in str(invalid.result)


def test_the_console_lists_batches_with_progress(api: ApiClient, root: Client) -> None:
    batch_id = _accept(api, _items(12, invalid={5: INVALID[3]}))["id"]
    _materialize_all(batch_id)
    listing = root.get("/admin/batches/verificationbatch/")
    assert listing.status_code == 200
    assert batch_id in listing.content.decode() and "1 / 12 (8%)" in listing.content.decode()
    detail = root.get(f"/admin/batches/verificationbatch/{batch_id}/change/")
    page = detail.content.decode()
    assert detail.status_code == 200
    assert "pending: 11" in page and "invalid: 1" in page and "processing" in page
    assert root.get("/admin/batches/verificationbatch/add/").status_code == 403
    found = root.get(f"/admin/batches/verificationbatch/?q={batch_id}").content.decode()
    assert batch_id in found
    assert batch_id not in root.get("/admin/batches/verificationbatch/?q=nope").content.decode()


def test_the_items_list_and_progress_take_constant_queries(api: ApiClient) -> None:
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    def queries(path: str) -> int:
        with CaptureQueriesContext(conn) as captured:
            assert api.get(path).status_code == 200
        return len(captured)

    small = _accept(api, _items(3, invalid={}))["id"]
    large = _accept(api, [_item(i + 100) for i in range(40)])["id"]
    _materialize_all(small)
    _materialize_all(large)
    for suffix in ("", "/items?limit=100"):
        assert queries(f"{BATCHES}/{small}{suffix}") == queries(f"{BATCHES}/{large}{suffix}")
    one = queries(f"{BATCHES}?limit=1")
    assert queries(f"{BATCHES}?limit=50") == one


def test_the_sweeper_resends_the_fan_out_of_a_stalled_batch_once_per_period(
    api: ApiClient, settings: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from batches.services import batch_sweep

    stalled = _accept(api, _items(3, invalid={}))["id"]
    moving = _accept(api, [_item(i + 10) for i in range(3)])["id"]
    done = _accept(api, [_item(i + 20) for i in range(3)])["id"]
    _materialize_all(done)
    long_ago = timezone.now() - timedelta(seconds=settings.BATCH_SWEEP_AFTER + 1)
    VerificationBatch.objects.filter(pk__in=[stalled, done]).update(updated_at=long_ago)
    assert batch_sweep() == 1  # not the recent one, not the one with nothing left to create
    assert VerificationBatch.objects.get(pk=stalled).updated_at > long_ago
    assert batch_sweep() == 0  # touched: it waits another period
    assert VerificationBatch.objects.get(pk=moving).updated_at > long_ago


def test_the_batch_list_pages_newest_first_within_the_tenant(
    api: ApiClient, other_api: ApiClient
) -> None:
    ids = [_accept(api, [_item(10 * n + i) for i in range(2)])["id"] for n in range(3)]
    _accept(other_api, _items(2, invalid={}))
    first = api.get(f"{BATCHES}?limit=2").json()
    second = api.get(first["next"]).json()
    rows = first["data"] + second["data"]
    assert [r["id"] for r in rows] == ids[::-1] and second["next"] is None
    assert rows[0]["total"] == 2 and rows[0]["status"] == "processing" and "counts" not in rows[0]


def test_the_console_list_query_count_does_not_grow_with_batches(
    api: ApiClient, root: Client
) -> None:
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(conn) as captured:
            assert root.get("/admin/batches/verificationbatch/").status_code == 200
        return len(captured)

    _accept(api, _items(2, invalid={}))
    few = queries()
    for n in range(4):
        _accept(api, [_item(10 * (n + 1) + i) for i in range(2)])
    assert queries() == few


def test_a_sandbox_batch_stays_in_the_sandbox(api: ApiClient) -> None:
    """A batch submitted with a sandbox key makes sandbox merchants and runs, is invisible to
    the integrator's live key, and names live merchants as not found (docs/sandbox.md)."""
    _, plaintext = api_key_with_secret(integrator=api.integrator, livemode=False)
    sandbox = ApiClient(plaintext)
    live_merchant = MerchantFactory.create(integrator=api.integrator, external_id="live-1")
    body = _accept(
        sandbox, [_item(0), _item(1, external_id="live-1"), {"merchant_id": str(live_merchant.id)}]
    )
    assert body["livemode"] is False
    # The sandbox has no merchant "live-1" yet, and the live merchant does not exist there.
    assert body["errors"] == [
        {"index": 2, "error": {"code": "not_found", "message": "Merchant not found."}}
    ]
    _materialize_all(body["id"])
    made = Merchant.objects.filter(integrator=api.integrator, livemode=False)
    assert sorted(made.values_list("external_id", flat=True)) == ["live-1", "m-0"]
    runs = BusinessVerification.objects.filter(merchant__in=made)
    assert runs.count() == 2 and not runs.filter(livemode=True).exists()
    for path in (f"{BATCHES}/{body['id']}", f"{BATCHES}/{body['id']}/items"):
        assert api.get(path).status_code == 404
        assert sandbox.get(path).status_code == 200
    assert api.get(BATCHES).json()["data"] == []
    assert [b["id"] for b in sandbox.get(BATCHES).json()["data"]] == [body["id"]]


def test_an_item_with_a_value_of_the_wrong_json_type_is_invalid(api: ApiClient) -> None:
    """As for a single POST: a number where the schema says string is refused, not stored as
    text."""
    body = _accept(api, [_item(0), _item(1, legal_name=12)])
    assert [e["index"] for e in body["errors"]] == [1]
    assert body["errors"][0]["error"]["fields"]["merchant"]["legal_name"]
