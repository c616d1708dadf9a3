"""Reads: active list versions, the snapshot the matcher is built from, cleared hits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q, QuerySet

from screening.matching.index import ListEntity
from screening.models import ClearedHit, WatchList, WatchListEntry


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
        entities = [
            ListEntity(
                list_source=source,
                entity_id=entity_id,
                entity_type=entity_type,
                primary_name=primary_name,
                aliases=tuple(aliases),
                programs=tuple(programs),
                countries=tuple(countries),
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
