"""Watchlists (versioned), their entries, and the hits analysts cleared as false positives."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class ListSource(models.TextChoices):
    """Where a list comes from; official sources have one list each, custom lists are named."""

    OFAC_SDN = "ofac_sdn", "OFAC SDN list"
    OFAC_CONS = "ofac_cons", "OFAC consolidated non-SDN list"
    UN = "un", "UN Security Council consolidated list"
    EU_FSF = "eu_fsf", "EU Financial Sanctions Files consolidated list"
    UK_OFSI = "uk_ofsi", "UK OFSI consolidated list"
    UK_FCDO = "uk_fcdo", "UK Sanctions List (FCDO)"
    CH_SECO = "ch_seco", "Swiss SECO sanctions list"
    CA_SEMA = "ca_sema", "Canada consolidated autonomous sanctions list"
    CUSTOM = "custom", "Custom list"


class EntityType(models.TextChoices):
    """What kind of party a list entry is."""

    PERSON = "person", "person"
    ORGANIZATION = "organization", "organization"
    VESSEL = "vessel", "vessel"
    AIRCRAFT = "aircraft", "aircraft"
    UNKNOWN = "unknown", "unknown"


class WatchList(models.Model):
    """One loaded version of a list (a source, and for custom lists a name).

    A load writes a new inactive version with all its entries, then flips ``is_active`` from the old
    version to the new one in the same transaction: a reader sees either the old list or the new
    one, whole. At most one version per (source, name) is active (a partial unique index).
    """

    source = models.CharField(max_length=16, choices=ListSource.choices)
    name = models.CharField(max_length=100)
    version = models.PositiveIntegerField()
    is_active = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now_add=True)
    entry_count = models.PositiveIntegerField(default=0)
    files = models.JSONField(default=list, blank=True, help_text="file names and sha256 digests")
    skipped_rows = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="the publisher's date of the file (generation date, Last-Modified); "
        "staleness is measured from it, not from loaded_at",
    )
    origin = models.CharField(
        max_length=500, blank=True, help_text="URL it was fetched from, or the bundled snapshot"
    )

    class Meta:
        db_table = "screening_watchlists"
        ordering = ["source", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "name", "version"], name="screening_watchlist_version_unique"
            ),
            models.UniqueConstraint(
                fields=["source", "name"],
                condition=Q(is_active=True),
                name="screening_watchlist_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.name} v{self.version}{' (active)' if self.is_active else ''}"


class WatchListEntry(models.Model):
    """A sanctioned party as one list version publishes it.

    ``content_hash`` digests everything the entry says; a cleared hit is only remembered while the
    entry keeps the hash it had when it was cleared.
    """

    watchlist = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="entries")
    entity_id = models.CharField(max_length=128)
    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    primary_name = models.CharField(max_length=1000)
    aliases = ArrayField(models.TextField(), default=list, blank=True)
    programs = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    countries = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    identifiers = models.JSONField(default=list, blank=True, help_text="[{type, value, country}]")
    dates_of_birth = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    remarks = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        db_table = "screening_watchlist_entries"
        verbose_name_plural = "watchlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "entity_id"], name="screening_entry_entity_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id} {self.primary_name}"


class ClearedHit(models.Model):
    """False-positive memory: an analyst judged this list entity is not this merchant.

    The same entity is not raised again for the merchant while the list entry keeps
    ``content_hash``; when the list publishes a changed entry, the hit comes back for a new look.
    """

    merchant = models.ForeignKey(
        "merchants.Merchant", on_delete=models.CASCADE, related_name="cleared_screening_hits"
    )
    list_source = models.CharField(max_length=16, choices=ListSource.choices)
    entity_id = models.CharField(max_length=128)
    content_hash = models.CharField(max_length=64)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "screening_cleared_hits"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "list_source", "entity_id"],
                name="screening_cleared_hit_unique",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="screening_cleared_hit_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} cleared {self.list_source}:{self.entity_id}"


class WatchListChange(models.Model):
    """What one load changed in a list: the entity ids added, changed (new content hash) and
    removed, compared with the version it replaced. Ongoing monitoring re-screens merchants
    against the added and changed entries only; ``rescreened_at`` is set once that ran.
    """

    watchlist = models.OneToOneField(WatchList, on_delete=models.CASCADE, related_name="change")
    source = models.CharField(max_length=16, choices=ListSource.choices)
    name = models.CharField(max_length=100)
    from_version = models.PositiveIntegerField(null=True, blank=True)
    to_version = models.PositiveIntegerField()
    added = ArrayField(models.CharField(max_length=128), default=list, blank=True)
    changed = ArrayField(models.CharField(max_length=128), default=list, blank=True)
    removed = ArrayField(models.CharField(max_length=128), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rescreened_at = models.DateTimeField(null=True, blank=True)
    alerts = models.PositiveIntegerField(default=0, help_text="review cases the re-screen opened")

    class Meta:
        db_table = "screening_watchlist_changes"
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(rescreened_at=None),
                name="idx_watchlist_change_pending",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.name} v{self.from_version}->v{self.to_version} "
            f"+{len(self.added)} ~{len(self.changed)} -{len(self.removed)}"
        )

    def summary(self) -> dict[str, object]:
        """The change as plain data (review case evidence, webhook payload)."""
        return {
            "id": self.pk,
            "list": self.source,
            "name": self.name,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


class FetchOutcome(models.TextChoices):
    """How the last download of a source ended."""

    LOADED = "loaded", "new version loaded"
    NOT_MODIFIED = "not_modified", "not modified (304 or same file)"
    FAILED = "failed", "failed; active list kept"


class WatchListFeed(models.Model):
    """The fetcher's memory for one official source: validators for a conditional GET and how
    the last attempts went. The list itself lives in WatchList versions."""

    source = models.CharField(max_length=16, choices=ListSource.choices, unique=True)
    url = models.CharField(max_length=500, help_text="the first (primary) file's URL")
    etag = models.CharField(max_length=500, blank=True, help_text="of the primary file")
    last_modified = models.CharField(max_length=100, blank=True, help_text="of the primary file")
    checked_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=FetchOutcome.choices, blank=True)
    error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="consecutive failed attempts")

    class Meta:
        db_table = "screening_watchlist_feeds"
        ordering = ["source"]

    def __str__(self) -> str:
        return f"{self.source} feed ({self.outcome or 'never fetched'})"
