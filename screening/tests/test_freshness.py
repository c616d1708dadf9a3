"""Staleness is measured from the publisher's date, and the bundled snapshots never pass for
current lists: not in /readyz's detail, the /metrics age, the console or the screen API."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kyb.tests.api_client import SchemaAPIClient
from merchants.tests.factories import api_key_with_secret
from screening.services import watchlist_load
from screening.tests.test_official_loaders import EU, SEMA

pytestmark = pytest.mark.django_db


def _screen_lists() -> list[dict[str, Any]]:
    _, secret = api_key_with_secret()
    api = SchemaAPIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = api.post("/api/v1/screen", {"names": [{"name": "Example"}]}, format="json")
    assert response.status_code == 200, response.content
    return list(response.json()["lists"])


def _age(client: Client, source: str) -> float:
    body = client.get("/metrics").content.decode()
    prefix = f'kyb_watchlist_age_seconds{{source="{source}"}}'
    return float(next(x for x in body.splitlines() if x.startswith(prefix)).split()[-1])


def test_the_bootstrap_snapshots_are_reported_stale_everywhere(
    client: Client, admin_client: Client
) -> None:
    call_command("load_default_watchlists", "--if-empty", stdout=None, stderr=None)
    lists = {x["source"]: x for x in _screen_lists()}
    sdn = lists["ofac_sdn"]
    assert (sdn["stale"], sdn["bundled"]) == (True, True)
    assert sdn["published_at"].startswith("2021-07-01")
    assert all(x["stale"] for x in lists.values())
    detail = client.get("/readyz").json()["watchlists"]
    assert "ofac_sdn:ofac_sdn" in detail["stale"]
    assert detail["lists"]["ofac_sdn:ofac_sdn"]["bundled"] is True
    assert _age(client, "ofac_sdn") > 5 * 365 * 86400  # from 2021, not from the load just now
    page = admin_client.get("/admin/screening/watchlist/").content.decode()
    assert 'alt="False"' in page  # the "current" column


def test_a_freshly_loaded_list_is_stale_when_its_publisher_date_is_old(client: Client) -> None:
    watchlist_load(source="ca_sema", paths=[SEMA])  # newest listing 2025-02-21
    watchlist_load(source="eu_fsf", paths=[EU])  # generated 2026-08-05
    lists = {x["source"]: x for x in _screen_lists()}
    assert lists["ca_sema"]["stale"] is True and lists["ca_sema"]["bundled"] is False
    assert _age(client, "ca_sema") > 200 * 86400


def test_a_list_published_recently_is_current(client: Client) -> None:
    recent = timezone.now() - timedelta(days=2)
    fixture = Path(__file__).resolve().parent.parent / "data" / "ofac_small_fixture"
    watchlist_load(source="ofac_sdn", paths=[fixture / "sdn.csv"], published_at=recent)
    (sdn,) = _screen_lists()
    assert (sdn["stale"], sdn["bundled"]) == (False, False)
    assert client.get("/readyz").json()["watchlists"]["stale"] == []
    assert 1 * 86400 < _age(client, "ofac_sdn") < 3 * 86400
