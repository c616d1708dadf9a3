"""Isotonic calibration (pool-adjacent-violators) and the expected calibration error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IsotonicMap:
    """A non-decreasing step function from a raw score to P(correct), fitted on held-out data."""

    thresholds: tuple[float, ...]
    values: tuple[float, ...]

    @classmethod
    def fit(
        cls, scores: Sequence[float], correct: Sequence[bool], min_bin: int = 25
    ) -> IsotonicMap:
        """Fit on (raw score, was it right) pairs; blocks hold at least ``min_bin`` samples."""
        order = np.argsort(np.asarray(scores, dtype=np.float64), kind="stable")
        x = np.asarray(scores, dtype=np.float64)[order]
        y = np.asarray(correct, dtype=np.float64)[order]
        # Start from blocks of min_bin samples so single lucky points cannot create steps.
        blocks: list[list[float]] = []  # [sum_y, count, max_x]
        for start in range(0, len(x), min_bin):
            blocks.append(
                [
                    float(y[start : start + min_bin].sum()),
                    float(len(y[start : start + min_bin])),
                    float(x[min(start + min_bin, len(x)) - 1]),
                ]
            )
        merged: list[list[float]] = []
        for b in blocks:
            merged.append(b)
            while (
                len(merged) > 1 and merged[-2][0] / merged[-2][1] >= merged[-1][0] / merged[-1][1]
            ):
                top = merged.pop()
                merged[-1] = [merged[-1][0] + top[0], merged[-1][1] + top[1], top[2]]
        # Shrink each block a little towards 0.5 (Laplace): no confidence of exactly 0 or 1.
        values = tuple((s + 1.0) / (n + 2.0) for s, n, _ in merged)
        thresholds = tuple(m[2] for m in merged[:-1])
        return cls(thresholds=thresholds, values=values)

    def __call__(self, score: float) -> float:
        idx = int(np.searchsorted(np.asarray(self.thresholds), score, side="left"))
        return float(self.values[idx])

    def as_dict(self) -> dict[str, list[float]]:
        """JSON form stored in the model artefact."""
        return {"thresholds": list(self.thresholds), "values": list(self.values)}

    @classmethod
    def from_dict(cls, data: dict[str, list[float]]) -> IsotonicMap:
        """Inverse of ``as_dict``."""
        return cls(thresholds=tuple(data["thresholds"]), values=tuple(data["values"]))


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """ECE with equal-width bins: sum over bins of |accuracy - mean confidence| x bin share."""
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    if len(conf) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += abs(hit[mask].mean() - conf[mask].mean()) * mask.mean()
    return float(ece)


def reliability_table(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 5
) -> list[tuple[str, int, float, float]]:
    """(bin label, count, mean confidence, accuracy) rows for the benchmark report."""
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            rows.append(
                (
                    f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                    int(mask.sum()),
                    float(conf[mask].mean()),
                    float(hit[mask].mean()),
                )
            )
    return rows
