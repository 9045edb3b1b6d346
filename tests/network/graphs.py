"""Graph builders for the fast-engine tests: seeded random digraphs and a unit grid."""

from __future__ import annotations

import numpy as np

from metrocircle.network.engine import CSRGraph


def random_graph(
    seed: int, n: int, m: int, *, integer: bool = True, symmetric: bool = False
) -> CSRGraph:
    """A random directed graph (parallel arcs, loops and zero weights included)."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, n, m)
    d = rng.integers(0, n, m)
    w = rng.integers(0, 12, m).astype(float) if integer else rng.uniform(0.0, 9.0, m)
    if symmetric:
        s, d, w = np.r_[s, d], np.r_[d, s], np.r_[w, w]
    return CSRGraph.from_arcs(s, d, w, n_nodes=n)


def grid_graph(side: int, *, minutes: float = 1.0) -> CSRGraph:
    """A ``side`` × ``side`` 4-neighbour grid, both directions, ``minutes`` per link.

    Node ``i * side + j``; the time between two nodes is the Manhattan distance × minutes::

        0 -- 1 -- 2
        |    |    |
        3 -- 4 -- 5      time(0 → 8) = 4 links
        |    |    |
        6 -- 7 -- 8
    """
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    a1 = (ii[:, :-1] * side + jj[:, :-1]).ravel()
    a2 = (ii[:-1, :] * side + jj[:-1, :]).ravel()
    a = np.r_[a1, a2]
    b = np.r_[a1 + 1, a2 + side]
    w = np.full(a.size, minutes)
    return CSRGraph.from_arcs(np.r_[a, b], np.r_[b, a], np.r_[w, w], n_nodes=side * side)
