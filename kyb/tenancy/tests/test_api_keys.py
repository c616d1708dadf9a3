"""Self-service API keys (``/api/v1/api-keys``): an admin-scoped key creates (shown once), lists
and revokes its integrator's keys; every write is audited, whatever path made it."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kyb.tenancy.models import ApiKey, ApiKeyEvent
from kyb.tenancy.services import api_key_create
from kyb.tests.api_client import ApiClient
from merchants.tests.factories import IntegratorFactory, api_key_with_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api: ApiClient) -> ApiClient:
    """An admin-only key of the same integrator as ``api``."""
    key, plaintext = api_key_with_secret(integrator=api.integrator, scopes=["admin"])
    client = ApiClient(plaintext)
    client.integrator = api.integrator
    client.key = key  # type: ignore[attr-defined]
    return client


def test_created_key_is_shown_once_works_and_is_audited(admin_api: ApiClient) -> None:
    response = admin_api.post_json(
        "/api/v1/api-keys", {"name": "backend", "scopes": ["read"]}, HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["key"].startswith(f"kyb_{created['prefix']}_")
    assert response["Location"] == f"/api/v1/api-keys/{created['prefix']}"
    assert "no-store" in response["Cache-Control"]
    assert ApiClient(created["key"]).get("/api/v1/merchants").status_code == 200
    assert ApiClient(created["key"]).post_json("/api/v1/merchants", {}).status_code == 403

    listed = admin_api.get("/api/v1/api-keys").json()["data"]
    mine = next(k for k in listed if k["prefix"] == created["prefix"])
    assert mine["scopes"] == ["read"] and mine["last_used_at"] is not None
    assert all("key" not in k for k in listed)
    assert admin_api.get(f"/api/v1/api-keys/{created['prefix']}").json() == mine

    event = ApiKeyEvent.objects.get(api_key__prefix=created["prefix"])
    actor = f"api_key:{admin_api.key.prefix}"  # type: ignore[attr-defined]
    assert (event.action, event.actor) == ("created", actor)
    with connection.cursor() as cursor:  # the secret is nowhere at rest, replay store included
        cursor.execute(
            "SELECT count(*) FROM api_keys a, idempotency_records r "
            "WHERE a.key_hash = %s OR r.response_body::text LIKE %s",
            [created["key"], f"%{created['key']}%"],
        )
        assert cursor.fetchone()[0] == 0


def test_revoking_is_immediate_idempotent_and_audited_once(
    admin_api: ApiClient, api: ApiClient
) -> None:
    target = ApiKey.objects.get(integrator=api.integrator, scopes=["read", "write"])
    path = f"/api/v1/api-keys/{target.prefix}"
    first = admin_api.delete(path)
    assert first.status_code == 200 and first.json()["revoked_at"]
    assert api.get("/api/v1/merchants").status_code == 401
    assert admin_api.delete(path).json() == first.json()
    assert list(ApiKeyEvent.objects.filter(api_key=target).values_list("action", flat=True)) == [
        "revoked"
    ]


def test_a_key_without_the_admin_scope_cannot_manage_keys(api: ApiClient) -> None:
    prefix = ApiKey.objects.get(integrator=api.integrator).prefix
    for method, path in (
        ("get", "/api/v1/api-keys"),
        ("post", "/api/v1/api-keys"),
        ("get", f"/api/v1/api-keys/{prefix}"),
        ("delete", f"/api/v1/api-keys/{prefix}"),
    ):
        response = getattr(api, method)(path)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"]["code"] == "forbidden"
    assert ApiKey.objects.get(prefix=prefix).revoked_at is None


def test_another_integrators_key_is_not_found(admin_api: ApiClient) -> None:
    other, _ = api_key_with_secret(integrator=IntegratorFactory())
    assert admin_api.get(f"/api/v1/api-keys/{other.prefix}").status_code == 404
    assert admin_api.delete(f"/api/v1/api-keys/{other.prefix}").status_code == 404
    assert ApiKey.objects.get(pk=other.pk).revoked_at is None
    prefixes = {k["prefix"] for k in admin_api.get("/api/v1/api-keys").json()["data"]}
    assert other.prefix not in prefixes


@pytest.mark.parametrize(
    "body",
    [{"scopes": ["root"]}, {"scopes": []}, {"name": "x", "colour": "red"}, {"scopes": "read"}],
)
def test_bad_input_is_a_validation_error(admin_api: ApiClient, body: dict[str, Any]) -> None:
    response = admin_api.post_json("/api/v1/api-keys", body)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "validation_error")


def test_list_query_count_does_not_grow_with_keys(admin_api: ApiClient) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_api.get("/api/v1/api-keys").status_code == 200
        return len(captured)

    queries()  # the first call also records the key's last use
    few = queries()
    for _ in range(15):
        api_key_create(integrator=admin_api.integrator)
    assert queries() == few


def test_cli_and_service_writes_are_audited_with_their_actor() -> None:
    out = StringIO()
    call_command("create_api_key", "--integrator", "Audit Ltd", "--scopes", "admin", stdout=out)
    key = ApiKey.objects.get(integrator__name="Audit Ltd")
    assert key.scopes == ["admin"]
    assert list(key.events.values_list("action", "actor")) == [("created", "cli")]


@pytest.mark.parametrize("prefix", ["%00", "a%00b", "x" * 17])
def test_a_prefix_no_key_can_have_is_not_found(admin_api: ApiClient, prefix: str) -> None:
    """Found by a QA pass: a NUL byte in the path reached PostgreSQL and came back as a 500."""
    for method in (admin_api.get, admin_api.delete):
        response = method(f"/api/v1/api-keys/{prefix}")
        assert response.status_code == 404, (method, prefix, response.content)
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "limit=201", "cursor=", "foo=1"])
def test_the_key_list_validates_its_query(admin_api: ApiClient, query: str) -> None:
    """Found by a QA pass: a 200 here where every other list answers 400."""
    response = admin_api.get(f"/api/v1/api-keys?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert admin_api.get("/api/v1/api-keys?limit=1").status_code == 200
