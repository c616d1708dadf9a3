"""A reload never leaves a window in which screening sees a missing or half-loaded list."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from screening import selectors
from screening.services import screen_name, watchlist_load
from screening.tests.conftest import FIXTURE_FILES


@pytest.mark.django_db(transaction=True)
def test_concurrent_reader_always_sees_one_whole_list_version() -> None:
    watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    done = threading.Event()
    first_read = threading.Event()
    sizes: list[int] = []
    found: list[bool] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not done.is_set():
                _, entities = selectors.watchlist_snapshot()
                sizes.append(len(entities))
                hits = screen_name(name="Elvis Logan Morey")  # rebuilds the index on every reload
                found.append(any(h.entity_id == "10278" and h.match for h in hits))
                first_read.set()
        except BaseException as exc:  # noqa: BLE001 - surfaced to the test thread below
            errors.append(exc)
            first_read.set()
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    first_read.wait(timeout=30)
    reads_before = len(sizes)
    for _ in range(5):
        watchlist_load(source="ofac_sdn", paths=FIXTURE_FILES)
    done.set()
    thread.join(timeout=60)
    assert errors == []
    assert len(sizes) > reads_before  # the reader really ran while the lists were reloaded
    assert set(sizes) == {17}
    assert all(found)
