"""Choosing new station sites, with a certificate of how good the answer is.

Problem classes work on matrices (rows: demand points, columns: candidate sites) and a demand
vector; the GeoDataFrame world reaches them through :class:`~planner.analysis.coverage.Coverage`
adapters. ``solve()`` returns a new :class:`Solution` and never changes the problem. One
module per problem family, behind the shared :class:`Solution` and :class:`Problem`
(:mod:`.solution`):

- :class:`MaximalCoverage` (:mod:`.coverage`): add ``p`` sites to the existing stations to
  maximise the demand covered, optionally over several thresholds with weights, with a
  minimum spacing;
- :class:`CapacitatedCoverage` (:mod:`.capacitated`): the same with a capacity per new site;
- :class:`BudgetedCoverage` (:mod:`.budget`): the same with an opening cost per site and a
  budget for them all;
- :class:`SetCover` (:mod:`.set_cover`): the fewest new sites that bring the covered share of
  demand to a target;
- :class:`PMedian` (:mod:`.p_median`): ``p`` sites minimising demand-weighted travel cost;
- :class:`PCenter` (:mod:`.p_center`): ``p`` sites minimising the longest travel time of any
  demand;
- :class:`BackupCoverage` (:mod:`.backup`): ``p`` sites maximising the demand within reach of
  two or more stations;
- :class:`DecayCoverage` (:mod:`.decay`): ``p`` sites maximising demand weighted by a
  distance-decay function of travel time (:class:`Decay`).

Methods (:data:`METHODS`): ``"greedy"`` (with an online bound), ``"local"`` (greedy, then
swaps until no swap improves) and ``"exact"`` (a MILP built straight from the sparse matrices
and solved by HiGHS). Heuristic answers carry the best bound known (the LP relaxation where
it fits) and their gap to it. The array-only kernels live in :mod:`._kernels`.
"""

from __future__ import annotations

from .backup import BackupCoverage
from .budget import BudgetedCoverage
from .capacitated import CapacitatedCoverage
from .coverage import MaximalCoverage, pick_table, spacing_conflicts
from .decay import Decay, DecayCoverage
from .p_center import PCenter
from .p_median import PMedian
from .set_cover import SetCover
from .solution import METHODS, Problem, Solution

__all__ = [
    "METHODS",
    "BackupCoverage",
    "BudgetedCoverage",
    "CapacitatedCoverage",
    "Decay",
    "DecayCoverage",
    "MaximalCoverage",
    "PCenter",
    "PMedian",
    "Problem",
    "SetCover",
    "Solution",
    "pick_table",
    "spacing_conflicts",
]
