"""Industry classifications of a business (the plan's ``classifications`` table)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CodeSystem(models.TextChoices):
    NAICS = "naics", "NAICS 2022"
    SIC = "sic", "SIC 1987"
    MCC = "mcc", "MCC (ISO 18245)"


class Classification(models.Model):
    """One predicted industry code for a business, with confidence and rank within its system."""

    # db_column keeps the plan's name; indexed by the plan's named indexes, not Django's default.
    business = models.ForeignKey(
        "merchants.Merchant",
        on_delete=models.CASCADE,
        related_name="classifications",
        db_column="business_id",
        db_index=False,
    )
    verification = models.ForeignKey(
        "verifications.BusinessVerification",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="classifications",
    )
    code_system = models.CharField(max_length=8, choices=CodeSystem.choices)
    code = models.CharField(max_length=10)
    description = models.CharField(max_length=300, blank=True)
    confidence = models.FloatField()
    rank = models.PositiveSmallIntegerField(default=1)
    model_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "classifications"
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1),
                name="classifications_confidence_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["business"], name="idx_classifications_business_id"),
            models.Index(
                fields=["business", "-confidence"], name="idx_classifications_business_confidence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code_system}:{self.code} ({self.confidence:.2f})"
