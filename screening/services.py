"""Screening actions: load a list version, screen a name, clear a false-positive hit."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from kyb.queues import Queue
from screening import engine, events, selectors
from screening.hits import ScreeningHit
from screening.loaders import LoadIssue, ParsedEntry, parse_files
from screening.matching.index import (
    CHANGE_MEMO_MAX,
    ByPartition,
    ScreeningIndex,
    build_qualifiers,
)
from screening.models import (
    ClearedHit,
    ListSource,
    WatchList,
    WatchListChange,
    WatchListEntry,
)

logger = logging.getLogger(__name__)

ENTITY_TYPES = ("any", "person", "organization")
# Hits from this far below the match threshold are returned too (``match`` false), so an analyst
# sees the near misses next to the matches.
REPORT_MARGIN = 0.10
KEEP_VERSIONS = 2
_BATCH = 1000

__all__ = [
    "ScreeningError",
    "ScreeningHit",
    "UnknownListEntity",
    "WatchlistLoadResult",
    "screen_name",
    "screening_hit_clear",
    "watchlist_change_rescreen",
    "watchlist_load",
    "watchlist_prune",
]


class ScreeningError(ValueError):
    """A screening request or load that cannot be carried out as asked."""


class UnknownListEntity(ScreeningError):
    """The entity is not in any active version of the list."""


class HitAlreadyCleared(ScreeningError):
    """The hit is cleared for this merchant already, on the entry as it is now."""


def match_threshold(entity_type: str | None = None) -> float:
    """The score from which a hit on a list entry of ``entity_type`` is a match.

    Organisations have their own threshold (``SCREENING_ORG_MATCH_THRESHOLD``, 0.78): their
    scores are made differently from persons', and on the dev half of the real-pair benchmark
    0.78 is the lowest threshold that keeps false hits on real non-listed companies at or below
    0.3 % (docs/screening.md, "Thresholds"). Persons and every other kind of entry use
    ``SCREENING_MATCH_THRESHOLD`` (0.85).
    """
    if entity_type == "organization":
        return float(getattr(settings, "SCREENING_ORG_MATCH_THRESHOLD", 0.78))
    return float(getattr(settings, "SCREENING_MATCH_THRESHOLD", 0.85))


def match_thresholds() -> dict[str, float]:
    """Every threshold in force: ``organization`` and ``default`` (persons, other kinds)."""
    return {"organization": match_threshold("organization"), "default": match_threshold()}


def search_bounds(thresholds: Mapping[str, float]) -> tuple[ByPartition, ByPartition]:
    """``(floor, match_at)`` of an index search under ``thresholds`` (see ``match_thresholds``).

    Person names are held in one partition of the index, every other kind in the other: the
    persons' threshold is the default one, the others' the lowest in force. Hits are reported
    from ``REPORT_MARGIN`` below them.
    """
    person, other = thresholds["default"], min(thresholds.values())
    floor = ByPartition(max(0.0, person - REPORT_MARGIN), max(0.0, other - REPORT_MARGIN))
    return floor, ByPartition(person, other)


def max_hits() -> int:
    """The default cap on hits per name (``SCREENING_MAX_HITS``)."""
    return int(getattr(settings, "SCREENING_MAX_HITS", 10))


def screen_name(
    *,
    name: str,
    entity_type: str = "any",
    country: str | None = None,
    identifiers: Sequence[str] = (),
    merchant_id: uuid.UUID | None = None,
    limit: int | None = None,
    index: ScreeningIndex | None = None,
    cleared: Mapping[tuple[str, str], str] | None = None,
    matches_only: bool = False,
) -> list[ScreeningHit]:
    """Screen one name against the active lists (or ``index``, e.g. a list change's entries);
    best hits first.

    Hits this merchant's analysts cleared are left out while the list entry is unchanged;
    ``cleared`` passes them in when the caller already read them (a bulk re-screen).
    ``matches_only`` leaves out the near misses reported below the match threshold: a typed
    name then skips the other type's names, which cannot reach it (ongoing monitoring keeps
    only matches).
    """
    if entity_type not in ENTITY_TYPES:
        raise ScreeningError(f"entity_type must be one of {', '.join(ENTITY_TYPES)}")
    thresholds = match_thresholds()
    if entity_type == "person":
        # A person's name meets organisations at the default threshold: after the type
        # penalty only an identical name could reach theirs, and monitoring would search every
        # person's name through the organisations for it.
        thresholds = dict.fromkeys(thresholds, thresholds["default"])
    floor, match_at = search_bounds(thresholds)
    cap = max_hits() if limit is None else limit
    if cleared is None:
        cleared = (
            selectors.cleared_hits_for_merchant(merchant_id=merchant_id) if merchant_id else {}
        )
    qualifiers = build_qualifiers(entity_type=entity_type, country=country, identifiers=identifiers)
    matches = (index or engine.current_index()).search(
        name,
        qualifiers=qualifiers,
        floor=floor,
        at_least=match_at if matches_only else None,
        match_at=match_at,
        limit=cap + len(cleared),
    )
    hits = []
    for found in matches:
        entity = found.entity
        if cleared.get((entity.list_source, entity.entity_id)) == entity.content_hash:
            continue
        # The index filters by partition (persons, everything else); a vessel or an aircraft
        # shares the organisations' partition and floor but not their threshold.
        threshold = thresholds.get(entity.entity_type, thresholds["default"])
        if found.score < threshold - REPORT_MARGIN or (matches_only and found.score < threshold):
            continue
        hits.append(
            ScreeningHit(
                entity_id=entity.entity_id,
                list=entity.list_source,
                name=found.name,
                primary_name=entity.primary_name,
                programs=entity.programs,
                countries=entity.countries,
                score=found.score,
                match=found.score >= threshold,
                explanation=found.explanation,
                entity_type=entity.entity_type,
                content_hash=entity.content_hash,
            )
        )
    return hits[:cap]


@transaction.atomic
def screening_hit_clear(
    *,
    merchant_id: uuid.UUID,
    list_source: str,
    entity_id: str,
    cleared_by: Any = None,
    reason: str,
) -> ClearedHit:
    """Remember that `entity_id` on `list_source` is not this merchant (a false positive).

    The entry's current content hash is stored: if the list later changes the entry, the hit is
    raised again. Clearing again (after such a change) updates the stored hash and reason.
    Clearing a hit already cleared on the entry as it is is refused (``HitAlreadyCleared``):
    the second analyst's click replaced who cleared it and why.
    """
    if not reason.strip():
        raise ScreeningError("a reason is required to clear a hit")
    entry = selectors.watchlist_entry_current(list_source=list_source, entity_id=entity_id)
    if entry is None:
        raise UnknownListEntity(f"{list_source}:{entity_id} is not on an active list")
    key = {"merchant_id": merchant_id, "list_source": list_source, "entity_id": entity_id}
    values = {
        "content_hash": entry.content_hash,
        "cleared_by": cleared_by,
        "reason": reason.strip(),
    }
    with transaction.atomic():
        cleared = ClearedHit.objects.select_for_update().filter(**key).first()
        created = False
        if cleared is None:
            try:
                with transaction.atomic():  # a savepoint: another clearing may win the insert
                    cleared = ClearedHit.objects.create(**key, **values)
                created = True
            except IntegrityError:
                cleared = ClearedHit.objects.select_for_update().get(**key)
        if not created:
            if cleared.content_hash == entry.content_hash:
                who = getattr(cleared.cleared_by, "username", None) or "an analyst"
                raise HitAlreadyCleared(
                    f"{list_source}:{entity_id} is already cleared for this merchant, by {who} "
                    f"on {cleared.created_at:%Y-%m-%d}"
                )
            for name, value in values.items():
                setattr(cleared, name, value)
            cleared.save(update_fields=[*values])
    logger.info(
        "screening hit cleared",
        extra={
            "merchant_id": str(merchant_id),
            "list_source": list_source,
            "entity_id": entity_id,
            "cleared_by": getattr(cleared_by, "pk", None),
            "first_clearing": created,
        },
    )
    return cleared


@dataclass(frozen=True, slots=True)
class WatchlistLoadResult:
    """What a load did: the new active version, the rows it skipped, the old versions pruned."""

    watchlist: WatchList
    replaced: WatchList | None
    issues: list[LoadIssue]
    pruned: int
    warnings: list[LoadIssue] = field(default_factory=list)


def _file_digest(path: Path) -> dict[str, str]:
    return {"name": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def _list_name(source: str, name: str | None) -> str:
    if source == ListSource.CUSTOM:
        name = name or "custom"
        limit = WatchList._meta.get_field("name").max_length or 0
        if len(name) > limit:
            raise ScreeningError(f"list name is {len(name)} characters, the limit is {limit}")
        if "\x00" in name or not name.strip():
            raise ScreeningError("list name must not be blank or contain NUL")
        return name
    if name and name != source:
        raise ScreeningError(f"official source {source} is always named {source!r}")
    return source


def _entry_row(watchlist: WatchList, entry: ParsedEntry, prefix: str) -> WatchListEntry:
    return WatchListEntry(
        watchlist=watchlist,
        entity_id=prefix + entry.entity_id,
        entity_type=entry.entity_type,
        primary_name=entry.primary_name,
        aliases=entry.aliases,
        programs=entry.programs,
        countries=entry.countries,
        identifiers=[asdict(i) for i in entry.identifiers],
        dates_of_birth=entry.dates_of_birth,
        remarks=entry.remarks,
        content_hash=entry.content_hash(),
    )


def watchlist_load(
    *,
    source: str,
    paths: Sequence[Path],
    name: str | None = None,
    progress: Callable[[int], None] | None = None,
    published_at: datetime | None = None,
    origin: str = "",
    min_ratio: float | None = None,
) -> WatchlistLoadResult:
    """Load a new version of a list from its files and make it the active one atomically.

    The new version is written inactive, then the old version is deactivated and the new one
    activated in the same transaction: readers see the old list until the commit and the new
    one after it, never a part. Versions older than the previous one are pruned afterwards.
    Custom-list entity ids are prefixed with the list name (``name:id``) so two custom lists
    cannot collide. A file that yields no entries never replaces a list, nor (with
    ``min_ratio``) one with fewer than ``min_ratio`` times the active version's entries.

    ``published_at`` is the publisher's date when the caller knows it (an HTTP Last-Modified);
    a date printed in the file wins. The load records what changed against the active version
    (:class:`WatchListChange`) and, on commit, asks for the merchants to be re-screened against it.
    """
    if source not in ListSource.values:
        raise ScreeningError(f"unknown list source {source!r}")
    list_name = _list_name(source, name)
    parsed = parse_files(source, paths)
    prefix = f"{list_name}:" if source == ListSource.CUSTOM else ""
    # Values the columns cannot hold (too long, NUL) are skipped rows, not a failed load.
    parsed.drop_invalid(id_prefix=prefix)
    if not parsed.entries:
        shown = "; ".join(str(i) for i in parsed.issues[:5])
        more = f" (+{len(parsed.issues) - 5} more)" if len(parsed.issues) > 5 else ""
        skipped = f" ({len(parsed.issues)} rows skipped: {shown}{more})" if shown else ""
        raise ScreeningError(f"no entries parsed{skipped}; the active list is left as it was")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two loads of the same list queue up here instead of racing for the version number.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"watchlist:{source}:{list_name}"]
            )
        versions = WatchList.objects.filter(source=source, name=list_name)
        latest = versions.aggregate(latest=Max("version"))["latest"] or 0
        replaced = versions.filter(is_active=True).first()
        _refuse_shrunken(replaced, len(parsed.entries), min_ratio)
        watchlist = WatchList.objects.create(
            source=source,
            name=list_name,
            version=latest + 1,
            files=[_file_digest(p) for p in paths],
            skipped_rows=len(parsed.issues),
            published_at=parsed.published_at or published_at,
            origin=origin[:500],
        )
        for start in range(0, len(parsed.entries), _BATCH):
            batch = parsed.entries[start : start + _BATCH]
            WatchListEntry.objects.bulk_create(_entry_row(watchlist, e, prefix) for e in batch)
            if progress:
                progress(len(batch))
        versions.filter(is_active=True).update(is_active=False)
        watchlist.is_active = True
        watchlist.entry_count = len(parsed.entries)
        watchlist.save(update_fields=["is_active", "entry_count"])
        change = watchlist_change_record(watchlist=watchlist, replaced=replaced)
        transaction.on_commit(engine.expire)
        if change is not None:
            transaction.on_commit(partial(_rescreen_enqueue, change.pk))
    pruned = watchlist_prune(source=source, name=list_name)
    logger.info(
        "watchlist loaded",
        extra={
            "source": source,
            "list_name": list_name,
            "version": watchlist.version,
            "entries": watchlist.entry_count,
            "skipped": len(parsed.issues),
            "warnings": len(parsed.warnings),
        },
    )
    return WatchlistLoadResult(watchlist, replaced, parsed.issues, pruned, parsed.warnings)


class ShrunkenList(ScreeningError):
    """A new file with far fewer entries than the active version: likely a truncated or partial
    publication; the active list is kept."""


def _refuse_shrunken(replaced: WatchList | None, count: int, min_ratio: float | None) -> None:
    if replaced is None or not min_ratio or not replaced.entry_count:
        return
    if count < replaced.entry_count * min_ratio:
        raise ShrunkenList(
            f"{count} entries is below {min_ratio:.0%} of the active version's "
            f"{replaced.entry_count}; the active list is left as it was"
        )


def watchlist_change_record(
    *, watchlist: WatchList, replaced: WatchList | None
) -> WatchListChange | None:
    """Compare ``watchlist`` with the version it replaces by entity id and content hash and
    store the difference; None when nothing was added or changed (nothing to re-screen).

    A first version counts every entry as added: merchants were never screened against it.
    """
    new = dict(
        WatchListEntry.objects.filter(watchlist=watchlist).values_list("entity_id", "content_hash")
    )
    old = (
        dict(
            WatchListEntry.objects.filter(watchlist=replaced).values_list(
                "entity_id", "content_hash"
            )
        )
        if replaced
        else {}
    )
    added = sorted(k for k in new if k not in old)
    changed = sorted(k for k, h in new.items() if k in old and old[k] != h)
    removed = sorted(k for k in old if k not in new)
    if not added and not changed and not removed:
        return None
    change = WatchListChange.objects.create(
        watchlist=watchlist,
        source=watchlist.source,
        name=watchlist.name,
        from_version=replaced.version if replaced else None,
        to_version=watchlist.version,
        added=added,
        changed=changed,
        removed=removed,
        # Only removals: nothing new to find; the change is kept for the record.
        rescreened_at=None if (added or changed) else timezone.now(),
    )
    return change


RESCREEN_TASK = "kyb.screening.rescreen_change"


def _rescreen_enqueue(change_id: int) -> None:
    from kyb.celery import app

    try:
        app.send_task(
            RESCREEN_TASK,
            kwargs={"change_id": change_id},
            queue=Queue.MAINTENANCE.value,
            retry=False,
        )
    except Exception:  # broker down: the daily refresh task re-sends pending changes
        logger.warning("re-screen of list change %s not enqueued", change_id, exc_info=True)


def watchlist_change_rescreen(*, change_id: int) -> int | None:
    """Run the list-change receivers (ongoing monitoring) for one change, once.

    The change row is locked for the whole run and marked done in the same transaction as
    whatever the receivers write (review cases, webhook outbox rows): a crash rolls all of it
    back and a retry starts again; a second run of a finished change does nothing (None).
    Returns how many alerts the receivers opened.
    """
    with transaction.atomic():
        change = (
            WatchListChange.objects.select_for_update(skip_locked=True)
            .filter(pk=change_id, rescreened_at=None)
            .first()
        )
        if change is None:
            return None
        alerts = events.list_changed(change)
        change.rescreened_at = timezone.now()
        change.alerts = alerts
        change.save(update_fields=["rescreened_at", "alerts"])
    logger.info(
        "list change re-screened",
        extra={"change_id": change_id, "source": change.source, "alerts": alerts},
    )
    return alerts


def watchlist_change_index(*, change: WatchListChange) -> ScreeningIndex | None:
    """A matcher index over only the added and changed entries of ``change`` (None if none)."""
    entities = selectors.watchlist_change_entities(change=change)
    if not entities:
        return None
    return ScreeningIndex(entities, stamp=f"change:{change.pk}", similar_memo=CHANGE_MEMO_MAX)


def watchlist_changes_pending() -> list[int]:
    """Changes whose re-screen never ran (a lost message, a crash): the refresh task retries."""
    return list(
        WatchListChange.objects.filter(rescreened_at=None)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def watchlist_prune(*, source: str, name: str, keep: int = KEEP_VERSIONS) -> int:
    """Delete inactive versions beyond the newest `keep` versions; returns how many went."""
    versions = WatchList.objects.filter(source=source, name=name).order_by("-version")
    stale = [v.pk for v in versions[keep:] if not v.is_active]
    if not stale:
        return 0
    WatchList.objects.filter(pk__in=stale, is_active=False).delete()
    return len(stale)
