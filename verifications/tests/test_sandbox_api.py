"""Sandbox keys through the API: how they are made (CLI, self-service), live/sandbox isolation in
every list and detail (the fast read path included), idempotency keys scoped by mode, and
``livemode`` on every object the API answers."""

from __future__ import annotations

from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from kyb.api import keyring
from kyb.tenancy.models import ApiKey
from kyb.tenancy.tests.factories import api_key_with_secret
from kyb.tests.api_client import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)  # the fast path's cache fills on commit

MERCHANT = {"legal_name": "Mode Test Ltd", "country": "GB", "external_id": "m-1"}


@pytest.fixture(autouse=True)
def _fresh_keyring() -> None:
    keyring.keyring_clear()


@pytest.fixture
def live(api: ApiClient) -> ApiClient:
    return api


@pytest.fixture
def sandbox(api: ApiClient) -> ApiClient:
    """A sandbox key of the same integrator as ``api``."""
    _, plaintext = api_key_with_secret(integrator=api.integrator, livemode=False)
    client = ApiClient(plaintext)
    client.integrator = api.integrator
    return client


def _created(client: ApiClient, path: str, body: dict[str, Any], **extra: Any) -> Any:
    response = client.post_json(path, body, **extra)
    assert response.status_code in (201, 202), response.json()
    return response.json()


def test_create_api_key_sandbox_prints_a_sandbox_key() -> None:
    out = StringIO()
    call_command("create_api_key", "--integrator", "Sandboxed", "--sandbox", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert "mode: sandbox" in lines[-3]
    assert lines[-1].startswith("kyb_test_")
    key = ApiKey.objects.get(integrator__name="Sandboxed")
    assert key.livemode is False
    response = ApiClient(lines[-1]).post_json("/api/v1/merchants", MERCHANT)
    assert response.status_code == 201 and response.json()["livemode"] is False


def test_self_service_keys_carry_their_mode_and_sandbox_admins_stay_in_the_sandbox(
    api: ApiClient,
) -> None:
    _, admin = api_key_with_secret(integrator=api.integrator, scopes=["admin"])
    live_admin = ApiClient(admin)
    made = _created(live_admin, "/api/v1/api-keys", {"livemode": False, "scopes": ["admin"]})
    assert made["livemode"] is False and made["key"].startswith("kyb_test_")
    sandbox_admin = ApiClient(made["key"])
    default = _created(sandbox_admin, "/api/v1/api-keys", {"name": "ci"})
    assert default["livemode"] is False  # the caller's mode
    refused = sandbox_admin.post_json("/api/v1/api-keys", {"livemode": True})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    sandbox_seen = [k["livemode"] for k in sandbox_admin.get("/api/v1/api-keys").json()["data"]]
    assert sandbox_seen == [False, False]
    live_seen = {
        k["prefix"]: k["livemode"] for k in live_admin.get("/api/v1/api-keys").json()["data"]
    }
    assert live_seen[made["prefix"]] is False and True in live_seen.values()
    live_prefix = next(p for p, mode in live_seen.items() if mode)
    assert sandbox_admin.get(f"/api/v1/api-keys/{live_prefix}").status_code == 404
    assert sandbox_admin.delete(f"/api/v1/api-keys/{live_prefix}").status_code == 404


def test_live_and_sandbox_never_see_each_others_objects(
    live: ApiClient, sandbox: ApiClient
) -> None:
    # The same external_id in both modes: two different merchants.
    live_m = _created(live, "/api/v1/merchants", MERCHANT)
    sandbox_m = _created(sandbox, "/api/v1/merchants", MERCHANT)
    assert (live_m["livemode"], sandbox_m["livemode"]) == (True, False)
    live_v = _created(live, "/api/v1/verifications", {"merchant_id": live_m["id"]})
    sandbox_v = _created(sandbox, "/api/v1/verifications", {"merchant_id": sandbox_m["id"]})
    assert (live_v["livemode"], sandbox_v["livemode"]) == (True, False)
    # A merchant of the other mode cannot be verified either.
    crossed = sandbox.post_json("/api/v1/verifications", {"merchant_id": live_m["id"]})
    assert crossed.status_code == 404

    for client, mine, theirs, mode in (
        (live, (live_m, live_v), (sandbox_m, sandbox_v), True),
        (sandbox, (sandbox_m, sandbox_v), (live_m, live_v), False),
    ):
        merchants = client.get("/api/v1/merchants").json()["data"]
        assert [m["id"] for m in merchants] == [mine[0]["id"]]
        verifications = client.get("/api/v1/verifications").json()["data"]
        assert [v["id"] for v in verifications] == [mine[1]["id"]]
        assert all(row["livemode"] is mode for row in merchants + verifications)
        expanded = client.get("/api/v1/verifications?expand=checks").json()["data"]
        assert [v["livemode"] for v in expanded] == [mode]
        for path in (
            f"/api/v1/merchants/{theirs[0]['id']}",
            f"/api/v1/verifications/{theirs[1]['id']}",
        ):
            assert client.get(path).status_code == 404, path
        assert client.get(f"/api/v1/merchants/{theirs[0]['id']}/classifications").status_code == 404
        assert (
            client.patch_json(f"/api/v1/merchants/{theirs[0]['id']}", {"phone": "1"}).status_code
            == 404
        )
        assert client.delete(f"/api/v1/merchants/{theirs[0]['id']}").status_code == 404
        assert client.get(f"/api/v1/merchants/{mine[0]['id']}").json()["livemode"] is mode
        codes = client.get(f"/api/v1/merchants/{mine[0]['id']}/classifications").json()
        assert codes["livemode"] is mode


def test_the_fast_read_path_answers_404_across_modes_hit_or_miss(
    live: ApiClient, sandbox: ApiClient
) -> None:
    live_v = _created(live, "/api/v1/verifications", {"merchant": MERCHANT})
    path = f"/api/v1/verifications/{live_v['id']}"
    assert live.get(path).json()["livemode"] is True  # fills the cache
    for _ in range(2):  # a cached entry, and again
        assert sandbox.get(path).status_code == 404
        with mock.patch("kyb.api.fastpath._route", return_value=None):  # the DRF view
            assert sandbox.get(path).status_code == 404
    sandbox_v = _created(sandbox, "/api/v1/verifications", {"merchant": MERCHANT})
    other = f"/api/v1/verifications/{sandbox_v['id']}"
    assert sandbox.get(other).json()["livemode"] is False
    assert sandbox.get(other).status_code == 200
    assert live.get(other).status_code == 404


def test_an_idempotency_key_is_scoped_by_mode(live: ApiClient, sandbox: ApiClient) -> None:
    first = _created(live, "/api/v1/merchants", MERCHANT, HTTP_IDEMPOTENCY_KEY="same")
    other = sandbox.post_json("/api/v1/merchants", MERCHANT, HTTP_IDEMPOTENCY_KEY="same")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert other.json()["id"] != first["id"] and other.json()["livemode"] is False
    replay = sandbox.post_json("/api/v1/merchants", MERCHANT, HTTP_IDEMPOTENCY_KEY="same")
    assert replay.json()["id"] == other.json()["id"]


def test_webhook_endpoints_and_deliveries_are_scoped_by_mode(
    live: ApiClient, sandbox: ApiClient
) -> None:
    live_e = _created(live, "/api/v1/webhook-endpoints", {"url": "https://live.example.com/h"})
    sandbox_e = _created(sandbox, "/api/v1/webhook-endpoints", {"url": "https://sb.example.com/h"})
    assert (live_e["livemode"], sandbox_e["livemode"]) == (True, False)
    assert [e["id"] for e in sandbox.get("/api/v1/webhook-endpoints").json()["data"]] == [
        sandbox_e["id"]
    ]
    assert sandbox.get(f"/api/v1/webhook-endpoints/{live_e['id']}").status_code == 404
    assert live.get(f"/api/v1/webhook-endpoints/{sandbox_e['id']}/deliveries").status_code == 404
    _created(sandbox, "/api/v1/verifications", {"merchant": MERCHANT})
    deliveries = sandbox.get(f"/api/v1/webhook-endpoints/{sandbox_e['id']}/deliveries").json()
    assert deliveries["data"] and all(d["livemode"] is False for d in deliveries["data"])
    assert live.get(f"/api/v1/webhook-endpoints/{live_e['id']}/deliveries").json()["data"] == []


def test_the_console_creates_sandbox_keys_too(admin_client: Any) -> None:
    from kyb.tenancy.tests.factories import IntegratorFactory

    integrator = IntegratorFactory.create()
    page = admin_client.post(
        "/admin/tenancy/apikey/add/",
        {"integrator": integrator.pk, "scopes": ["read"], "sandbox": "on"},
    )
    assert page.status_code == 200 and "kyb_test_" in page.content.decode()
    assert ApiKey.objects.get(integrator=integrator).livemode is False
