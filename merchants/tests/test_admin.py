"""API keys in the admin: created through the service with the key shown once, revoked, last
use visible, hashes never shown or edited; refused for staff without the permission."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kyb.api.keys import api_key_hash
from kyb.tenancy.models import ApiKey
from merchants.tests.factories import ApiKeyFactory, IntegratorFactory, MerchantFactory

pytestmark = pytest.mark.django_db

KEYS = "/admin/tenancy/apikey/"


def test_created_key_is_shown_once_and_only_its_hash_is_stored(root: Client) -> None:
    integrator = IntegratorFactory.create()
    form = root.get(f"{KEYS}add/")
    assert form.status_code == 200 and "shown once" in form.content.decode()
    response = root.post(
        f"{KEYS}add/", {"integrator": integrator.pk, "name": "backend", "scopes": ["read"]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    match = re.search(r'id="api-key-plaintext"[^>]*>(kyb_[^<]+)<', response.content.decode())
    assert match, response.content.decode()
    plaintext = match.group(1)
    key = ApiKey.objects.get()
    assert (key.integrator, key.name, key.scopes) == (integrator, "backend", ["read"])
    assert key.key_hash == api_key_hash(plaintext) and plaintext.startswith(f"kyb_{key.prefix}_")
    # Never shown again: not on the list, the key's page, or the next request's messages.
    for url in (KEYS, f"{KEYS}{key.pk}/change/"):
        body = root.get(url).content.decode()
        assert plaintext not in body and key.key_hash not in body


def test_create_rejects_an_empty_scope_list(root: Client) -> None:
    integrator = IntegratorFactory.create()
    response = root.post(f"{KEYS}add/", {"integrator": integrator.pk, "name": "x"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revoke_action_revokes_and_keeps_the_row(root: Client) -> None:
    key, other = ApiKeyFactory.create(), ApiKeyFactory.create()
    response = root.post(KEYS, {"action": "revoke", "_selected_action": [key.pk]}, follow=True)
    assert "1 key(s) revoked." in response.content.decode()
    key.refresh_from_db()
    other.refresh_from_db()
    assert key.revoked_at is not None and other.revoked_at is None
    assert root.post(f"{KEYS}{key.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiKey.objects.filter(pk=key.pk).exists()


def test_last_use_is_listed_and_hashes_cannot_be_edited(root: Client) -> None:
    key = ApiKeyFactory.create(last_used_at=timezone.now())
    listed = root.get(KEYS).context["cl"]
    assert "last_used_at" in listed.list_display
    root.post(
        f"{KEYS}{key.pk}/change/",
        {"name": "renamed", "key_hash": "f" * 64, "prefix": "zzzzzzzz", "scopes": "read"},
    )
    key.refresh_from_db()
    assert key.name == "renamed"
    assert key.key_hash != "f" * 64 and key.prefix != "zzzzzzzz" and key.scopes == ["read", "write"]


def test_staff_without_add_permission_cannot_create_keys(staff_client: Any) -> None:
    client = staff_client("view_apikey")
    integrator = IntegratorFactory.create()
    assert client.get(f"{KEYS}add/").status_code == 403
    response = client.post(f"{KEYS}add/", {"integrator": integrator.pk, "scopes": ["read"]})
    assert response.status_code == 403
    assert not ApiKey.objects.exists()


def test_staff_without_change_permission_cannot_revoke(staff_client: Any) -> None:
    client = staff_client("view_apikey")
    key = ApiKeyFactory.create()
    client.post(KEYS, {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is None


def test_staff_without_any_permission_is_refused(staff_client: Any) -> None:
    client = staff_client()
    assert client.get(KEYS).status_code == 403
    assert client.get("/admin/merchants/merchant/").status_code == 403


@pytest.mark.parametrize(
    "path", [KEYS, f"{KEYS}?state=active", "/admin/merchants/merchant/?country=GB"]
)
def test_changelist_query_count_does_not_grow_with_rows(root: Client, path: str) -> None:
    def rows(n: int) -> None:
        for _ in range(n):
            ApiKeyFactory.create()
            MerchantFactory.create()

    rows(1)
    with CaptureQueriesContext(connection) as few:
        assert root.get(path).status_code == 200
    rows(5)
    with CaptureQueriesContext(connection) as many:
        assert root.get(path).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_renaming_a_key_writes_only_its_name(root: Client) -> None:
    """The admin used to write back every column as read at POST time, so a revoke committed
    by another request meanwhile could be undone by a rename."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = ApiKeyFactory.create()
    with CaptureQueriesContext(connection) as queries:
        root.post(f"{KEYS}{key.pk}/change/", {"name": "renamed"})
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and '"name"' in updates[0] and "revoked_at" not in updates[0]


def test_a_merchant_cannot_be_moved_to_another_integrator(root: Client) -> None:
    merchant, elsewhere = MerchantFactory.create(), IntegratorFactory.create()
    page = root.get(f"/admin/merchants/merchant/{merchant.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(integrator=str(elsewhere.pk), legal_name="Renamed Ltd")
    response = root.post(f"/admin/merchants/merchant/{merchant.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    merchant.refresh_from_db()
    assert merchant.legal_name == "Renamed Ltd" and merchant.integrator_id != elsewhere.pk


def test_posting_the_same_create_form_twice_creates_one_key(root: Client) -> None:
    """A reload of the "key created" page re-posts its form: the form's one-time token makes
    the repeat create nothing (and the page also rewrites its address to the key list)."""
    integrator = IntegratorFactory.create()
    form = root.get(f"{KEYS}add/").content.decode()
    token = re.search(r'name="submission" value="([0-9a-f]{32})"', form)
    assert token, form
    data = {"integrator": integrator.pk, "scopes": ["read"], "submission": token.group(1)}
    first = root.post(f"{KEYS}add/", data)
    assert 'id="api-key-plaintext"' in first.content.decode()
    assert "history.replaceState" in first.content.decode()
    again = root.post(f"{KEYS}add/", data)
    assert again.status_code == 200 and 'id="already-created"' in again.content.decode()
    assert "api-key-plaintext" not in again.content.decode()
    assert ApiKey.objects.count() == 1
