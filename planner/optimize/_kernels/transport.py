"""The best split of demand between chosen sites within their capacities (a transportation
LP solved by HiGHS), with a memo of the sets judged last: local searches judge the same sets
again and again (on the Helsinki demo with capacities, 898 judgements of 138 sets)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .milp import solve_milp

#: Numbers the memo keeps in all (each set's shares and duals, sparse shares): past this,
#: the sets judged longest ago are forgotten.
MEMO_NUMBERS = 20_000_000

#: A split: its value, the pairs with a share, their shares, and the row duals.
Split = tuple[float, np.ndarray, np.ndarray, np.ndarray]


class Transport:
    """Splits of demand over the pairs ``(pi, pj)`` (demand row, site column) of value
    ``pv`` per unit, rows of demand ``weights``, sites of ``capacities``; the arrays are
    read, never changed."""

    def __init__(
        self,
        pi: np.ndarray,
        pj: np.ndarray,
        pv: np.ndarray,
        weights: np.ndarray,
        capacities: np.ndarray,
    ) -> None:
        self.pi, self.pj, self.pv = pi, pj, pv
        self.weights, self.capacities = weights, capacities
        self._memo: OrderedDict[bytes, Split] = OrderedDict()
        self._size = 0

    def split(self, selected: Sequence[int] | np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """The best split between ``selected``: its value, the share ``z`` of each pair
        (zero for pairs of sites not selected) and the dual value ``u`` of each demand row's
        rule ``sum_j z_ij <= 1`` (zero for rows no selected site reaches)."""
        sel = np.unique(np.asarray(selected, dtype=np.int64))
        key = sel.tobytes()
        if key not in self._memo:
            self._remember(key, self._solve(sel))
        self._memo.move_to_end(key)
        value, at, share, u = self._memo[key]
        z = np.zeros(len(self.pj))
        z[at] = share
        return value, z, u.copy()

    def _remember(self, key: bytes, split: Split) -> None:
        self._memo[key] = split
        self._size += 2 * len(split[1]) + len(split[3])
        while self._size > MEMO_NUMBERS and len(self._memo) > 1:
            _, (_, at, _, u) = self._memo.popitem(last=False)
            self._size -= 2 * len(at) + len(u)

    def _solve(self, sel: np.ndarray) -> Split:
        """The transportation LP for the sorted sites ``sel``."""
        u = np.zeros(len(self.weights))
        keep = np.flatnonzero(np.isin(self.pj, sel))
        if not len(keep):
            return 0.0, np.zeros(0, np.int64), np.zeros(0), u
        pi, pj = self.pi[keep], self.pj[keep]
        rows, a_row = np.unique(pi, return_inverse=True)
        site = np.searchsorted(sel, pj)
        n_z = len(keep)
        a = sp.csc_matrix(
            (
                np.concatenate([np.ones(n_z), self.weights[pi]]),
                (np.concatenate([a_row, len(rows) + site]), np.tile(np.arange(n_z), 2)),
            ),
            shape=(len(rows) + len(sel), n_z),
        )
        row_hi = np.concatenate([np.ones(len(rows)), self.capacities[sel]])
        res = solve_milp(
            -self.weights[pi] * self.pv[keep], a, np.full(a.shape[0], -np.inf), row_hi,
            np.zeros(n_z), np.ones(n_z), np.zeros(n_z, dtype=bool), relax=True,
        )  # fmt: skip
        share = np.clip(res.x, 0.0, 1.0)
        if res.row_dual.size:  # minimising -value: a binding <= row has a dual <= 0
            u[rows] = np.maximum(0.0, -res.row_dual[: len(rows)])
        nz = share > 0
        return max(0.0, float(-res.objective)), keep[nz], share[nz], u
