"""Row- and column-major sparse matrices as plain numpy arrays, for serving without scipy.

A loaded classifier needs of a sparse matrix only its three arrays, a row, and the product with
one sparse query row (``Columns.dot``). ``import scipy.sparse`` costs a serving process about
10 MB of RSS and 250 modules (numpy.testing, f2py, array_api_compat, ...), so serving reads the
artefact into :class:`Csr` and :class:`Columns`; the build (``build.py``), the benchmarks and
``save`` use scipy itself, imported where they run. Both kinds of matrix expose ``data``,
``indices``, ``indptr`` and ``shape``, so the model code takes either.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

import numpy as np

# A scipy CSR matrix (a model being built) or a Csr (a model read from its artefact).
Matrix = Any


class Csr:
    """A compressed-sparse-row matrix: ``data``, ``indices`` and ``indptr`` as scipy lays them."""

    __slots__ = ("data", "indices", "indptr", "shape")

    def __init__(
        self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]
    ) -> None:
        self.data, self.indices, self.indptr = data, indices, indptr
        self.shape = (int(shape[0]), int(shape[1]))

    @classmethod
    def row(cls, cols: np.ndarray, vals: np.ndarray, width: int) -> Csr:
        """A 1 x ``width`` matrix holding ``vals`` at ``cols``."""
        indptr = np.array([0, len(cols)], dtype=np.int64)
        return cls(vals, cols, indptr, (1, width))

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    def sort_indices(self) -> None:
        """Order each row's values by column, in place (as scipy's ``sort_indices``)."""
        if len(self.indices) < 2:
            return
        # Already ordered (an artefact is saved so): a pass over the columns, not a sort.
        starts = self.indptr[1:-1]
        starts = starts[(starts > 0) & (starts < len(self.indices))]
        rising = np.diff(self.indices) > 0
        rising[starts - 1] = True  # a row's first column need not follow the last row's
        if rising.all():
            return
        order = np.lexsort((self.indices, segment_ids(self.indptr)))
        if np.any(order != np.arange(len(order))):
            self.indices, self.data = self.indices[order], self.data[order]


def as_csr(m: Matrix) -> Matrix:
    """``m`` row-major: a scipy matrix in any format converted, a :class:`Csr` as it is."""
    return m.tocsr() if hasattr(m, "tocsr") else m


def segment_ids(indptr: np.ndarray) -> np.ndarray:
    """For each stored value, the row (or, column-major, the column) it belongs to."""
    return np.repeat(np.arange(len(indptr) - 1, dtype=np.int32), np.diff(indptr))


def _transpose(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same stored values compressed along the other axis (``width`` segments), each
    segment's entries in ascending order, as scipy's CSR <-> CSC conversion leaves them."""
    owners = segment_ids(indptr)
    order = np.lexsort((owners, indices))
    offsets = np.zeros(width + 1, dtype=np.int64)
    np.cumsum(np.bincount(indices, minlength=width), out=offsets[1:])
    return offsets, owners[order], data[order]


class Columns:
    """A matrix stored column-major for products with one sparse query row.

    ``m @ q.T`` on a CSR matrix walks every stored weight (a million for the linear model) and
    allocates several scipy objects; a query has a few dozen features, so reading only their
    columns and summing with ``bincount`` is ~20x cheaper and gives the same numbers. Built from
    a scipy matrix or a :class:`Csr`; within a column the rows are in ascending order, as scipy's
    CSC conversion leaves them.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    def __init__(self, m: Matrix | Columns) -> None:
        if isinstance(m, Columns):  # a loaded model's linear weights are already columns
            self.indptr, self.indices, self.data, self.shape = m.indptr, m.indices, m.data, m.shape
            return
        m = as_csr(m)
        assert m.nnz < 2**31, "more weights than 32-bit offsets address"
        self.shape = (int(m.shape[0]), int(m.shape[1]))
        data = np.asarray(m.data, dtype=np.float32)
        indptr, indices, self.data = _transpose(m.indptr, m.indices, data, self.shape[1])
        self.indptr = indptr.astype(np.int32)
        self.indices = indices.astype(np.int32, copy=False)

    @property
    def rows(self) -> int:
        return self.shape[0]

    @property
    def nnz(self) -> int:
        return len(self.data)

    def to_csr(self) -> Csr:
        """The same matrix row-major, each row's columns in ascending order."""
        indptr, indices, data = _transpose(self.indptr, self.indices, self.data, self.rows)
        return Csr(data, indices, indptr, self.shape)

    def dot(self, q: Matrix) -> np.ndarray:
        """``m @ q.T`` as a dense vector (float64) for a 1 x n_features sparse row ``q``."""
        cols, vals = q.indices, q.data
        starts = self.indptr[cols].astype(np.int64)  # the few query columns: widened here
        lens = self.indptr[cols + 1] - starts
        total = int(lens.sum())
        if not total:
            return np.zeros(self.rows)
        pos = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total)
        weights = self.data[pos].astype(np.float64) * np.repeat(vals, lens)
        return np.bincount(self.indices[pos], weights=weights, minlength=self.rows)

    def row_at(self, row: int, cols: np.ndarray) -> np.ndarray:
        """``m[row, cols]`` as a dense vector: in each of the query's few columns, the stored
        value of ``row`` if there is one (each column's rows are in ascending order, so a
        bisection finds it; through memoryviews, as fast as reading a row-major copy)."""
        indptr, indices, data = self.indptr.data, self.indices.data, self.data.data  # memoryviews
        out = [0.0] * len(cols)
        for i, col in enumerate(cols.tolist()):
            end = indptr[col + 1]
            j = bisect_left(indices, row, indptr[col], end)
            if j < end and indices[j] == row:
                out[i] = data[j]
        return np.array(out)


def row_at(m: Matrix | Columns, row: int, cols: np.ndarray) -> np.ndarray:
    """``m[row, cols]`` as a dense vector (``m`` is column-major, or row-major with sorted
    indices)."""
    if isinstance(m, Columns):
        return m.row_at(row, cols)
    start, end = int(m.indptr[row]), int(m.indptr[row + 1])
    r_ind, r_dat = m.indices[start:end], m.data[start:end]
    out = np.zeros(len(cols))
    if end > start:
        pos = np.minimum(np.searchsorted(r_ind, cols), len(r_ind) - 1)
        hit = r_ind[pos] == cols
        out[hit] = r_dat[pos[hit]]
    return out


def row_max(m: Matrix) -> np.ndarray:
    """Each row's largest value, counting the implicit zeros (as scipy's ``max(axis=1)``)."""
    counts = np.diff(m.indptr)
    full = (counts == m.shape[1]) & (counts > 0)  # no implicit zero in the row
    out = np.where(full, -np.inf, 0.0)
    np.maximum.at(out, segment_ids(m.indptr), np.asarray(m.data, dtype=np.float64))
    return out
