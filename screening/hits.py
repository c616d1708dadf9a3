"""The result type screening returns to the pipeline, the API and the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ScreeningHit:
    """One list entity a screened name resembles, with the evidence for the score.

    ``score`` is a match score (how alike the names are), not a risk score; ``match`` says whether
    it reached the configured threshold.
    """

    entity_id: str
    list: str
    name: str
    primary_name: str
    programs: tuple[str, ...]
    countries: tuple[str, ...]
    score: float
    match: bool
    explanation: dict[str, Any] = field(default_factory=dict)
    entity_type: str = "unknown"
    content_hash: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The public shape (API, ``screen`` command, verification evidence)."""
        return {
            "entity_id": self.entity_id,
            "list": self.list,
            "name": self.name,
            "primary_name": self.primary_name,
            "programs": list(self.programs),
            "countries": list(self.countries),
            "score": self.score,
            "match": self.match,
            "explanation": self.explanation,
        }
