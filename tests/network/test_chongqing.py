"""On the embedded Chongqing network the CH engine equals the Dijkstra oracle, base and scenario."""

from __future__ import annotations

import numpy as np
import pytest

from metrocircle.network.ch import CHEngine
from metrocircle.network.engine import CSRGraph, DijkstraEngine
from metrocircle.network.model import load_network
from metrocircle.region import Region


@pytest.fixture(scope="module")
def graph(region: Region) -> CSRGraph:
    return load_network(region).graph


def test_all_pairs_equal_oracle(graph: CSRGraph) -> None:
    ch = CHEngine.build(graph, use_cache=False)
    ref = DijkstraEngine(graph)
    got = ch.one_to_many(np.arange(graph.n_nodes))
    want = ref.one_to_many(np.arange(graph.n_nodes))
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=2e-6, atol=1e-4)
    opp = np.ones(graph.n_nodes)
    for cut in (30.0, 60.0, 90.0):
        a = ch.cumulative_opportunities(opp, cut)
        b = ref.cumulative_opportunities(opp, cut)
        # counts may differ only where a time lies within float32 rounding of the cutoff
        close = np.abs(want - cut) <= 1e-4 * max(cut, 1.0)
        assert np.all(np.abs(a - b) <= close.sum(axis=1))


def test_scenario_recustomised_equals_oracle(graph: CSRGraph) -> None:
    base = CHEngine.build(graph, use_cache=False)
    w = graph.weights.copy()
    rng = np.random.default_rng(2035)
    hit = rng.choice(w.size, 8, replace=False)
    w[hit[:4]] *= np.float32(0.5)  # upgraded links
    w[hit[4:]] *= np.float32(3.0)  # links under works
    scen = base.customize(w)
    g2 = CSRGraph(graph.indptr, graph.indices, w)
    src = np.arange(0, graph.n_nodes, 5)
    got = scen.one_to_many(src)
    want = DijkstraEngine(g2).one_to_many(src)
    fin = np.isfinite(want)
    np.testing.assert_array_equal(np.isfinite(got), fin)
    np.testing.assert_allclose(got[fin], want[fin], rtol=2e-6, atol=1e-4)
