"""The 17-entry OFAC fixture, parsed and indexed without a database."""

from __future__ import annotations

from screening.loaders import parse_files
from screening.matching.index import ScreeningIndex, build_qualifiers
from screening.tests.conftest import FIXTURE_FILES


def best(index: ScreeningIndex, name: str, entity_type: str = "any") -> tuple[str, float] | None:
    qualifiers = build_qualifiers(entity_type=entity_type, country=None, identifiers=())
    hits = index.search(name, qualifiers=qualifiers, floor=0.75, limit=5)
    return (hits[0].entity.entity_id, hits[0].score) if hits else None


def test_every_primary_name_and_alias_of_the_fixture_matches(fixture_index: ScreeningIndex) -> None:
    for entry in parse_files("ofac_sdn", FIXTURE_FILES).entries:
        for name in (entry.primary_name, *entry.aliases):
            qualifiers = build_qualifiers(entity_type="any", country=None, identifiers=())
            hits = fixture_index.search(name, qualifiers=qualifiers, floor=0.85, limit=10)
            assert entry.entity_id in {h.entity.entity_id for h in hits}, name


def test_fixture_identifiers_are_parsed_from_remarks() -> None:
    entries = {e.entity_id: e for e in parse_files("ofac_sdn", FIXTURE_FILES).entries}
    suex = entries["33151"]
    assert ("Legal Entity Number", "5299007NTWCC3U23WM81") in {
        (i.type, i.value) for i in suex.identifiers
    }
    assert "SUCCESSFUL EXCHANGE" in suex.aliases  # from the remarks' a.k.a.
    logan = entries["10278"]
    assert logan.entity_type == "person"
    assert logan.dates_of_birth == ["28 Jul 1963"]
    assert logan.primary_name == "Elvis Angus LOGAN MOREY"


def test_vessels_and_aircraft_are_typed(fixture_index: ScreeningIndex) -> None:
    entries = {e.entity_id: e for e in parse_files("ofac_sdn", FIXTURE_FILES).entries}
    assert entries["40716"].entity_type == "vessel"
    assert entries["20540"].entity_type == "aircraft"
    assert best(fixture_index, "IRIS MAKRAN") == ("40716", 1.0)
