"""Every query of the CH engine equals the SciPy Dijkstra oracle on random and grid graphs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.network.ch import CHEngine
from metrocircle.network.engine import CSRGraph, DijkstraEngine, TravelTimeEngine

from .graphs import grid_graph, random_graph


@st.composite
def graphs(draw: st.DrawFn) -> CSRGraph:
    n = draw(st.integers(1, 40))
    m = draw(st.integers(0, 5 * n))
    arcs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.integers(0, 15)),
            min_size=m,
            max_size=m,
        )
    )
    s = [a[0] for a in arcs]
    d = [a[1] for a in arcs]
    w = [float(a[2]) for a in arcs]
    return CSRGraph.from_arcs(s, d, w, n_nodes=n)


@settings(max_examples=60, deadline=None)
@given(g=graphs(), data=st.data())
def test_integer_weights_exact(g: CSRGraph, data: st.DataObject) -> None:
    n = g.n_nodes
    ref = DijkstraEngine(g)
    ch = CHEngine.build(g, use_cache=False)
    nodes = st.lists(st.integers(0, n - 1), min_size=1, max_size=8)
    src = np.array(data.draw(nodes))
    tgt = np.array(data.draw(nodes))
    cut = data.draw(st.one_of(st.none(), st.integers(0, 30).map(float)))
    np.testing.assert_array_equal(ch.one_to_many(src, cutoff=cut), ref.one_to_many(src, cutoff=cut))
    np.testing.assert_array_equal(
        ch.many_to_many(src, tgt, cutoff=cut), ref.many_to_many(src, tgt, cutoff=cut)
    )
    opp = np.arange(n, dtype=float) % 7
    c = 20.0 if cut is None else cut
    np.testing.assert_array_equal(
        ch.cumulative_opportunities(opp, c, origins=src),
        ref.cumulative_opportunities(opp, c, origins=src),
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("symmetric", [False, True])
def test_float_weights_within_float32(seed: int, symmetric: bool) -> None:
    g = random_graph(seed, 400, 1600, integer=False, symmetric=symmetric)
    ref = DijkstraEngine(g)
    ch = CHEngine.build(g, use_cache=False)
    rng = np.random.default_rng(seed)
    src = rng.integers(0, g.n_nodes, 37)  # not a multiple of the sweep batch
    tgt = rng.integers(0, g.n_nodes, 50)
    a = ch.one_to_many(src)
    b = ref.one_to_many(src)
    np.testing.assert_array_equal(np.isfinite(a), np.isfinite(b))
    fin = np.isfinite(b)
    np.testing.assert_allclose(a[fin], b[fin], rtol=2e-6, atol=1e-5)
    m = ch.many_to_many(src, tgt)
    np.testing.assert_array_equal(m, a[:, tgt])


def test_grid_closed_form() -> None:
    side = 30
    g = grid_graph(side, minutes=2.0)
    ch = CHEngine.build(g, use_cache=False)
    src = np.array([0, 17, 450, side * side - 1])
    d = ch.one_to_many(src)
    ii, jj = np.divmod(np.arange(side * side), side)
    for k, s in enumerate(src):
        si, sj = divmod(int(s), side)
        np.testing.assert_array_equal(d[k], 2.0 * (np.abs(ii - si) + np.abs(jj - sj)))
    # within 10 minutes: a diamond of radius 5 links
    iso = ch.isochrone(int(src[2]), 10.0)
    si, sj = divmod(int(src[2]), side)
    expect = np.flatnonzero(np.abs(ii - si) + np.abs(jj - sj) <= 5)
    np.testing.assert_array_equal(iso, expect)
    cum = ch.cumulative_opportunities(np.ones(side * side), 10.0)
    assert cum[src[2]] == expect.size
    assert cum[0] == 21  # corner: 1 + 2 + … + 6 nodes within 5 links


def test_all_origins_default_and_protocol() -> None:
    g = random_graph(3, 120, 500, symmetric=True)
    ch = CHEngine.build(g, use_cache=False)
    assert isinstance(ch, TravelTimeEngine)
    opp = np.linspace(0, 5, g.n_nodes)
    got = ch.cumulative_opportunities(opp, 6.0)
    want = DijkstraEngine(g).cumulative_opportunities(opp, 6.0)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert got.shape == (g.n_nodes,)


def test_empty_inputs() -> None:
    g = random_graph(1, 10, 30)
    ch = CHEngine.build(g, use_cache=False)
    assert ch.one_to_many([], [1, 2]).shape == (0, 2)
    assert ch.many_to_many([1], []).shape == (1, 0)
    assert ch.cumulative_opportunities(np.ones(10), 5.0, origins=[]).shape == (0,)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda e: e.one_to_many([10]), "sources"),
        (lambda e: e.one_to_many([-1]), "sources"),
        (lambda e: e.one_to_many([0], [99]), "targets"),
        (lambda e: e.one_to_many([0], cutoff=-1.0), "cutoff"),
        (lambda e: e.one_to_many([0], cutoff=float("nan")), "cutoff"),
        (lambda e: e.one_to_many([0.5]), "integer"),
        (lambda e: e.cumulative_opportunities(np.ones(3), 5.0), "one value per node"),
        (lambda e: e.cumulative_opportunities(np.full(10, np.nan), 5.0), "finite"),
        (lambda e: e.customize(np.ones(3)), "one value per arc"),
        (lambda e: e.customize(-np.ones(e.graph.n_arcs)), "non-negative"),
    ],
)
def test_bad_input_is_named(call, match: str) -> None:  # type: ignore[no-untyped-def]
    ch = CHEngine.build(random_graph(2, 10, 30), use_cache=False)
    with pytest.raises(ValueError, match=match):
        call(ch)
