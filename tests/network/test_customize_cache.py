"""Scenario re-customisation equals a rebuild; hierarchies round-trip through the disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrocircle._errors import MetrocircleError
from metrocircle.network.ch import (
    REFERENCE_BELOW_NODES,
    CHEngine,
    ContractionHierarchy,
    get_engine,
)
from metrocircle.network.engine import CSRGraph, DijkstraEngine

from .graphs import grid_graph, random_graph


@pytest.mark.parametrize("seed", range(4))
def test_customize_equals_rebuild_and_oracle(seed: int) -> None:
    g = random_graph(seed, 300, 1200, symmetric=True)
    base = CHEngine.build(g, use_cache=False)
    rng = np.random.default_rng(seed)
    w = g.weights.copy()
    hit = rng.choice(w.size, 5, replace=False)
    w[hit[:2]] = 0.0  # faster links (new bypass)
    w[hit[2:]] += 50.0  # slower links (works, closures)
    scen = base.customize(w)
    g2 = CSRGraph(g.indptr, g.indices, w)
    oracle = DijkstraEngine(g2)
    # every pair, exactly (integer minutes), and the same hierarchy size as a full
    # re-contraction in that order (only tie-breaking between equal paths may differ)
    every = np.arange(g.n_nodes)
    np.testing.assert_array_equal(scen.one_to_many(every), oracle.one_to_many(every))
    full = ContractionHierarchy.contract(g2, order=base.hierarchy.order)
    assert abs(scen.hierarchy.n_up_arcs - full.n_up_arcs) <= 0.05 * full.n_up_arcs
    rebuilt = CHEngine.build(g2, use_cache=False)
    src = rng.integers(0, g.n_nodes, 20)
    want = oracle.one_to_many(src)
    np.testing.assert_array_equal(scen.one_to_many(src), want)
    np.testing.assert_array_equal(rebuilt.one_to_many(src), want)
    # the base engine is untouched
    np.testing.assert_array_equal(base.one_to_many(src), DijkstraEngine(g).one_to_many(src))
    np.testing.assert_array_equal(scen.hierarchy.order, base.hierarchy.order)


def test_partial_customisation_searches_only_near_the_change() -> None:
    g = grid_graph(60)  # 3,600 nodes, 1 minute per link
    base = CHEngine.build(g, use_cache=False)
    w = g.weights.copy()
    s, d, _ = g.arcs()
    link = ((s == 0) & (d == 1)) | ((s == 1) & (d == 0))  # a corner link gets slower
    w[link] = 4.0
    scen = base.customize(w)
    assert 0 < scen.hierarchy.n_planned < g.n_nodes // 2
    src = np.arange(0, g.n_nodes, 7)
    want = DijkstraEngine(CSRGraph(g.indptr, g.indices, w)).one_to_many(src)
    np.testing.assert_array_equal(scen.one_to_many(src), want)
    assert scen.one_to_many([0], [1])[0, 0] == 3.0  # around the block
    # unchanged weights: the same hierarchy object is reused
    assert base.customize(g.weights.copy()).hierarchy is base.hierarchy


@pytest.mark.parametrize("seed", range(3))
def test_partial_customisation_random_scenarios_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g0 = grid_graph(50)
    s, d, _ = g0.arcs()
    lanes = rng.integers(1, 6, s.size).astype(float)
    g = CSRGraph.from_arcs(s, d, lanes, n_nodes=g0.n_nodes)  # integer minutes, asymmetric
    base = CHEngine.build(g, use_cache=False)
    scen = base
    for _ in range(3):  # chained scenarios re-customise a re-customised engine
        w = scen.graph.weights.copy()
        hit = rng.choice(w.size, 6, replace=False)
        w[hit] = rng.integers(0, 9, hit.size).astype(np.float32)
        scen = scen.customize(w)
        assert scen.hierarchy.n_planned < g.n_nodes
        src = rng.choice(g.n_nodes, 150, replace=False)
        want = DijkstraEngine(CSRGraph(g.indptr, g.indices, w)).one_to_many(src)
        np.testing.assert_array_equal(scen.one_to_many(src), want)


def test_customize_with_added_and_removed_links() -> None:
    g = grid_graph(15)
    base = CHEngine.build(g, use_cache=False)
    s, d, w = g.arcs()
    keep = ~((s == 7) | (d == 7))  # close every link of node 7
    s2 = np.r_[s[keep], 0, 224]
    d2 = np.r_[d[keep], 224, 0]  # a new express link corner to corner, 3 minutes
    w2 = np.r_[w[keep], 3.0, 3.0]
    g2 = CSRGraph.from_arcs(s2, d2, w2, n_nodes=g.n_nodes)
    scen = base.customize(g2)
    src = np.array([0, 7, 112, 224])
    np.testing.assert_array_equal(scen.one_to_many(src), DijkstraEngine(g2).one_to_many(src))
    assert scen.one_to_many([0], [224])[0, 0] == 3.0
    assert np.isinf(scen.one_to_many([7], [8])[0, 0])
    with pytest.raises(ValueError, match="nodes"):
        base.customize(grid_graph(4))


def test_cache_round_trip(tmp_path: Path) -> None:
    g = random_graph(5, 200, 800, symmetric=True)
    msgs: list[str] = []
    a = CHEngine.build(g, cache_dir=tmp_path, progress=msgs.append)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    assert files[0].name.endswith("-base.npz")
    assert any("contracting" in m for m in msgs)
    msgs.clear()
    b = CHEngine.build(g, cache_dir=tmp_path, progress=msgs.append)
    assert any("loaded" in m for m in msgs)
    for name in ("order", "pos", "up_ptr", "up_to", "up_w", "down_w", "sc_ptr", "sc_u", "sc_d"):
        np.testing.assert_array_equal(getattr(a.hierarchy, name), getattr(b.hierarchy, name))
    np.testing.assert_array_equal(b.one_to_many([0, 1]), DijkstraEngine(g).one_to_many([0, 1]))
    # a scenario key is a separate entry; other weights are another graph hash
    CHEngine.build(g, cache_dir=tmp_path, cache_key="bridge 2030")
    assert len(list(tmp_path.glob("*-bridge_2030.npz"))) == 1
    g2 = CSRGraph(g.indptr, g.indices, g.weights + np.float32(1.0))
    c = CHEngine.build(g2, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 3
    np.testing.assert_array_equal(c.one_to_many([3]), DijkstraEngine(g2).one_to_many([3]))


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    g = random_graph(6, 100, 400)
    CHEngine.build(g, cache_dir=tmp_path)
    (f,) = tmp_path.glob("*.npz")
    f.write_bytes(b"not a zip file")
    msgs: list[str] = []
    e = CHEngine.build(g, cache_dir=tmp_path, progress=msgs.append)
    assert any("contracting" in m for m in msgs)
    np.testing.assert_array_equal(e.one_to_many([2]), DijkstraEngine(g).one_to_many([2]))


def test_get_engine_kinds(tmp_path: Path) -> None:
    big = grid_graph(20)
    assert big.n_nodes >= REFERENCE_BELOW_NODES
    assert isinstance(get_engine(big, cache_dir=tmp_path), CHEngine)
    assert isinstance(get_engine(big, kind="reference"), DijkstraEngine)
    assert isinstance(get_engine(grid_graph(3), cache_dir=tmp_path), DijkstraEngine)
    with pytest.raises(MetrocircleError, match="kind"):
        get_engine(big, kind="quantum")  # type: ignore[arg-type]
