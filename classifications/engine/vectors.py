"""Serving side of a TF-IDF space fitted by scikit-learn at build time.

Same arithmetic as ``TfidfVectorizer(sublinear_tf=True, norm="l2")`` with the stored vocabulary
and idf, so web and worker processes never import scikit-learn (~80 MB of RSS), nor scipy for
serving (``weights``; ``matrix`` and ``normalize_rows`` are for the build and the benchmarks).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, overload

import numpy as np

from .text import feature_list, features, tokens

if TYPE_CHECKING:
    import scipy.sparse as sp


class Texts(Sequence[str]):
    """A read-only list of strings held as one string and its offsets.

    Tens of thousands of short strings (vocabularies, index phrases) cost about 60 bytes of
    object header each, and a list slot; here each costs its characters and a 4-byte offset
    (see docs/performance.md, "Memory"). Items must not contain the separator (NUL).
    """

    _SEP = "\x00"

    def __init__(self, items: Iterable[str]) -> None:
        items = list(items)
        if any(self._SEP in item for item in items):
            raise ValueError("an item contains NUL")
        self._text = self._SEP.join(items) + self._SEP
        starts = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum([len(item) + 1 for item in items], out=starts[1:])
        self._starts = starts.astype(np.int32 if len(self._text) < 2**31 else np.int64)

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._text[int(self._starts[i]) : int(self._starts[i + 1]) - 1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._text[:-1].split(self._SEP)) if len(self) else iter(())


class Vocabulary(Texts):
    """Feature strings by column, and the column of a feature.

    A dict of feature -> column cost about 110 bytes a feature beside the strings; here a
    feature costs 12 bytes more: its ``hash()`` in a sorted array, and its column. A lookup
    binary-searches the hash and compares the stored string, so a hash collision is never a
    wrong column. ``hash()`` of a string is seeded per process: the table is built where it is
    used, never stored.
    """

    def __init__(self, features: Iterable[str]) -> None:
        super().__init__(features)
        hashes = np.fromiter((hash(f) for f in self), dtype=np.int64, count=len(self))
        order = np.argsort(hashes, kind="stable")
        self._hashes = hashes[order]
        self._columns = order.astype(np.int32)

    def lookup(self, features: Sequence[str]) -> list[int]:
        """The column of each feature, -1 for a feature not in the vocabulary."""
        if not features or not len(self):
            return [-1] * len(features)
        wanted = np.array(list(map(hash, features)), dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._hashes, wanted), len(self._hashes) - 1)
        cols = np.where(self._hashes[pos] == wanted, self._columns[pos], -1)
        hits = np.flatnonzero(cols >= 0)
        if not len(hits):
            return cols.tolist()  # type: ignore[no-any-return]
        found = cols[hits]
        starts, ends = self._starts[found].tolist(), (self._starts[found + 1] - 1).tolist()
        out: list[int] = cols.tolist()
        text = self._text
        for i, start, end in zip(hits.tolist(), starts, ends, strict=True):
            if text[start:end] != features[i]:  # another feature with the same hash
                out[i] = self._probe(features[i])
        return out

    def _probe(self, feature: str) -> int:
        """The column of `feature`, or -1: every entry of its hash, compared as a string."""
        wanted = hash(feature)
        hashes = self._hashes
        i = int(hashes.searchsorted(wanted))
        while i < len(hashes) and int(hashes[i]) == wanted:
            col = int(self._columns[i])
            if self[col] == feature:
                return col
            i += 1
        return -1

    def get(self, feature: str) -> int | None:
        col = self._probe(feature)
        return col if col >= 0 else None


class TfidfSpace:
    """A fitted vocabulary with idf weights; turns texts into L2-normalised sparse rows."""

    def __init__(
        self,
        vocab: Iterable[str],
        idf: np.ndarray,
        analyzer: Callable[[str], list[str]] = feature_list,
    ) -> None:
        self.vocab = Vocabulary(vocab)
        self.idf = idf.astype(np.float32)
        self.analyzer = analyzer

    def _row(self, feats: list[str]) -> tuple[list[int], list[float]]:
        return self._row_of(self.vocab.lookup(feats))

    def _row_of(self, found: list[int]) -> tuple[list[int], list[float]]:
        """Sublinear tf x idf of the looked-up features' columns (-1: not in the vocabulary)."""
        counts = Counter(c for c in found if c >= 0)
        cols = sorted(counts)
        vals = [(1.0 + math.log(counts[c])) * float(self.idf[c]) for c in cols]
        return cols, vals

    def matrix(self, docs: Sequence[list[str]]) -> sp.csr_matrix:
        """One normalised row per feature list (building and benchmarks: imports scipy)."""
        import scipy.sparse as sp

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
            found = self.vocab.lookup([f for f, _ in pairs])
            surf = {c: s for c, (_, s) in zip(found, pairs, strict=True) if c >= 0}
        else:
            found, surf = self.vocab.lookup(self.analyzer(text)), {}
        cols, vals = self._row_of(found)  # one lookup per feature, shared with the surfaces
        norm = math.sqrt(sum(v * v for v in vals)) or 1.0
        return {c: v / norm for c, v in zip(cols, vals, strict=True)}, surf

    def query(self, text: str) -> tuple[sp.csr_matrix, dict[int, str]]:
        """One normalised row for ``text`` and, per known feature column, the input's wording."""
        if self.analyzer is not feature_list:
            return self.matrix([self.analyzer(text)]), {}
        pairs = features(tokens(text))
        found = self.vocab.lookup([f for f, _ in pairs])
        surfaces = {c: s for c, (_, s) in zip(found, pairs, strict=True) if c >= 0}
        return self.matrix([[f for f, _ in pairs]]), surfaces


def normalize_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    """L2-normalise each row (rows of zeros stay zero)."""
    import scipy.sparse as sp

    m = sp.csr_matrix(m, dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m)
