"""Admin pages of the screening app; clearing a hit goes through the service."""

from __future__ import annotations

from typing import Any

import pytest

from merchants.tests.factories import MerchantFactory
from screening.models import ClearedHit, WatchListEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixture_list")]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/screening/watchlist/",
        "/admin/screening/watchlistentry/",
        "/admin/screening/watchlistentry/?q=KHOROSHEV",
        "/admin/screening/clearedhit/",
        "/admin/screening/watchlistfeed/",
        "/admin/screening/watchlistchange/",
    ],
)
def test_admin_pages_render(admin_client: Any, url: str) -> None:
    assert admin_client.get(url).status_code == 200


def test_hits_are_not_cleared_in_the_admin_even_with_the_clearing_permission(
    staff_client: Any,
) -> None:
    """Clearing goes through the review console, which checks the case and audits; the admin's
    add form skipped both (any analyst could pre-clear an entity for any merchant)."""
    client = staff_client("add_clearedhit", "view_clearedhit")
    merchant = MerchantFactory.create()
    form = {"merchant": str(merchant.pk), "list_source": "ofac_sdn", "entity_id": "44525"}
    assert client.get("/admin/screening/clearedhit/add/").status_code == 403
    response = client.post("/admin/screening/clearedhit/add/", {**form, "reason": "x"})
    assert response.status_code == 403
    assert not ClearedHit.objects.exists()
    assert client.get("/admin/screening/clearedhit/").status_code == 200


def test_staff_without_permissions_cannot_list_cleared_hits(staff_client: Any) -> None:
    assert staff_client().get("/admin/screening/clearedhit/").status_code == 403


def test_list_entries_are_not_deleted_in_the_admin_even_with_the_permission(
    staff_client: Any,
) -> None:
    """An operator deleted an entry: it stopped matching in each process that rebuilt its
    index, with no list version saying so. Entries leave a list with a new version only."""
    client = staff_client("delete_watchlistentry", "view_watchlistentry")
    entry = WatchListEntry.objects.first()
    assert entry is not None
    url = f"/admin/screening/watchlistentry/{entry.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert WatchListEntry.objects.filter(pk=entry.pk).exists()
