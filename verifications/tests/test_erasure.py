"""``DELETE /api/v1/merchants/{id}``: after it, no personal value of the merchant survives in any
table, cache entry, idempotency record or stored webhook payload; the skeleton audit needs
(decisions, reason codes, list versions, timestamps) does, until its retention is over."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from kyb.tests.api_client import ApiClient
from merchants.erasure import merchant_erasures_purge
from merchants.models import Merchant, MerchantErasure
from merchants.tests.factories import api_key_with_secret
from verifications.models import AnalystAction, BusinessVerification, VerificationEvent
from verifications.review import verification_decide, verification_hit_clear
from verifications.tests.fakes import FakeProvider, Reply
from verifications.tests.test_pipeline import _run, world  # noqa: F401  (world is a fixture)
from webhooks.models import WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

LISTED = "Artem Mikhaylovich Lifshits"  # on the OFAC fixture list: his name is in the list tables
PERSONAL = {  # every other personal value the merchant carries; none may survive anywhere
    "person": "Jane Quinta Erasable",
    "birth_date": "1979-03-14",
    "tax_id": "GB980780684",
    "email": "jane.erasable@example.org",
    "phone": "+44 20 7946 0958",
    "street": "221B Erasable Street",
    "description": "Handmade erasable widgets and quills",
    "dba": "Erasable Widgets",
    "note": "crm note: call Jane Quinta after 5pm",
    "page": "Welcome to Erasable Widgets by Jane Quinta Erasable",
}
# Watchlist tables hold the published list itself (LISTED's entry): not data about the merchant.
LIST_TABLES = ("screening_",)


def _payload(site: FakeProvider) -> dict[str, Any]:
    return {
        "external_id": "erase-1",
        "legal_name": "Acme Trading Ltd",
        "dba_name": PERSONAL["dba"],
        "country": "GB",
        "registration_number": "09446231",
        "tax_id": PERSONAL["tax_id"],
        "email": PERSONAL["email"],
        "phone": PERSONAL["phone"],
        "address": {"line1": PERSONAL["street"], "city": "London", "postal_code": "NW1 6XE"},
        "website": site.url + "/",
        "description": PERSONAL["description"],
        "metadata": {"crm": PERSONAL["note"]},
        "people": [
            {"name": PERSONAL["person"], "role": "owner", "date_of_birth": PERSONAL["birth_date"]},
            {"name": LISTED, "role": "director"},
        ],
    }


def _tables_holding(value: str, *, skip: tuple[str, ...] = ()) -> list[str]:
    """``table.column`` of every text-like column, in every table, whose value contains it."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT table_name, column_name FROM information_schema.columns
               WHERE table_schema = 'public'
                 AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')"""
        )
        for table, column in cursor.fetchall():
            if table.startswith(skip):
                continue
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',  # noqa: S608
                [f"%{value}%"],
            )
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def _cache_holding(value: str) -> list[str]:
    """Every cache entry under this test's prefix whose stored bytes hold ``value`` (entries are
    raw JSON bytes, kyb/cache.py; others may be pickles: both are searched as text)."""
    client = cache.client.get_client()  # type: ignore[attr-defined]  # django-redis
    keys = client.keys(cache.make_key("*"))
    needle = value.lower()
    return [
        k.decode()
        for k in keys
        if needle in (client.get(k) or b"").decode("utf-8", "replace").lower()
    ]


@pytest.fixture
def erasable(world: FakeProvider, api: ApiClient, settings: Any) -> dict[str, Any]:  # noqa: F811
    """A merchant whose personal data has spread everywhere it can: a run with evidence,
    an analyst's notes, cached reads, stored idempotent responses, webhook events."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    world.route("/", Reply.html(f"<title>Erasable</title><p>{PERSONAL['page']}</p>"))
    WebhookEndpoint.objects.create(
        integrator=api.integrator, url="http://127.0.0.1:9/hook", secret_encrypted="x"
    )
    created = api.post_json("/api/v1/merchants", _payload(world), HTTP_IDEMPOTENCY_KEY="m-1")
    assert created.status_code == 201, created.json()
    merchant_id = created.json()["id"]
    response = api.post_json(
        "/api/v1/verifications", {"merchant_id": merchant_id}, HTTP_IDEMPOTENCY_KEY="v-1"
    )
    verification_id = response.json()["id"]
    assert _run(verification_id) == "in_review"  # LISTED matches the fixture list
    verification = BusinessVerification.objects.get(pk=verification_id)
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    hit = verification.checks["sanctions"]["evidence"]["screened"][-1]["hits"][0]
    verification_hit_clear(
        verification_id=verification_id,
        user=root,
        list_source=hit["list"],
        entity_id=hit["entity_id"],
        reason=f"{LISTED} is not our director; {PERSONAL['person']} confirmed",
    )
    verification_decide(
        verification_id=verification_id,
        user=root,
        outcome="approved",
        reason=f"spoke to {PERSONAL['person']} on {PERSONAL['phone']}",
    )
    patched = api.patch_json(f"/api/v1/merchants/{merchant_id}", {"phone": PERSONAL["phone"]})
    assert patched.status_code == 200
    for path in (f"/api/v1/merchants/{merchant_id}", f"/api/v1/verifications/{verification_id}"):
        assert api.get(path).status_code == 200  # fills the cache
    assert _cache_holding(PERSONAL["person"])  # the scan below can see the cache
    assert WebhookEvent.objects.filter(body__contains=PERSONAL["email"]).exists()
    return {"merchant_id": merchant_id, "verification_id": verification_id}


def test_erasure_leaves_no_personal_value_anywhere_and_keeps_the_skeleton(
    api: ApiClient, erasable: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    merchant_id, verification_id = erasable["merchant_id"], erasable["verification_id"]
    token = Merchant.objects.get(pk=merchant_id).tax_id_encrypted
    before = {name: _tables_holding(value) for name, value in PERSONAL.items()}
    # Each value was stored somewhere, so the scan can fail; the tax id only ever encrypted.
    assert [name for name, where in before.items() if not where] == ["tax_id"], before

    with django_capture_on_commit_callbacks(execute=True):  # cache invalidation runs on commit
        response = api.delete(f"/api/v1/merchants/{merchant_id}")
    assert response.status_code == 200, response.json()
    receipt = response.json()
    assert receipt["merchant_id"] == merchant_id and receipt["summary"]["verifications"] == 1

    survivors = {name: _tables_holding(value) for name, value in PERSONAL.items()}
    survivors["listed person"] = _tables_holding(LISTED, skip=LIST_TABLES)
    survivors["tax id token"] = _tables_holding(token)
    assert survivors == {name: [] for name in survivors}
    assert {n: _cache_holding(v) for n, v in PERSONAL.items()} == {n: [] for n in PERSONAL}

    verification = BusinessVerification.objects.get(pk=verification_id)
    assert verification.status == "approved" and verification.decided_at is not None
    assert [r["code"] for r in verification.risk_reasons] == ["sanctions_match", "website_no_tls"]
    sanctions = verification.checks["sanctions"]
    assert sanctions["evidence"]["lists"] == ["ofac_sdn:ofac_sdn"]
    assert sanctions["evidence"]["screened"][-1]["hits"][0]["entity_id"]
    assert verification.events.filter(to_status="approved").exists()
    merchant = api.get(f"/api/v1/merchants/{merchant_id}").json()
    assert merchant["legal_name"] == "Acme Trading Ltd" and merchant["people"] == []

    erasure = MerchantErasure.objects.get(merchant_id=merchant_id)
    assert erasure.requested_by.startswith("api_key:")
    erased_event = WebhookEvent.objects.get(type="merchant.erased")
    assert merchant_id in erased_event.body and erasure.erased_at is not None


def test_erasure_is_idempotent_and_the_erased_merchant_is_frozen(
    api: ApiClient, erasable: dict[str, Any]
) -> None:
    path = f"/api/v1/merchants/{erasable['merchant_id']}"
    first = api.delete(path).json()
    assert api.delete(path).json() == first
    assert WebhookEvent.objects.filter(type="merchant.erased").count() == 1
    refused = api.patch_json(path, {"phone": "+44 1"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "merchant_erased")
    again = api.post_json("/api/v1/verifications", {"merchant_id": erasable["merchant_id"]})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "merchant_erased")


def test_a_running_verification_blocks_the_erasure(api: ApiClient) -> None:
    merchant = api.post_json("/api/v1/merchants", {"legal_name": "Busy Ltd", "country": "GB"})
    merchant_id = merchant.json()["id"]
    api.post_json("/api/v1/verifications", {"merchant_id": merchant_id})  # pending
    response = api.delete(f"/api/v1/merchants/{merchant_id}")
    assert (response.status_code, response.json()["error"]["code"]) == (
        409,
        "verification_in_progress",
    )
    assert not Merchant.objects.get(pk=merchant_id).erased_at


def test_erasure_needs_the_write_scope_and_respects_tenancy(
    api: ApiClient, other_api: ApiClient
) -> None:
    merchant_id = api.post_json("/api/v1/merchants", {"legal_name": "A Ltd", "country": "GB"})
    path = f"/api/v1/merchants/{merchant_id.json()['id']}"
    assert other_api.delete(path).status_code == 404
    _, read_only = api_key_with_secret(integrator=api.integrator, scopes=["read"])
    assert ApiClient(read_only).delete(path).status_code == 403
    assert not MerchantErasure.objects.exists()


def test_the_skeleton_is_purged_after_its_retention(
    api: ApiClient, erasable: dict[str, Any]
) -> None:
    api.delete(f"/api/v1/merchants/{erasable['merchant_id']}")
    assert merchant_erasures_purge() == 0  # retention not over
    MerchantErasure.objects.update(retain_until=timezone.now() - timedelta(seconds=1))
    assert merchant_erasures_purge() == 1
    assert not Merchant.objects.filter(pk=erasable["merchant_id"]).exists()
    assert not BusinessVerification.objects.filter(pk=erasable["verification_id"]).exists()
    assert not VerificationEvent.objects.filter(verification_id=erasable["verification_id"])
    assert not AnalystAction.objects.filter(verification_id=erasable["verification_id"])
    erasure = MerchantErasure.objects.get(merchant_id=erasable["merchant_id"])
    assert erasure.purged_at is not None  # the audit row stays
    assert merchant_erasures_purge() == 0
