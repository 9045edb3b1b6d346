"""The engine against networkx Dijkstra on random graphs, and Hypothesis invariants of travel times."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.network.engine import CSRGraph, DijkstraEngine
from metrocircle.network.model import make_engine


def _random_graph(seed: int, n: int = 30, m: int = 90) -> tuple[CSRGraph, nx.DiGraph]:
    rng = np.random.default_rng(seed)
    s = rng.integers(0, n, m)
    d = rng.integers(0, n, m)
    w = rng.uniform(0.0, 20.0, m).astype(np.float32)
    g = CSRGraph.from_arcs(s, d, w, n_nodes=n)
    nxg = nx.DiGraph()
    nxg.add_nodes_from(range(n))
    a, b, ww = g.arcs()
    for u, v, x in zip(a, b, ww, strict=True):
        nxg.add_edge(int(u), int(v), weight=float(x))
    return g, nxg


@pytest.mark.parametrize("seed", range(5))
def test_matches_networkx(seed: int) -> None:
    g, nxg = _random_graph(seed)
    eng = make_engine(g)
    got = eng.one_to_many(np.arange(g.n_nodes))
    for src in range(g.n_nodes):
        ref = nx.single_source_dijkstra_path_length(nxg, src, weight="weight")
        for dst in range(g.n_nodes):
            exp = ref.get(dst, np.inf)
            assert got[src, dst] == pytest.approx(exp, rel=1e-5, abs=1e-4)


def test_reference_engine_cutoff() -> None:
    g, nxg = _random_graph(7)
    got = DijkstraEngine(g).one_to_many([0], cutoff=10.0)[0]
    ref = nx.single_source_dijkstra_path_length(nxg, 0, weight="weight", cutoff=10.0)
    for dst in range(g.n_nodes):
        assert got[dst] == pytest.approx(ref.get(dst, np.inf), abs=1e-4)


arcs = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0, 50)), min_size=1, max_size=40
)


@settings(max_examples=40, deadline=None)
@given(arcs, st.integers(0, 39))
def test_closing_a_link_never_shortens_and_times_never_negative(
    a: list[tuple[int, int, float]], k: int
) -> None:
    s, d, w = (np.array(x) for x in zip(*a, strict=True))
    full = DijkstraEngine(CSRGraph.from_arcs(s, d, w, n_nodes=12)).one_to_many(np.arange(12))
    assert (full >= 0).all()
    keep = np.ones(len(s), dtype=bool)
    keep[k % len(s)] = False
    closed = DijkstraEngine(CSRGraph.from_arcs(s[keep], d[keep], w[keep], n_nodes=12)).one_to_many(
        np.arange(12)
    )
    assert (closed >= full - 1e-4).all()


@settings(max_examples=40, deadline=None)
@given(arcs, st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0, 50)))
def test_adding_a_link_never_lengthens(
    a: list[tuple[int, int, float]], extra: tuple[int, int, float]
) -> None:
    s, d, w = (np.array(x) for x in zip(*a, strict=True))
    base = DijkstraEngine(CSRGraph.from_arcs(s, d, w, n_nodes=12)).one_to_many(np.arange(12))
    s2, d2, w2 = np.append(s, extra[0]), np.append(d, extra[1]), np.append(w, extra[2])
    more = DijkstraEngine(CSRGraph.from_arcs(s2, d2, w2, n_nodes=12)).one_to_many(np.arange(12))
    assert (more <= base + 1e-4).all()
