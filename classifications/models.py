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


# --- Reference data (issue 6): loaded by ``manage.py load_reference_data`` --------------------


class NaicsCode(models.Model):
    """A NAICS 2022 code at any level (sector "31-33" down to 6-digit national industry)."""

    code = models.CharField(primary_key=True, max_length=6)
    title = models.CharField(max_length=200)
    level = models.CharField(max_length=20)
    description = models.TextField(blank=True)
    trilateral = models.BooleanField(default=False)
    edition = models.CharField(max_length=16, default="NAICS 2022")

    class Meta:
        db_table = "classification_naics_codes"
        ordering = ["code"]
        verbose_name = "NAICS code"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class NaicsIndexPhrase(models.Model):
    """A business-activity phrase of the Census NAICS index file, pointing at a 6-digit code."""

    naics = models.ForeignKey(NaicsCode, on_delete=models.CASCADE, related_name="index_phrases")
    phrase = models.CharField(max_length=300)

    class Meta:
        db_table = "classification_naics_index_phrases"
        constraints = [
            models.UniqueConstraint(fields=["naics", "phrase"], name="uniq_naics_index_phrase"),
        ]
        verbose_name = "NAICS index phrase"

    def __str__(self) -> str:
        return f"{self.naics_id}: {self.phrase}"


class SicCode(models.Model):
    """A four-digit SIC 1987 industry (OSHA manual) with the SEC's title where it assigns it."""

    code = models.CharField(primary_key=True, max_length=4)
    title = models.CharField(max_length=200)
    group_code = models.CharField(max_length=3, blank=True)
    group_title = models.CharField(max_length=200, blank=True)
    major_group_code = models.CharField(max_length=2, blank=True)
    major_group_title = models.CharField(max_length=200, blank=True)
    division_code = models.CharField(max_length=1, blank=True)
    division_title = models.CharField(max_length=200, blank=True)
    sec_title = models.CharField(max_length=200, blank=True)
    sec_office = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "classification_sic_codes"
        ordering = ["code"]
        verbose_name = "SIC code"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class MccRisk(models.TextChoices):
    NONE = "", "none"
    HIGH = "high", "high risk (enhanced due diligence)"
    PROHIBITED = "prohibited", "prohibited (not onboarded)"


class MerchantCategoryCode(models.Model):
    """An ISO 18245 merchant category code, every published description, and its risk flag."""

    code = models.CharField(primary_key=True, max_length=4)
    title = models.CharField(max_length=300)
    irs_description = models.CharField(max_length=300, blank=True)
    irs_reportable = models.CharField(max_length=40, blank=True)
    descriptions = models.JSONField(default=dict, blank=True)
    is_brand = models.BooleanField(default=False)
    risk = models.CharField(
        max_length=12, choices=MccRisk.choices, blank=True, default=MccRisk.NONE
    )
    risk_category = models.CharField(max_length=100, blank=True)
    risk_source = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "classification_mcc_codes"
        ordering = ["code"]
        verbose_name = "merchant category code"

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class IndustryCrosswalk(models.Model):
    """One edge between two code systems (e.g. SIC 1987 -> NAICS 2022) with its provenance."""

    source_system = models.CharField(max_length=16)
    source_code = models.CharField(max_length=10)
    target_system = models.CharField(max_length=16)
    target_code = models.CharField(max_length=10)
    weight = models.FloatField(default=1.0)
    method = models.CharField(max_length=40, blank=True)
    origin = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "classification_crosswalks"
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_code", "target_system", "target_code"],
                name="uniq_crosswalk_edge",
            ),
        ]
        indexes = [
            models.Index(fields=["target_system", "target_code"], name="idx_crosswalk_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.source_code} -> {self.target_system}:{self.target_code}"
