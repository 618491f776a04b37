"""Readers of the facility-location instances with known optima in ``../shared/bench``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"


def swain() -> tuple[np.ndarray, np.ndarray]:
    """Swain 55: coordinates (55 × 2) and demand."""
    rows = (BENCH / "mclp" / "swain.txt").read_text().split("\n")[1:]
    data = np.array([[float(v) for v in r.split()] for r in rows if r.strip()])
    return data[:, 1:3], data[:, 3]


def sjc324() -> tuple[np.ndarray, np.ndarray]:
    """SJC324: coordinates (metres) and demand."""
    rows = (BENCH / "mclp" / "SJC324.txt").read_text().replace("\r", "").split("\n")[1:]
    xy = np.array([[float(v) for v in r.split()] for r in rows if r.strip()])
    demand = np.loadtxt(BENCH / "mclp" / "demand-SJC324.dat")
    return xy, demand


def squared_distances(xy: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances (exact for integer coordinates: ties at S stay ties)."""
    d = xy[:, None, :] - xy[None, :, :]
    return (d**2).sum(axis=2)


def pmed(name: str) -> tuple[np.ndarray, int]:
    """OR-Library p-median instance: shortest-path cost matrix and p. The last occurrence of
    a repeated edge sets its cost."""
    lines = (BENCH / "pmed" / f"{name}.txt").read_text().split("\n")
    n, _, p = (int(v) for v in lines[0].split())
    edges: dict[tuple[int, int], float] = {}
    for line in lines[1:]:
        parts = line.split()
        if len(parts) == 3:
            u, v, c = int(parts[0]) - 1, int(parts[1]) - 1, float(parts[2])
            edges[(min(u, v), max(u, v))] = c
    r = np.array([k[0] for k in edges])
    c = np.array([k[1] for k in edges])
    w = np.array(list(edges.values()))
    g = sp.csr_matrix((w, (r, c)), shape=(n, n))
    return shortest_path(g, directed=False), p


def mclp_optima() -> pd.DataFrame:
    return pd.read_csv(BENCH / "mclp" / "mclp_optimal.csv")


def lscp_optima() -> pd.DataFrame:
    return pd.read_csv(BENCH / "mclp" / "lscp_optimal.csv")


def pmed_optima() -> pd.DataFrame:
    return pd.read_csv(BENCH / "pmed" / "pmed_optimal.csv")
