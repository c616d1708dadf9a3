"""The per-process index: no database work per query, rebuilt when a list version changes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from screening.services import screen_name, watchlist_load
from screening.tests.conftest import FIXTURE_FILES

pytestmark = pytest.mark.django_db


@pytest.fixture
def slow_checks(settings: Any) -> None:
    settings.SCREENING_VERSION_CHECK_SECONDS = 60


@pytest.mark.usefixtures("fixture_list", "slow_checks")
def test_queries_inside_the_check_interval_touch_no_database(
    django_assert_num_queries: Any,
) -> None:
    screen_name(name="warm up")
    with django_assert_num_queries(0):
        for _ in range(5):
            assert screen_name(name="Elvis Logan Morey")[0].entity_id == "10278"


@pytest.mark.usefixtures("slow_checks")
def test_a_reload_elsewhere_is_picked_up_after_the_interval(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    assert screen_name(name="Elvis Logan Morey")
    # Another process loads a list without Elvis; this process has not been told (no on_commit).
    sdn = tmp_path / "sdn.csv"
    lines = FIXTURE_FILES[2].read_text("utf-8").splitlines()
    sdn.write_text("\n".join(line for line in lines if not line.startswith("10278,")) + "\n")
    watchlist_load(source="ofac_sdn", paths=[sdn])
    assert screen_name(name="Elvis Logan Morey")  # still the old index, by design
    now = time.monotonic()
    monkeypatch.setattr("screening.engine.time.monotonic", lambda: now + 61)
    assert screen_name(name="Elvis Logan Morey") == []


@pytest.mark.usefixtures("slow_checks")
def test_a_load_in_this_process_is_seen_at_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert screen_name(name="Elvis Logan Morey") == []
    with django_capture_on_commit_callbacks(execute=True):
        watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    assert screen_name(name="Elvis Logan Morey")[0].entity_id == "10278"
