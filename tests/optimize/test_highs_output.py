"""HiGHS writes nothing to stdout: not its banner, not its run log.

HiGHS writes from C++ straight to file descriptor 1, so these tests read what reaches the
descriptor (pytest's ``capfd``), not ``sys.stdout``. The banner ("Running HiGHS ...:
Copyright ...") is printed once per process, by the first HiGHS instance that starts with
output on, so one test solves in a fresh interpreter, where nothing has printed it yet.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import scipy.sparse as sp

from planner.optimize import CapacitatedCoverage, MaximalCoverage, PMedian, SetCover

#: Every solver that reaches HiGHS: the exact searches, the LP bounds and the capacitated
#: assignment LPs of the local search.
SOLVE_ALL = textwrap.dedent(
    """
    import numpy as np
    import scipy.sparse as sp
    from planner.optimize import CapacitatedCoverage, MaximalCoverage, PMedian, SetCover

    rng = np.random.default_rng(7)
    reach = rng.random((30, 8)) < 0.3
    cover = sp.csc_matrix(reach.astype(float))
    w = rng.integers(1, 9, 30).astype(float)
    MaximalCoverage(cover, w, 3).solve("exact")
    MaximalCoverage(cover, w, 3).solve("local")
    CapacitatedCoverage(cover, w, np.full(8, 20.0), 3).solve("exact")
    reach[:, 0] = True
    SetCover(sp.csc_matrix(reach.astype(float)), w).solve("exact")
    PMedian(rng.uniform(0, 10, (30, 8)), w, 3).solve("exact")
    """
)


def test_no_highs_output_in_a_fresh_process(capfd):
    done = subprocess.run([sys.executable, "-c", SOLVE_ALL], check=False)
    out, err = capfd.readouterr()
    assert done.returncode == 0, err
    assert "HiGHS" not in out and out == "", out


def test_no_highs_output_in_this_process(capfd):
    """Run logs ("Model status", "HiGHS run time") would show here even when another
    instance printed the banner earlier in the session."""
    rng = np.random.default_rng(8)
    reach = rng.random((25, 7)) < 0.3
    cover = sp.csc_matrix(reach.astype(float))
    w = rng.integers(1, 9, 25).astype(float)
    capfd.readouterr()
    MaximalCoverage(cover, w, 3).solve("exact")
    CapacitatedCoverage(cover, w, np.full(7, 15.0), 2).solve("exact")
    PMedian(rng.uniform(0, 10, (25, 7)), w, 2).solve("exact")
    reach[:, 0] = True
    SetCover(sp.csc_matrix(reach.astype(float)), w).solve("exact")
    out, _ = capfd.readouterr()
    assert out == "", out
