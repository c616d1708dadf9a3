"""The per-process index: a load committed during a rebuild is not forgotten, and a failed
version check does not fail screening that the current index can answer."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError

from screening import engine, selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_engine() -> Any:
    engine.reset()
    yield
    engine.reset()


def test_an_expire_during_a_rebuild_makes_the_next_query_check_again(settings: Any) -> None:
    settings.SCREENING_VERSION_CHECK_SECONDS = 60
    engine.current_index()
    real_build = engine._build

    def build_while_a_load_commits() -> Any:
        index = real_build()  # the snapshot predates the load
        engine.expire()  # the load's on_commit
        return index

    engine._checked_at = float("-inf")
    with (
        mock.patch.object(selectors, "watchlist_stamp", return_value="changed"),
        mock.patch.object(engine, "_build", build_while_a_load_commits),
    ):
        engine.current_index()
    with mock.patch.object(selectors, "watchlist_stamp", return_value="x") as stamp:
        engine.current_index()
    assert stamp.called  # checked at once, not after SCREENING_VERSION_CHECK_SECONDS


def test_a_failed_version_check_keeps_screening_with_the_current_index(settings: Any) -> None:
    from screening.services import screen_name

    settings.SCREENING_VERSION_CHECK_SECONDS = 0
    engine.current_index()
    with mock.patch.object(selectors, "watchlist_stamp", side_effect=OperationalError("blip")):
        assert screen_name(name="Acme Trading Ltd") == []


def test_without_an_index_a_failed_check_is_an_error(settings: Any) -> None:
    with (
        mock.patch.object(selectors, "watchlist_stamp", side_effect=OperationalError("blip")),
        pytest.raises(OperationalError),
    ):
        engine.current_index()
