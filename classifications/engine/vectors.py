"""Serving side of a TF-IDF space fitted by scikit-learn at build time.

Same arithmetic as ``TfidfVectorizer(sublinear_tf=True, norm="l2")`` with the stored vocabulary
and idf, so web and worker processes never import scikit-learn (~80 MB of RSS).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from .text import feature_list, features, tokens


class TfidfSpace:
    """A fitted vocabulary with idf weights; turns texts into L2-normalised sparse rows."""

    def __init__(
        self,
        vocab: Sequence[str],
        idf: np.ndarray,
        analyzer: Callable[[str], list[str]] = feature_list,
    ) -> None:
        self.vocab = list(vocab)
        self.index = {f: i for i, f in enumerate(self.vocab)}
        self.idf = idf.astype(np.float32)
        self.analyzer = analyzer

    def _row(self, feats: list[str]) -> tuple[list[int], list[float]]:
        counts = Counter(self.index[f] for f in feats if f in self.index)
        cols = sorted(counts)
        vals = [(1.0 + math.log(counts[c])) * float(self.idf[c]) for c in cols]
        return cols, vals

    def matrix(self, docs: Sequence[list[str]]) -> sp.csr_matrix:
        """One normalised row per feature list."""
        indptr, indices, data = [0], [], []
        for feats in docs:
            cols, vals = self._row(feats)
            indices.extend(cols)
            data.extend(vals)
            indptr.append(len(indices))
        m = sp.csr_matrix(
            (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)),
            shape=(len(docs), len(self.vocab)),
        )
        return normalize_rows(m)

    def texts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Rows for raw texts."""
        return self.matrix([self.analyzer(t) for t in texts])

    def weights(self, text: str, surfaces: bool = False) -> tuple[dict[int, float], dict[int, str]]:
        """The L2-normalised row of ``text`` as ``{column: weight}`` (no scipy object: the
        serving path builds one sparse row per business, not one per field) and, with
        ``surfaces``, the input's wording per known word column."""
        if surfaces and self.analyzer is feature_list:
            pairs = features(tokens(text))
            feats = [f for f, _ in pairs]
            surf = {self.index[f]: s for f, s in pairs if f in self.index}
        else:
            feats, surf = self.analyzer(text), {}
        cols, vals = self._row(feats)
        norm = math.sqrt(sum(v * v for v in vals)) or 1.0
        return {c: v / norm for c, v in zip(cols, vals, strict=True)}, surf

    def query(self, text: str) -> tuple[sp.csr_matrix, dict[int, str]]:
        """One normalised row for ``text`` and, per known feature column, the input's wording."""
        if self.analyzer is not feature_list:
            return self.matrix([self.analyzer(text)]), {}
        pairs = features(tokens(text))
        surfaces = {self.index[f]: s for f, s in pairs if f in self.index}
        return self.matrix([[f for f, _ in pairs]]), surfaces


def normalize_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    """L2-normalise each row (rows of zeros stay zero)."""
    m = sp.csr_matrix(m, dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m)
