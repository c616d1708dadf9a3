"""Reads of the classifications app."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from classifications.models import Classification, IndustryCrosswalk, MccRisk, MerchantCategoryCode


def classifications_for_business(
    *, business_id: UUID, code_system: str | None = None
) -> QuerySet[Classification]:
    """A business's stored codes by system and rank (newer runs first within a rank)."""
    qs = Classification.objects.filter(business_id=business_id)
    if code_system:
        qs = qs.filter(code_system=code_system)
    return qs.order_by("code_system", "rank", "-created_at")


def mcc_flagged(*, level: str | None = None) -> QuerySet[MerchantCategoryCode]:
    """MCCs flagged high-risk or prohibited (or only one level)."""
    qs = MerchantCategoryCode.objects.exclude(risk=MccRisk.NONE)
    return qs.filter(risk=level) if level else qs


def crosswalk_targets(*, source_system: str, source_code: str, target_system: str) -> list[str]:
    """Codes of ``target_system`` that ``source_code`` maps to, heaviest edge first."""
    return list(
        IndustryCrosswalk.objects.filter(
            source_system=source_system, source_code=source_code, target_system=target_system
        )
        .order_by("-weight", "target_code")
        .values_list("target_code", flat=True)
    )


def mcc_matches_prediction(*, declared_mcc: str, predicted: list[str]) -> bool:
    """True when a declared MCC is among the predicted MCCs (the pipeline warns otherwise)."""
    return declared_mcc.strip().zfill(4) in {p.zfill(4) for p in predicted}
