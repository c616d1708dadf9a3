"""Loading list versions, screening through the service, false-positive memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from merchants.tests.factories import MerchantFactory
from screening.matching.index import ListEntity, ScreeningIndex
from screening.models import ClearedHit, WatchList, WatchListEntry
from screening.services import (
    HitAlreadyCleared,
    ScreeningError,
    UnknownListEntity,
    screen_name,
    screening_hit_clear,
    watchlist_load,
)
from screening.tests.conftest import FIXTURE_FILES

pytestmark = pytest.mark.django_db


def test_load_creates_an_active_version_with_its_entries() -> None:
    result = watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    wl = result.watchlist
    assert (wl.source, wl.name, wl.version, wl.is_active, wl.entry_count) == (
        "ofac_sdn",
        "ofac_sdn",
        1,
        True,
        17,
    )
    assert wl.skipped_rows == len(result.issues) == 9
    assert [f["name"] for f in wl.files] == [p.name for p in FIXTURE_FILES]
    suex = WatchListEntry.objects.get(watchlist=wl, entity_id="33151")
    assert {
        "type": "Legal Entity Number",
        "value": "5299007NTWCC3U23WM81",
        "country": "Czech Republic",
    } in suex.identifiers


def test_reload_replaces_the_active_version_and_prunes_old_ones() -> None:
    first = watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES).watchlist
    second = watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    assert second.replaced == first
    versions = dict(WatchList.objects.values_list("version", "is_active"))
    assert versions == {1: False, 2: True}  # previous version kept for one more load
    third = watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    assert third.pruned == 1
    assert dict(WatchList.objects.values_list("version", "is_active")) == {2: False, 3: True}
    assert WatchListEntry.objects.filter(watchlist__version=1).count() == 0


def test_a_file_without_entries_never_replaces_the_list(tmp_path: Path) -> None:
    watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    empty = tmp_path / "sdn.csv"
    empty.write_text("\x1a\n")
    with pytest.raises(ScreeningError, match="no entries"):
        watchlist_load(source="ofac_sdn", paths=[empty])
    assert WatchList.objects.get(is_active=True).entry_count == 17


def test_official_lists_cannot_be_renamed() -> None:
    with pytest.raises(ScreeningError):
        watchlist_load(source="ofac_sdn", name="other", paths=FIXTURE_FILES)


def test_custom_list_ids_are_namespaced_by_list_name(tmp_path: Path) -> None:
    path = tmp_path / "pep.csv"
    path.write_text("id,name,type\n7,Gerhard Schreiber Holding,organization\n", encoding="utf-8")
    watchlist_load(source="custom", name="internal", paths=[path])
    (hit,) = screen_name(name="Gerhard Schreiber Holding")
    assert (hit.list, hit.entity_id, hit.match) == ("custom", "internal:7", True)


@pytest.mark.usefixtures("fixture_list")
def test_screen_name_returns_explained_hits_best_first() -> None:
    hits = screen_name(name="Dmitry Khoroshev", entity_type="person")
    assert hits[0].entity_id == "48603"
    body = hits[0].as_dict()
    assert set(body) == {
        "entity_id",
        "list",
        "name",
        "primary_name",
        "programs",
        "countries",
        "score",
        "match",
        "explanation",
    }
    assert body["list"] == "ofac_sdn" and body["match"] is True and body["programs"] == ["CYBER2"]
    assert screen_name(name="Dmitry") == []


@pytest.mark.usefixtures("fixture_list")
def test_threshold_and_cap_come_from_settings(settings: pytest.FixtureRequest) -> None:
    settings.SCREENING_MATCH_THRESHOLD = 0.99  # type: ignore[attr-defined]
    (hit,) = screen_name(name="Elvis Logan Morey")
    assert hit.match is False  # 0.93: reported as a near miss, not a match
    settings.SCREENING_MAX_HITS = 0  # type: ignore[attr-defined]
    assert screen_name(name="Elvis Logan Morey") == []


def test_unknown_entity_type_is_refused() -> None:
    with pytest.raises(ScreeningError):
        screen_name(name="x", entity_type="vessel")


@pytest.mark.usefixtures("fixture_list")
def test_cleared_hit_is_suppressed_for_that_merchant_only() -> None:
    merchant, other = MerchantFactory.create(), MerchantFactory.create()
    analyst = get_user_model().objects.create_user("analyst")
    cleared = screening_hit_clear(
        merchant_id=merchant.pk,
        list_source="ofac_sdn",
        entity_id="44525",
        cleared_by=analyst,
        reason="Different company: Minsk steel trader, ours is in Ohio",
    )
    assert cleared.cleared_by == analyst and len(cleared.content_hash) == 64
    assert screen_name(name="BEL-KAP-STEEL LLC", merchant_id=merchant.pk) == []
    assert [h.entity_id for h in screen_name(name="BEL-KAP-STEEL LLC", merchant_id=other.pk)] == [
        "44525"
    ]


@pytest.mark.usefixtures("fixture_list")
def test_cleared_hit_comes_back_when_the_list_entry_changes(tmp_path: Path) -> None:
    merchant = MerchantFactory.create()
    screening_hit_clear(
        merchant_id=merchant.pk, list_source="ofac_sdn", entity_id="44525", reason="not us"
    )
    changed = tmp_path / "sdn.csv"
    text = (FIXTURE_FILES[2]).read_text("utf-8")
    assert FIXTURE_FILES[2].name == "sdn.csv"
    changed.write_text(
        text.replace(
            '"BEL-KAP-STEEL LLC",-0- ,"BELARUS-EO14038"',
            '"BEL-KAP-STEEL LLC",-0- ,"BELARUS-EO14038] [NEW-PROGRAM"',
        )
    )
    watchlist_load(source="ofac_sdn", paths=[changed])
    (hit,) = screen_name(name="BEL-KAP-STEEL LLC", merchant_id=merchant.pk)
    assert hit.programs == ("BELARUS-EO14038", "NEW-PROGRAM")


@pytest.mark.usefixtures("fixture_list")
def test_clearing_again_is_refused_until_the_entry_changes_and_needs_a_reason(
    tmp_path: Path,
) -> None:
    """A second clearing of an unchanged entry replaced who cleared it and why (two analysts
    clicking at once: the last one won, the first was in the audit log only)."""
    merchant = MerchantFactory.create()
    first = get_user_model().objects.create_user("first")
    screening_hit_clear(
        merchant_id=merchant.pk,
        list_source="ofac_sdn",
        entity_id="44525",
        reason="a",
        cleared_by=first,
    )
    with pytest.raises(HitAlreadyCleared, match="already cleared for this merchant, by first"):
        screening_hit_clear(
            merchant_id=merchant.pk, list_source="ofac_sdn", entity_id="44525", reason="b"
        )
    assert list(ClearedHit.objects.values_list("reason", flat=True)) == ["a"]
    changed = tmp_path / "sdn.csv"
    changed.write_text(
        FIXTURE_FILES[2].read_text("utf-8").replace('"BELARUS-EO14038"', '"BELARUS-EO14038] [X"')
    )
    watchlist_load(source="ofac_sdn", paths=[changed])
    screening_hit_clear(
        merchant_id=merchant.pk, list_source="ofac_sdn", entity_id="44525", reason="b"
    )
    assert list(ClearedHit.objects.values_list("reason", flat=True)) == ["b"]
    with pytest.raises(ScreeningError, match="reason"):
        screening_hit_clear(
            merchant_id=merchant.pk, list_source="ofac_sdn", entity_id="44525", reason=" "
        )
    with pytest.raises(UnknownListEntity):
        screening_hit_clear(
            merchant_id=merchant.pk, list_source="un", entity_id="44525", reason="x"
        )


@pytest.mark.django_db
def test_matches_only_finds_exactly_the_matches_of_a_full_screen(fixture_list: None) -> None:
    """Ongoing monitoring asks for matches only (the other type's names skipped): the same
    matches, with the same scores, as a full screen's. (Searching from the threshold instead of
    the report floor lost "S.R.O. OTC, SUEX" here.)"""
    from screening import selectors

    _, entities = selectors.watchlist_snapshot()
    queries: list[tuple[str, str, str | None]] = []
    for entity in entities:
        for name in (entity.primary_name, *entity.aliases):
            words = name.split()
            variants = {name, " ".join(reversed(words)), name[:-1], " ".join(words[:-1])}
            variants |= {f"{name} Holdings", name.replace("A", "E", 1)}
            for variant in variants:
                for entity_type in ("any", "person", "organization"):
                    for country in (None, *entity.countries[:1], "Nowhere"):
                        queries.append((variant, entity_type, country))
    assert len(queries) > 500
    compared = 0
    for name, entity_type, country in queries:
        if not name.strip():
            continue
        full = [
            (h.list, h.entity_id, h.score)
            for h in screen_name(name=name, entity_type=entity_type, country=country, limit=50)
            if h.match
        ]
        only = [
            (h.list, h.entity_id, h.score)
            for h in screen_name(
                name=name, entity_type=entity_type, country=country, limit=50, matches_only=True
            )
        ]
        assert only == full, (name, entity_type, country)
        compared += bool(full)
    assert compared > 100  # most of the queries do match something


def test_a_typed_search_from_the_threshold_skips_the_other_type(
    fixture_index: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.matching import index as index_module
    from screening.matching.index import build_qualifiers

    searched: list[bool] = []
    original = index_module._Partition.candidates

    def spy(self: Any, query: Any, floor: float, *args: Any) -> Any:
        searched.append(self.person)
        return original(self, query, floor, *args)

    monkeypatch.setattr(index_module._Partition, "candidates", spy)
    qualifiers = build_qualifiers(entity_type="organization", country=None, identifiers=())
    search = fixture_index.search
    assert search("Hesa Trade Center", qualifiers=qualifiers, floor=0.75, limit=5, at_least=0.85)
    assert searched == [False]  # a person's name cannot reach 0.85 against an organisation
    searched.clear()
    assert search("Hesa Trade Center", qualifiers=qualifiers, floor=0.75, limit=5)
    assert sorted(searched) == [False, True]  # the report floor still shows near misses


def test_organisations_match_from_their_own_threshold(settings: pytest.FixtureRequest) -> None:
    """Organisations match from 0.78, persons from 0.85 (docs/screening.md, "Thresholds"): two
    real aliases from the OFAC list, each scoring between the two thresholds."""
    org = ListEntity("ofac_sdn", "10863", "organization", "7TH OF TIR")
    person = ListEntity("ofac_sdn", "7", "person", "Omar Mahmoud UTHMAN")
    index = ScreeningIndex([org, person])
    (company,) = screen_name(name="7TH OF TIR INDUSTRIES", entity_type="organization", index=index)
    (someone,) = screen_name(name="Umar UTHMAN", entity_type="person", index=index)
    assert 0.78 <= company.score < 0.85 and company.match is True
    assert 0.78 <= someone.score < 0.85 and someone.match is False  # a near miss
    # Monitoring keeps matches only: the organisation, not the person.
    assert screen_name(name="Umar UTHMAN", index=index, matches_only=True) == []
    assert screen_name(name="7TH OF TIR INDUSTRIES", index=index, matches_only=True)
    # A name screened as a person's meets organisations at the default threshold (the type
    # penalty leaves an identical name at 0.80), and monitoring skips them for it.
    (crossed,) = screen_name(name="7TH OF TIR", entity_type="person", index=index)
    assert crossed.score == pytest.approx(0.80) and crossed.match is False
    assert (
        screen_name(name="7TH OF TIR", entity_type="person", index=index, matches_only=True) == []
    )
    settings.SCREENING_ORG_MATCH_THRESHOLD = 0.85  # type: ignore[attr-defined]
    (company,) = screen_name(name="7TH OF TIR INDUSTRIES", entity_type="organization", index=index)
    assert company.match is False
