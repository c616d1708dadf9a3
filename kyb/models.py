"""Cross-cutting tables owned by the project package."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """The stored outcome of a POST sent with an ``Idempotency-Key`` (Stripe semantics).

    The row is inserted in the same transaction as the work it guards, so a concurrent duplicate
    blocks on the unique index until the first commits and then replays its response; a crash
    rolls both back and the retry does the work.
    """

    integrator = models.ForeignKey("tenancy.Integrator", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # Keys are scoped by mode as well: a sandbox key reusing a live key's Idempotency-Key
    # neither replays nor blocks the live request (docs/sandbox.md).
    livemode = models.BooleanField(default=True)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and body")
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True)
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "idempotency_records"
        constraints = [
            models.UniqueConstraint(
                fields=["integrator", "livemode", "key"], name="uniq_idempotency_mode_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
