"""Download the official lists from their publishers and load a new version when they changed.

One feed per source (``FEEDS``): the files it consists of, in load order, each with the local
name the parser recognises. ``watchlist_refresh(source=...)``:

1. asks for the first (primary) file with ``If-None-Match`` / ``If-Modified-Since`` from the last
   successful load; a 304 ends the run (``not_modified``);
2. downloads the other files (if any) in full, through ``kyb.outbound`` (pooled, SSRF-guarded,
   timeouts, size cap, retries), refusing an error status, an empty body or an HTML page;
3. stops when the files are byte-identical to the active version's (a server without validators);
4. loads them with ``watchlist_load(min_ratio=SCREENING_REFRESH_MIN_RATIO)``: the file must parse
   and hold at least that fraction of the active version's entries, else the load is refused;
   the new version replaces the old in one transaction, with the publisher's date (the date in
   the file, else the primary file's ``Last-Modified``).

Any failure leaves the active list as it was, is recorded on the ``WatchListFeed`` row
(``outcome=failed``, the error, consecutive failures) and logged; validators are only stored
after a successful load, so a failed attempt is retried in full next time.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from kyb import outbound
from screening.loaders import LoadError
from screening.models import FetchOutcome, ListSource, WatchList, WatchListFeed
from screening.services import ScreeningError, watchlist_load

logger = logging.getLogger(__name__)

PROVIDER = "watchlists"

# source -> [(official URL, local file name the parser recognises)]
FEEDS: dict[str, list[tuple[str, str]]] = {
    ListSource.OFAC_SDN: [
        ("https://www.treasury.gov/ofac/downloads/sdn.csv", "sdn.csv"),
        ("https://www.treasury.gov/ofac/downloads/alt.csv", "alt.csv"),
        ("https://www.treasury.gov/ofac/downloads/add.csv", "add.csv"),
        ("https://www.treasury.gov/ofac/downloads/sdn_comments.csv", "sdn_comments.csv"),
    ],
    ListSource.OFAC_CONS: [
        ("https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv", "cons_prim.csv"),
        ("https://www.treasury.gov/ofac/downloads/consolidated/cons_alt.csv", "cons_alt.csv"),
        ("https://www.treasury.gov/ofac/downloads/consolidated/cons_add.csv", "cons_add.csv"),
        (
            "https://www.treasury.gov/ofac/downloads/consolidated/cons_comments.csv",
            "cons_comments.csv",
        ),
    ],
    ListSource.UN: [
        ("https://scsanctions.un.org/resources/xml/en/consolidated.xml", "consolidated.xml")
    ],
    ListSource.EU_FSF: [
        (
            "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
            "?token=dG9rZW4tMjAxNw",
            "eu_fsf.xml",
        )
    ],
    ListSource.UK_FCDO: [
        ("https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml", "uk_sanctions_list.xml")
    ],
    ListSource.UK_OFSI: [
        (
            "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv",
            "ConList.csv",
        )
    ],
    ListSource.CH_SECO: [
        (
            "https://www.sesam.search.admin.ch/sesam-search-web/pages/downloadXmlGesamtliste.xhtml"
            "?lang=en&action=downloadXmlGesamtlisteAction",
            "seco.xml",
        )
    ],
    ListSource.CA_SEMA: [
        (
            "https://www.international.gc.ca/world-monde/assets/office_docs/"
            "international_relations-relations_internationales/sanctions/sema-lmes.xml",
            "sema-lmes.xml",
        )
    ],
}


class FetchError(ScreeningError):
    """A download that cannot be used: error status, empty body, an HTML page, a network error."""


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """How one source's refresh ended; ``version`` is the new active version when loaded."""

    source: str
    outcome: str
    message: str
    version: int | None = None
    entries: int | None = None
    published_at: datetime | None = None


def feed_urls(source: str) -> list[tuple[str, str]]:
    """The (URL, local name) pairs of ``source``, with ``SCREENING_FEED_URLS`` overrides
    (``source=url[,url...];source=url``; URLs replace the defaults in order)."""
    if source not in FEEDS:
        raise ScreeningError(f"no feed for source {source!r}; known: {', '.join(FEEDS)}")
    files = list(FEEDS[source])
    for item in filter(None, (p.strip() for p in settings.SCREENING_FEED_URLS.split(";"))):
        key, _, urls = item.partition("=")
        if key.strip() != source:
            continue
        for position, url in enumerate(u.strip() for u in urls.split(",")):
            if position < len(files) and url:
                files[position] = (url, files[position][1])
    return files


def refresh_sources() -> list[str]:
    """The sources the beat task refreshes (``SCREENING_REFRESH_SOURCES``)."""
    return [s for s in settings.SCREENING_REFRESH_SOURCES if s in FEEDS]


def _get(url: str, headers: dict[str, str]) -> outbound.OutboundResponse:
    try:
        response = outbound.request(
            "GET",
            url,
            headers=headers,
            timeout=settings.SCREENING_FETCH_TIMEOUT,
            max_bytes=settings.SCREENING_FETCH_MAX_BYTES,
            provider=PROVIDER,
        )
    except outbound.OutboundError as exc:
        raise FetchError(f"{url}: {exc}") from exc
    if response.status == 304:
        return response
    if response.status != 200:
        raise FetchError(f"{url}: HTTP {response.status}")
    if not response.body.strip():
        raise FetchError(f"{url}: empty response")
    head = response.body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or "html" in response.headers.get(
        "content-type", ""
    ):
        raise FetchError(f"{url}: an HTML page, not the list file")
    return response


def _http_date(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return parsed if parsed is None or parsed.tzinfo else timezone.make_aware(parsed)


def _same_as_active(source: str, bodies: list[tuple[str, bytes]]) -> bool:
    active = WatchList.objects.filter(source=source, name=source, is_active=True).first()
    if active is None:
        return False
    digests = [{"name": n, "sha256": hashlib.sha256(b).hexdigest()} for n, b in bodies]
    return bool(active.files == digests)


def _download(
    feed: WatchListFeed, files: list[tuple[str, str]]
) -> tuple[list[tuple[str, bytes]] | None, outbound.OutboundResponse | None]:
    conditional: dict[str, str] = {}
    if feed.url == files[0][0]:  # validators belong to the URL they came from
        if feed.etag:
            conditional["If-None-Match"] = feed.etag
        if feed.last_modified:
            conditional["If-Modified-Since"] = feed.last_modified
    primary = _get(files[0][0], conditional)
    if primary.status == 304:
        return None, primary
    bodies = [(files[0][1], primary.body)]
    bodies += [(name, _get(url, {}).body) for url, name in files[1:]]
    return bodies, primary


def watchlist_refresh(*, source: str) -> RefreshResult:
    """Fetch ``source`` from its publisher and load it if it changed; never raises for a bad
    download (the result says what happened; the active list stays)."""
    files = feed_urls(source)
    feed, _ = WatchListFeed.objects.get_or_create(source=source, defaults={"url": files[0][0]})
    feed.checked_at = timezone.now()
    try:
        result = _refresh(feed, source, files)
    except (ScreeningError, LoadError, ValueError, OSError) as exc:
        feed.outcome, feed.error = FetchOutcome.FAILED, str(exc)[:2000]
        feed.failures += 1
        feed.save()
        logger.warning(
            "watchlist refresh failed", extra={"source": source, "error": str(exc)[:500]}
        )
        return RefreshResult(source, FetchOutcome.FAILED, str(exc))
    feed.outcome, feed.error, feed.failures = result.outcome, "", 0
    feed.succeeded_at = feed.checked_at
    feed.save()
    logger.info("watchlist refresh", extra={"source": source, "outcome": result.outcome})
    return result


def _refresh(feed: WatchListFeed, source: str, files: list[tuple[str, str]]) -> RefreshResult:
    bodies, primary = _download(feed, files)
    if bodies is None or primary is None:
        return RefreshResult(source, FetchOutcome.NOT_MODIFIED, "not modified (304)")
    if _same_as_active(source, bodies):
        _remember_validators(feed, files[0][0], primary)
        return RefreshResult(source, FetchOutcome.NOT_MODIFIED, "same files as the active list")
    with tempfile.TemporaryDirectory(prefix=f"watchlist-{source}-") as folder:
        paths = []
        for name, body in bodies:
            path = Path(folder) / name
            path.write_bytes(body)
            paths.append(path)
        loaded = watchlist_load(
            source=source,
            paths=paths,
            published_at=_http_date(primary.headers.get("last-modified", "")),
            origin=files[0][0],
            min_ratio=settings.SCREENING_REFRESH_MIN_RATIO,
        )
    _remember_validators(feed, files[0][0], primary)
    watchlist = loaded.watchlist
    return RefreshResult(
        source,
        FetchOutcome.LOADED,
        f"v{watchlist.version}: {watchlist.entry_count} entries, {len(loaded.issues)} rows skipped",
        watchlist.version,
        watchlist.entry_count,
        watchlist.published_at,
    )


def _remember_validators(
    feed: WatchListFeed, url: str, response: outbound.OutboundResponse
) -> None:
    feed.url = url
    feed.etag = response.headers.get("etag", "")[:500]
    feed.last_modified = response.headers.get("last-modified", "")[:100]
