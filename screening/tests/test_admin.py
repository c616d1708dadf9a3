"""Admin pages of the screening app; clearing a hit goes through the service."""

from __future__ import annotations

from typing import Any

import pytest

from merchants.tests.factories import MerchantFactory
from screening.models import ClearedHit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixture_list")]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/screening/watchlist/",
        "/admin/screening/watchlistentry/",
        "/admin/screening/watchlistentry/?q=KHOROSHEV",
        "/admin/screening/clearedhit/",
        "/admin/screening/clearedhit/add/",
    ],
)
def test_admin_pages_render(admin_client: Any, url: str) -> None:
    assert admin_client.get(url).status_code == 200


def test_clearing_a_hit_in_the_admin_records_who_and_the_entry_hash(
    admin_client: Any, admin_user: Any
) -> None:
    merchant = MerchantFactory.create()
    response = admin_client.post(
        "/admin/screening/clearedhit/add/",
        {
            "merchant": str(merchant.pk),
            "list_source": "ofac_sdn",
            "entity_id": "44525",
            "reason": "Different company",
        },
    )
    assert response.status_code == 302
    cleared = ClearedHit.objects.get()
    assert cleared.cleared_by == admin_user and len(cleared.content_hash) == 64


def test_clearing_an_unknown_entity_is_a_form_error(admin_client: Any) -> None:
    merchant = MerchantFactory.create()
    response = admin_client.post(
        "/admin/screening/clearedhit/add/",
        {"merchant": str(merchant.pk), "list_source": "un", "entity_id": "nope", "reason": "x"},
    )
    assert response.status_code == 200
    assert b"not on an active version" in response.content
    assert not ClearedHit.objects.exists()
