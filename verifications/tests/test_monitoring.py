"""Ongoing monitoring: a list change re-screens monitored merchants against only its added and
changed entries, opens a review case per newly matched merchant and sends its webhook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory
from screening.models import WatchListChange
from screening.services import screening_hit_clear, watchlist_change_rescreen, watchlist_load
from verifications.models import BusinessVerification, VerificationSource, VerificationStatus
from verifications.tests.factories import BusinessVerificationFactory
from webhooks.models import WebhookEvent
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

HEADER = "id,name,type,program\n"
ORION = "L1,Orion Maritime Holdings,organization,P1\n"
PETROV = "L2,Viktor Aleksandrovich Petrovsky,person,P1\n"
DELTA = "L3,Delta Marine Logistics Limited,organization,P2\n"


def _load(tmp_path: Path, rows: str) -> WatchListChange:
    path = tmp_path / "internal.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    loaded = watchlist_load(source="custom", name="internal", paths=[path])
    return WatchListChange.objects.get(watchlist=loaded.watchlist)


def _merchant(name: str, status: str = "approved", **kwargs: Any) -> Merchant:
    merchant = MerchantFactory.create(legal_name=name, **kwargs)
    merchant.verification = BusinessVerificationFactory.create(merchant=merchant, status=status)
    merchant.save(update_fields=["verification"])
    return merchant


def _cases(merchant: Merchant) -> list[BusinessVerification]:
    return list(
        BusinessVerification.objects.filter(merchant=merchant, source=VerificationSource.MONITORING)
    )


def test_a_list_change_alerts_only_the_merchants_it_affects(tmp_path: Path, settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    first = _load(tmp_path, ORION + PETROV)
    watchlist_change_rescreen(change_id=first.pk)
    delta = _merchant("Delta Marine Logistics Ltd")
    webhook_endpoint_create(
        integrator=delta.integrator,
        url="https://127.0.0.1:9/hooks",
        event_types=["merchant.screening_alert"],
    )
    # Matches an entry that did not change: already screened at onboarding, no new alert.
    orion = _merchant("Orion Maritime Holdings", people=[{"name": "Anna Smith", "role": "owner"}])
    # Matches the added entry, but rejected merchants are not monitored.
    rejected = _merchant("Delta Marine Logistics", status="rejected")
    unrelated = _merchant(
        "Harbour Bakery Ltd", people=[{"name": "Maria Gonzalez", "role": "director"}]
    )

    change = _load(tmp_path, ORION + PETROV + DELTA)
    assert (change.added, change.changed, change.removed) == (["internal:L3"], [], [])
    assert watchlist_change_rescreen(change_id=change.pk) == 1

    (case,) = _cases(delta)
    assert (case.status, case.source) == (VerificationStatus.IN_REVIEW, "monitoring")
    assert [r["code"] for r in case.risk_reasons] == ["sanctions_match"] and case.risk_score
    sanctions = case.checks["sanctions"]
    assert sanctions["status"] == "failure"
    evidence = sanctions["evidence"]
    assert evidence["list_change"]["id"] == change.pk
    assert (evidence["list_change"]["from_version"], evidence["list_change"]["to_version"]) == (
        1,
        2,
    )
    (screened,) = evidence["screened"]
    assert screened["role"] == "legal_name"
    assert [h["entity_id"] for h in screened["hits"]] == ["internal:L3"]
    delta.refresh_from_db()
    assert delta.verification_id == case.pk
    event = WebhookEvent.objects.get(integrator=delta.integrator, type="merchant.screening_alert")
    assert f'"id":"{case.pk}"' in event.body and '"source":"monitoring"' in event.body
    for other in (orion, rejected, unrelated):
        assert _cases(other) == []
    change.refresh_from_db()
    assert change.rescreened_at is not None and change.alerts == 1


def test_a_changed_entry_alerts_the_people_it_now_matches(tmp_path: Path) -> None:
    watchlist_change_rescreen(change_id=_load(tmp_path, ORION + PETROV).pk)
    merchant = _merchant(
        "Harbour Bakery Ltd", people=[{"name": "Maria Ivanova Kuznetsova", "role": "owner"}]
    )
    renamed = PETROV.replace("Viktor Aleksandrovich Petrovsky", "Maria Ivanova Kuznetsova")
    change = _load(tmp_path, ORION + renamed)
    assert change.changed == ["internal:L2"]
    assert watchlist_change_rescreen(change_id=change.pk) == 1
    (case,) = _cases(merchant)
    (screened,) = case.checks["sanctions"]["evidence"]["screened"]
    assert screened["role"] == "person:owner"


def test_a_change_is_rescreened_once(tmp_path: Path) -> None:
    _merchant("Delta Marine Logistics Ltd")
    change = _load(tmp_path, DELTA)
    assert watchlist_change_rescreen(change_id=change.pk) == 1
    assert watchlist_change_rescreen(change_id=change.pk) is None
    assert BusinessVerification.objects.filter(source="monitoring").count() == 1


def test_a_cleared_hit_stays_cleared_until_its_entry_changes(tmp_path: Path) -> None:
    merchant = _merchant("Delta Marine Logistics Ltd")
    assert watchlist_change_rescreen(change_id=_load(tmp_path, DELTA).pk) == 1
    screening_hit_clear(
        merchant_id=merchant.pk,
        list_source="custom",
        entity_id="internal:L3",
        reason="different company, other country",
    )
    # The entry is unchanged; another entry is added: the cleared hit is not raised again.
    unchanged = _load(tmp_path, DELTA + ORION)
    assert unchanged.added == ["internal:L1"]
    assert watchlist_change_rescreen(change_id=unchanged.pk) == 0
    # The same entry changes (a new program): the hit is raised again for a new look.
    changed = _load(tmp_path, DELTA.replace("P2", "P2;P3") + ORION)
    assert changed.changed == ["internal:L3"]
    assert watchlist_change_rescreen(change_id=changed.pk) == 1
    assert len(_cases(merchant)) == 2


def test_a_load_that_only_removes_entries_needs_no_rescreen(tmp_path: Path) -> None:
    _load(tmp_path, ORION + PETROV)
    change = _load(tmp_path, ORION)
    assert change.removed == ["internal:L2"] and change.rescreened_at is not None


def test_the_review_console_shows_a_monitoring_case(tmp_path: Path, admin_client: Any) -> None:
    merchant = _merchant("Delta Marine Logistics Ltd", declared_mcc="4214")
    watchlist_change_rescreen(change_id=_load(tmp_path, DELTA).pk)
    (case,) = _cases(merchant)
    queue = "/admin/verifications/businessverification/"
    listing = admin_client.get(queue, {"source": "monitoring"})
    assert listing.status_code == 200 and str(merchant.legal_name) in listing.content.decode()
    page = admin_client.get(f"{queue}{case.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Delta Marine Logistics Limited" in html
    # Only the sanctions check ran: the page said the register had no record and the declared
    # MCC was "not predicted", and that the case was "submitted".
    assert "opened by ongoing monitoring" in html
    assert "No register record found" not in html and "Not checked in this verification" in html
    assert "not predicted" not in html and "not classified in this verification" in html


def test_a_change_index_remembers_a_run_s_worth_of_words(tmp_path: Path) -> None:
    from screening.matching.index import CHANGE_MEMO_MAX
    from screening.services import watchlist_change_index

    index = watchlist_change_index(change=_load(tmp_path, ORION + DELTA))
    assert index is not None and len(index) == 2
    assert {p.memo_max for p in index._partitions.values()} == {CHANGE_MEMO_MAX}


def test_a_list_s_first_load_opens_no_second_case_on_hits_under_review(
    tmp_path: Path, settings: Any
) -> None:
    """The first load of a list (every entry "added") opened a monitoring case for a merchant
    already in review on those very entries, and moved its latest verification to it, leaving
    the first case behind."""
    from screening import engine
    from verifications.checks.sanctions import check_sanctions

    settings.SCREENING_VERSION_CHECK_SECONDS = 0
    engine.reset()
    change = _load(tmp_path, DELTA)
    in_review = _merchant("Delta Marine Logistics Ltd", status="in_review")
    result = check_sanctions({"merchant_id": str(in_review.pk), "legal_name": in_review.legal_name})
    engine.reset()
    assert result.reasons == ["sanctions_match"], result.message
    case = in_review.verification
    assert case is not None
    case.checks = {"sanctions": result.as_dict()}
    case.save(update_fields=["checks"])
    approved = _merchant("Delta Marine Logistics Ltd")

    assert watchlist_change_rescreen(change_id=change.pk) == 1
    assert _cases(in_review) == []
    in_review.refresh_from_db()
    assert in_review.verification_id == case.pk
    assert len(_cases(approved)) == 1
