"""High-risk and prohibited MCC flags from ``data/mcc_risk_flags.csv`` (one source per row)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from .sources import DATA_DIR

RISK_LEVELS = ("high", "prohibited")


@dataclass(frozen=True, slots=True)
class RiskFlag:
    """Why an MCC needs enhanced due diligence (``high``) or is not onboarded (``prohibited``)."""

    mcc: str
    level: str
    category: str
    source: str


@cache
def mcc_risk_flags() -> dict[str, RiskFlag]:
    """MCC -> flag; levels are validated so a typo in the file fails loudly."""
    out: dict[str, RiskFlag] = {}
    with (DATA_DIR / "mcc_risk_flags.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["level"] not in RISK_LEVELS:
                raise ValueError(
                    f"mcc_risk_flags.csv: unknown level {row['level']!r} for {row['mcc']}"
                )
            out[row["mcc"].zfill(4)] = RiskFlag(
                row["mcc"].zfill(4), row["level"], row["category"], row["source"]
            )
    return out
