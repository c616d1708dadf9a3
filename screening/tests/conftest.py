"""Screening fixtures: the shipped 17-entry OFAC fixture, a fresh per-test matcher."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from screening import engine
from screening.loaders import parse_files
from screening.matching.index import ListEntity, ScreeningIndex

DATA = Path(__file__).resolve().parent.parent / "data"
FIXTURE_FILES = sorted((DATA / "ofac_small_fixture").glob("*.csv"))


@pytest.fixture(autouse=True)
def _fresh_engine(settings: pytest.FixtureRequest) -> Iterator[None]:
    # Every query re-checks the active versions, so a load inside a test is seen at once.
    settings.SCREENING_VERSION_CHECK_SECONDS = 0  # type: ignore[attr-defined]
    engine.reset()
    yield
    engine.reset()


def entities_from(source: str, paths: list[Path]) -> list[ListEntity]:
    """Parse files straight into matcher entities (no database)."""
    return [
        ListEntity(
            list_source=source,
            entity_id=e.entity_id,
            entity_type=e.entity_type,
            primary_name=e.primary_name,
            aliases=tuple(e.aliases),
            programs=tuple(e.programs),
            countries=tuple(e.countries),
            identifiers=tuple(i.value for i in e.identifiers),
            content_hash=e.content_hash(),
        )
        for e in parse_files(source, paths).entries
    ]


@pytest.fixture(scope="session")
def fixture_index() -> ScreeningIndex:
    return ScreeningIndex(entities_from("ofac_sdn", FIXTURE_FILES))


@pytest.fixture
def fixture_list(db: None) -> None:
    from screening.services import watchlist_load

    watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
