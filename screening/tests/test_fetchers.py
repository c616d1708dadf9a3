"""Fetching official lists from a local server speaking the publishers' formats: conditional
GETs, validation, atomic swap, the publisher's date; a bad download never replaces a list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from screening import fetchers
from screening.models import FetchOutcome, WatchList, WatchListChange, WatchListFeed
from screening.tests.conftest import DATA, FIXTURE_FILES
from screening.tests.listserver import ListServer, Served
from screening.tests.test_official_loaders import EU, SEMA

pytestmark = pytest.mark.django_db


@pytest.fixture
def server(settings: Any) -> Iterator[ListServer]:
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True  # the publisher is on 127.0.0.1 here
    settings.OUTBOUND_RETRIES = 0
    settings.SCREENING_FETCH_TIMEOUT = 1.0
    settings.SCREENING_REFRESH_MIN_RATIO = 0.9
    srv = ListServer()
    settings.SCREENING_FEED_URLS = (
        f"eu_fsf={srv.url('/eu.xml')};ca_sema={srv.url('/sema.xml')};"
        f"ofac_sdn={srv.url('/sdn.csv')},{srv.url('/alt.csv')},{srv.url('/add.csv')},"
        f"{srv.url('/sdn_comments.csv')}"
    )
    yield srv
    srv.close()


def _active(source: str) -> WatchList:
    return WatchList.objects.get(source=source, is_active=True)


def _serve_sema(server: ListServer, body: bytes | None = None, **kwargs: Any) -> Served:
    served = Served(body if body is not None else SEMA.read_bytes(), **kwargs)
    server.files["/sema.xml"] = served
    return served


def _sema_with(records: int) -> bytes:
    """The SEMA sample cut to its first ``records`` records (still well-formed)."""
    text = SEMA.read_text("utf-8")
    head, _, rest = text.partition("\t<record>")
    kept = ("\t<record>" + rest).split("\t<record>")[1 : records + 1]
    return (head + "".join("\t<record>" + r for r in kept).rstrip() + "\n</data-set>\n").encode()


def test_refresh_loads_records_publisher_date_and_then_sends_if_none_match(
    server: ListServer,
) -> None:
    served = Served(EU.read_bytes(), etag='"v1"', last_modified="Wed, 05 Aug 2026 15:00:00 GMT")
    server.files["/eu.xml"] = served
    first = fetchers.watchlist_refresh(source="eu_fsf")
    assert (first.outcome, first.entries) == (FetchOutcome.LOADED, 17)
    active = _active("eu_fsf")
    # The generation date printed in the file wins over Last-Modified.
    assert active.published_at == datetime(2026, 8, 5, 14, 47, 4, 449000, tzinfo=UTC)
    assert active.origin == server.url("/eu.xml")
    second = fetchers.watchlist_refresh(source="eu_fsf")
    assert second.outcome == FetchOutcome.NOT_MODIFIED
    assert served.requests[-1]["If-None-Match"] == '"v1"'
    assert served.requests[-1]["If-Modified-Since"] == "Wed, 05 Aug 2026 15:00:00 GMT"
    assert WatchList.objects.filter(source="eu_fsf").count() == 1
    feed = WatchListFeed.objects.get(source="eu_fsf")
    assert (feed.outcome, feed.failures, feed.etag) == (FetchOutcome.NOT_MODIFIED, 0, '"v1"')


def test_same_file_without_validators_is_not_loaded_again(server: ListServer) -> None:
    _serve_sema(server)
    assert fetchers.watchlist_refresh(source="ca_sema").outcome == FetchOutcome.LOADED
    assert fetchers.watchlist_refresh(source="ca_sema").outcome == FetchOutcome.NOT_MODIFIED
    assert WatchList.objects.filter(source="ca_sema").count() == 1


def test_ofac_csv_set_takes_its_publisher_date_from_last_modified(server: ListServer) -> None:
    for path in FIXTURE_FILES:
        server.files[f"/{path.name}"] = Served(
            path.read_bytes(),
            content_type="text/csv",
            last_modified="Fri, 27 Nov 2026 14:05:00 GMT",
        )
    result = fetchers.watchlist_refresh(source="ofac_sdn")
    assert (result.outcome, result.entries) == (FetchOutcome.LOADED, 17)
    assert _active("ofac_sdn").published_at == datetime(2026, 11, 27, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("truncated", "sema.xml"),  # the connection closes before Content-Length bytes
        ("html", "HTML page"),
        ("error", "HTTP 503"),
        ("empty", "empty response"),
        ("slow", "timed out|Read timed out|timeout"),
    ],
)
def test_a_bad_download_never_replaces_the_active_list(
    server: ListServer, mode: str, expected: str
) -> None:
    _serve_sema(server)
    fetchers.watchlist_refresh(source="ca_sema")
    before = _active("ca_sema")
    _serve_sema(server, _sema_with(44), mode=mode, delay=2.0 if mode == "slow" else 0.0)
    result = fetchers.watchlist_refresh(source="ca_sema")
    assert result.outcome == FetchOutcome.FAILED
    assert re.search(expected, result.message, re.IGNORECASE), result.message
    assert _active("ca_sema").pk == before.pk
    assert WatchList.objects.filter(source="ca_sema").count() == 1
    feed = WatchListFeed.objects.get(source="ca_sema")
    assert (feed.outcome, feed.failures) == (FetchOutcome.FAILED, 1)


def test_a_well_formed_but_truncated_xml_body_is_refused(server: ListServer) -> None:
    _serve_sema(server)
    fetchers.watchlist_refresh(source="ca_sema")
    before = _active("ca_sema")
    cut = SEMA.read_bytes()[: len(SEMA.read_bytes()) * 2 // 3]  # HTTP-complete, XML-incomplete
    _serve_sema(server, cut)
    result = fetchers.watchlist_refresh(source="ca_sema")
    assert result.outcome == FetchOutcome.FAILED and "not well-formed" in result.message
    assert _active("ca_sema").pk == before.pk


def test_a_shrunken_list_is_refused_and_a_small_change_is_loaded(server: ListServer) -> None:
    _serve_sema(server)
    fetchers.watchlist_refresh(source="ca_sema")
    before = _active("ca_sema")
    _serve_sema(server, _sema_with(30))  # 30 of 45 entries: below 90 %
    shrunk = fetchers.watchlist_refresh(source="ca_sema")
    assert shrunk.outcome == FetchOutcome.FAILED and "below 90%" in shrunk.message
    assert _active("ca_sema").pk == before.pk
    _serve_sema(server, _sema_with(44))  # one record removed: within the ratio
    loaded = fetchers.watchlist_refresh(source="ca_sema")
    assert loaded.outcome == FetchOutcome.LOADED and loaded.entries == 44
    change = WatchListChange.objects.get(watchlist=_active("ca_sema"))
    assert (change.added, change.changed, len(change.removed)) == ([], [], 1)


def test_refresh_command_reports_each_source_and_fails_when_one_failed(
    server: ListServer,
) -> None:
    server.files["/eu.xml"] = Served(EU.read_bytes())
    _serve_sema(server, mode="error")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 source"):
        call_command(
            "refresh_watchlists",
            "--source",
            "eu_fsf",
            "--source",
            "ca_sema",
            stdout=out,
            stderr=err,
        )
    assert "eu_fsf: loaded: v1: 17 entries" in out.getvalue()
    assert "published 2026-08-05" in out.getvalue()
    assert "ca_sema: failed" in err.getvalue()
    assert not WatchList.objects.filter(source="ca_sema").exists()


def test_feed_urls_default_to_the_official_publishers(settings: Any) -> None:
    settings.SCREENING_FEED_URLS = ""
    assert fetchers.feed_urls("un")[0][0].startswith("https://scsanctions.un.org/")
    assert [name for _, name in fetchers.feed_urls("ofac_sdn")][:3] == [
        "sdn.csv",
        "alt.csv",
        "add.csv",
    ]
    assert set(fetchers.FEEDS) >= {"eu_fsf", "uk_fcdo", "uk_ofsi", "ch_seco", "ca_sema"}
    assert DATA.exists()


def test_the_beat_task_reruns_a_change_whose_rescreen_never_ran(server: ListServer) -> None:
    from screening.tasks import refresh_watchlists

    _serve_sema(server)
    refresh_watchlists(sources=["ca_sema"])  # loads v1; its change was never sent (no commit)
    change = WatchListChange.objects.get(watchlist=_active("ca_sema"))
    assert change.rescreened_at is not None  # picked up by the same beat run
    assert refresh_watchlists(sources=["ca_sema"]) == {"ca_sema": FetchOutcome.NOT_MODIFIED}
