"""The classic reductions of a set-covering matrix (forced columns, dominated rows and
columns)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

REDUCE_MAX_PRODUCT = 20_000_000
#: Matrices up to this many cells are reduced as dense arrays (no sparse overhead).
REDUCE_DENSE_CELLS = 250_000


def _sums(a: np.ndarray | sp.csr_matrix, axis: int) -> np.ndarray:
    return np.asarray(a.sum(axis=axis)).ravel()


def _dominated(a: np.ndarray | sp.csr_matrix, keep_superset: bool) -> np.ndarray | None:
    """Rows of the 0/1 matrix ``a`` to drop by dominance, or None when the check is too
    large.

    ``keep_superset=False``: drop row ``i`` when another row is a subset of it (covering
    the smaller row covers ``i`` too). ``True``: drop row ``i`` when another row is a
    superset of it. Of identical rows the first is kept.
    """
    sizes = _sums(a, 1)
    if sp.issparse(a):
        if float((_sums(a, 0).astype(float) ** 2).sum()) > REDUCE_MAX_PRODUCT:
            return None
        inter = (a @ a.T).tocoo()
        i, k, v = inter.row, inter.col, inter.data
    else:
        dense = a.astype(np.float32)
        i, k = np.nonzero(dense @ dense.T)
        v = (dense @ dense.T)[i, k]
    off = i != k
    i, k, v = i[off], k[off], v[off]
    if keep_superset:  # row i is a subset of row k
        sub = v == sizes[i]
        strict = sizes[i] < sizes[k]
    else:  # row k is a subset of row i
        sub = v == sizes[k]
        strict = sizes[k] < sizes[i]
    drop = np.zeros(a.shape[0], dtype=bool)
    drop[i[sub & (strict | (k < i))]] = True
    return drop


def reduce_set_cover(a: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classic reductions of a set-covering matrix (rows must all be covered, every column
    costs the same), repeated until nothing changes:

    - a row covered by one column only forces that column in;
    - a row whose columns include all of another row's is dropped (covering the other
      covers it);
    - a column whose rows are all covered by another column is dropped.

    Returns the rows and columns left and the forced columns. A minimum cover of what is
    left, plus the forced columns, is a minimum cover of ``a``.
    """
    csr = sp.csr_matrix(a, dtype=np.int32)
    csr.data[:] = 1
    m: np.ndarray | sp.csr_matrix = (
        csr.toarray() if csr.shape[0] * csr.shape[1] <= REDUCE_DENSE_CELLS else csr
    )
    rows, cols = np.arange(m.shape[0]), np.arange(m.shape[1])
    forced: list[int] = []
    while m.shape[0] and m.shape[1]:
        single = np.flatnonzero(_sums(m, 1) == 1)
        if len(single):  # forced columns, and the rows they cover
            must = np.unique(np.asarray(m[single].argmax(axis=1)).ravel())
            forced += cols[must].tolist()
            hit = _sums(m[:, must], 1) > 0
            keep_c = np.ones(m.shape[1], dtype=bool)
            keep_c[must] = False
            m, rows, cols = m[~hit][:, keep_c], rows[~hit], cols[keep_c]
            continue
        changed = False
        drop_r = _dominated(m, keep_superset=False)
        if drop_r is not None and drop_r.any():
            m, rows, changed = m[~drop_r], rows[~drop_r], True
        mt = sp.csr_matrix(m.T) if sp.issparse(m) else m.T
        drop_c = _dominated(mt, keep_superset=True)
        if drop_c is not None:
            drop_c |= _sums(mt, 1) == 0  # a column that covers nothing is no use
            if drop_c.any():
                m, cols, changed = m[:, ~drop_c], cols[~drop_c], True
        if not changed:
            break
    if not m.shape[0]:
        cols = cols[:0]
    return rows, cols, np.asarray(sorted(forced), dtype=np.int64)
