"""Array-only kernels of the site optimiser: numpy, scipy and HiGHS; no labels, no frames.

- :mod:`.cover`: greedy picks and interchange for coverage, the fractional knapsack per site;
- :mod:`.lagrange`: Lagrangian bounds of coverage, capacitated coverage and p-median;
- :mod:`.milp`: MILP/LP solves with HiGHS, the LP relaxation, its branch and bound and
  the neighbourhood search around an answer;
- :mod:`.reduce`: the set-covering reductions;
- :mod:`.transport`: the best split of demand between chosen sites within capacities.

The problem classes of :mod:`planner.optimize` call them through this package's names.
"""

from __future__ import annotations

from .cover import coverage_gains, greedy_coverage, interchange_coverage, knapsack_fill, ranges
from .lagrange import lagrangian_capacitated, lagrangian_coverage, lagrangian_pmedian
from .milp import (
    BOUND_SLACK,
    Limit,
    MilpResult,
    Model,
    Relaxation,
    Work,
    another_optimum,
    bound_slack,
    neighbourhood_search,
    solve_binary,
    solve_milp,
)
from .reduce import reduce_set_cover
from .transport import Transport

__all__ = [
    "BOUND_SLACK",
    "MilpResult",
    "Model",
    "Limit",
    "Relaxation",
    "Transport",
    "Work",
    "another_optimum",
    "bound_slack",
    "coverage_gains",
    "greedy_coverage",
    "interchange_coverage",
    "knapsack_fill",
    "lagrangian_capacitated",
    "lagrangian_coverage",
    "lagrangian_pmedian",
    "neighbourhood_search",
    "ranges",
    "reduce_set_cover",
    "solve_binary",
    "solve_milp",
]
