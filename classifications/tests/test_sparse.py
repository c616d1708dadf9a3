"""Serving's scipy-free sparse matrices agree with scipy (issue #10: worker memory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classifications.engine.sparse import Columns, Csr, row_at, row_max


def _random(rows: int, cols: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    m = sp.random(rows, cols, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    m.data -= 0.5  # negative weights too
    return m


def test_columns_hold_what_scipy_converts_to_column_major() -> None:
    m = _random(40, 70, 1)
    ours = Columns(m)
    theirs = sp.csc_matrix(m)
    theirs.sort_indices()
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)
    assert ours.nnz == m.nnz
    # Built from our own row-major container, or from columns, it is the same.
    again = Columns(Csr(m.data, m.indices, m.indptr, m.shape))
    assert np.array_equal(again.data, ours.data) and Columns(ours).data is ours.data


def test_columns_go_back_to_the_row_major_arrays_scipy_writes() -> None:
    m = _random(40, 70, 2)
    back = Columns(m).to_csr()
    m.sort_indices()
    assert np.array_equal(back.indptr, m.indptr)
    assert np.array_equal(back.indices, m.indices)
    assert np.array_equal(back.data, m.data)


def test_sorting_a_row_major_matrix_matches_scipy() -> None:
    m = _random(30, 50, 3)
    rng = np.random.default_rng(4)
    shuffled = Csr(m.data.copy(), m.indices.copy(), m.indptr.copy(), m.shape)
    for r in range(m.shape[0]):  # shuffle each row's entries
        a, b = m.indptr[r], m.indptr[r + 1]
        order = a + rng.permutation(b - a)
        shuffled.indices[a:b], shuffled.data[a:b] = m.indices[order], m.data[order]
    shuffled.sort_indices()
    m.sort_indices()
    assert np.array_equal(shuffled.indices, m.indices)
    assert np.array_equal(shuffled.data, m.data)
    # Ordered already (as an artefact is saved): left as it is, the same arrays.
    ordered = Csr(m.data.copy(), m.indices.copy(), m.indptr.copy(), m.shape)
    indices = ordered.indices
    ordered.sort_indices()
    assert ordered.indices is indices and np.array_equal(ordered.indices, m.indices)
    # One pair out of order in one row is sorted, even at a row's edge.
    r = next(r for r in range(m.shape[0]) if m.indptr[r + 1] - m.indptr[r] >= 2)
    a = m.indptr[r]
    swapped = Csr(m.data.copy(), m.indices.copy(), m.indptr.copy(), m.shape)
    swapped.indices[[a, a + 1]] = swapped.indices[[a + 1, a]]
    swapped.data[[a, a + 1]] = swapped.data[[a + 1, a]]
    swapped.sort_indices()
    assert np.array_equal(swapped.indices, m.indices) and np.array_equal(swapped.data, m.data)


def test_row_reads_and_row_maxima_match_scipy() -> None:
    m = _random(30, 50, 5)
    m.sort_indices()
    cols = np.array([0, 3, 7, 49], dtype=np.int32)
    columns = Columns(m)
    for r in range(m.shape[0]):
        expected = m[r, cols].toarray().ravel()
        assert np.array_equal(row_at(m, r, cols), expected)
        assert np.array_equal(row_at(columns, r, cols), expected)  # read column-major
    full = sp.csr_matrix(np.array([[-3.0, -1.0], [0.0, 2.0], [0.0, 0.0]]))  # a row of negatives
    for matrix in (m, full):
        expected = matrix.max(axis=1).toarray().ravel()
        assert np.array_equal(row_max(matrix), expected)


def test_a_serving_process_classifies_without_importing_scipy() -> None:
    """``import scipy.sparse`` alone cost a worker about 10 MB of RSS and 250 modules."""
    code = (
        "import sys, django; django.setup()\n"
        "from classifications.engine import get_classifier\n"
        "r = get_classifier().classify(name='Northwind Outdoor Ltd',"
        " description='Online outdoor clothing shop')\n"
        "assert r.naics and r.evidence\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy'))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kyb.settings"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
