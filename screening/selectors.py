"""Reads: active list versions, the snapshot the matcher is built from, cleared hits."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from screening.matching.index import ListEntity
from screening.models import ClearedHit, WatchList, WatchListChange, WatchListEntry


def watchlists_active() -> QuerySet[WatchList]:
    """The versions screening uses now, one per (source, name)."""
    return WatchList.objects.filter(is_active=True).order_by("source", "name")


def watchlist_stamp() -> str:
    """A cheap fingerprint of the active versions: changes whenever any list is reloaded."""
    ids = watchlists_active().order_by("id").values_list("id", flat=True)
    return ",".join(str(i) for i in ids)


def watchlist_snapshot() -> tuple[str, list[ListEntity]]:
    """The stamp and every entry of the active versions, read from one database snapshot.

    REPEATABLE READ makes both queries see the same committed state, so a load that commits
    between them cannot produce an index with a stamp that does not describe its entries.
    """
    outer = connection.in_atomic_block  # inside a caller's transaction: its snapshot rules apply
    with transaction.atomic():
        if not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        stamp = watchlist_stamp()
        rows = (
            WatchListEntry.objects.filter(watchlist__is_active=True)
            .order_by("watchlist_id", "id")
            .values_list(
                "watchlist__source",
                "entity_id",
                "entity_type",
                "primary_name",
                "aliases",
                "programs",
                "countries",
                "identifiers",
                "content_hash",
            )
            .iterator(chunk_size=5000)
        )
        # Each row brings its own copy of the source, the type, every program and country
        # code: tens of thousands of equal strings and tuples, held once each instead (about
        # 3 MB of every process's index with the bundled lists).
        shared: dict[Any, Any] = {}
        once = shared.setdefault
        entities = [
            ListEntity(
                list_source=once(source, source),
                entity_id=entity_id,
                entity_type=once(entity_type, entity_type),
                primary_name=primary_name,
                aliases=tuple(aliases),
                programs=_held_once(programs, once),
                countries=_held_once(countries, once),
                identifiers=tuple(str(i.get("value", "")) for i in identifiers),
                content_hash=content_hash,
            )
            for (
                source,
                entity_id,
                entity_type,
                primary_name,
                aliases,
                programs,
                countries,
                identifiers,
                content_hash,
            ) in rows
        ]
    return stamp, entities


def _held_once(values: list[str], once: Callable[[Any, Any], Any]) -> tuple[str, ...]:
    held = tuple(once(value, value) for value in values)
    return once(held, held)  # type: ignore[no-any-return]


def watchlist_entry_current(*, list_source: str, entity_id: str) -> WatchListEntry | None:
    """The entry an active version of `list_source` publishes for `entity_id`, if any."""
    return (
        WatchListEntry.objects.filter(
            watchlist__is_active=True, watchlist__source=list_source, entity_id=entity_id
        )
        .select_related("watchlist")
        .first()
    )


def cleared_hits_for_merchant(*, merchant_id: uuid.UUID) -> dict[tuple[str, str], str]:
    """``{(list_source, entity_id): content hash at clearing}`` for one merchant."""
    rows = ClearedHit.objects.filter(merchant_id=merchant_id).values_list(
        "list_source", "entity_id", "content_hash"
    )
    return {(source, entity_id): content_hash for source, entity_id, content_hash in rows}


def watchlist_entries_current(
    *, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], WatchListEntry]:
    """``{(list_source, entity_id): entry}`` of the active versions, for many keys at once
    (one query: the review page shows every hit beside its list entry)."""
    wanted = set(keys)
    if not wanted:
        return {}
    condition = Q()
    for source, entity_id in wanted:
        condition |= Q(watchlist__source=source, entity_id=entity_id)
    rows = WatchListEntry.objects.filter(condition, watchlist__is_active=True).select_related(
        "watchlist"
    )
    return {(row.watchlist.source, row.entity_id): row for row in rows}


BUNDLED_ORIGIN = "bundled snapshot"


def watchlist_is_stale(watchlist: WatchList, *, now: datetime | None = None) -> bool:
    """Official lists are stale once their publisher's date (or, when unknown, their load time)
    is older than ``SCREENING_STALE_DAYS``; a bundled snapshot always is; custom lists never."""
    if watchlist.source == "custom":
        return False
    if watchlist.origin == BUNDLED_ORIGIN:
        return True
    as_of = watchlist.published_at or watchlist.loaded_at
    limit = timedelta(days=float(getattr(settings, "SCREENING_STALE_DAYS", 8.0)))
    return (now or timezone.now()) - as_of > limit


def watchlist_freshness() -> list[dict[str, Any]]:
    """Every active list with its publisher's date and whether it is stale (for /readyz,
    the console and the ``screen`` API's list metadata)."""
    now = timezone.now()
    return [
        {
            "source": wl.source,
            "name": wl.name,
            "version": wl.version,
            "published_at": wl.published_at,
            "loaded_at": wl.loaded_at,
            "entry_count": wl.entry_count,
            "bundled": wl.origin == BUNDLED_ORIGIN,
            "stale": watchlist_is_stale(wl, now=now),
        }
        for wl in watchlists_active()
    ]


def watchlist_change_entities(*, change: WatchListChange) -> list[ListEntity]:
    """The added and changed entries of a list change, as the matcher sees them."""
    ids = [*change.added, *change.changed]
    rows = WatchListEntry.objects.filter(watchlist_id=change.watchlist_id, entity_id__in=ids)
    return [
        ListEntity(
            list_source=change.source,
            entity_id=row.entity_id,
            entity_type=row.entity_type,
            primary_name=row.primary_name,
            aliases=tuple(row.aliases),
            programs=tuple(row.programs),
            countries=tuple(row.countries),
            identifiers=tuple(str(i.get("value", "")) for i in row.identifiers),
            content_hash=row.content_hash,
        )
        for row in rows.iterator(chunk_size=2000)
    ]


def cleared_hits_for_entities(
    *, list_source: str, entity_ids: Iterable[str]
) -> dict[uuid.UUID, dict[tuple[str, str], str]]:
    """``{merchant_id: {(list_source, entity_id): hash}}`` of the hits cleared on these
    entities (one query for a whole re-screen)."""
    out: dict[uuid.UUID, dict[tuple[str, str], str]] = {}
    rows = ClearedHit.objects.filter(
        list_source=list_source, entity_id__in=list(entity_ids)
    ).values_list("merchant_id", "entity_id", "content_hash")
    for merchant_id, entity_id, content_hash in rows:
        out.setdefault(merchant_id, {})[(list_source, entity_id)] = content_hash
    return out
