"""Pure-Python industry classification engine (no Django): data parsers, model, build, benchmark."""

from __future__ import annotations

import threading

from .model import ARTEFACT_DIR, ClassificationResult, CodePrediction, IndustryClassifier, load

__all__ = ["ClassificationResult", "CodePrediction", "IndustryClassifier", "get_classifier"]

_lock = threading.Lock()
_model: IndustryClassifier | None = None


def get_classifier() -> IndustryClassifier:
    """The process-wide model, loaded from the shipped artefact on first use."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = load(ARTEFACT_DIR)
    return _model
