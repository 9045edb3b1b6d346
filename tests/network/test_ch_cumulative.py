"""The block-pruned all-node cumulative sweep equals SciPy's Dijkstra, boundaries included."""

from __future__ import annotations

import numpy as np
import pytest

from metrocircle.network import _ch_cumulative as kc
from metrocircle.network.ch import CUMULATIVE_BATCH_WIDTH, CUMULATIVE_BLOCK, CHEngine
from metrocircle.network.engine import CSRGraph, DijkstraEngine

from .graphs import grid_graph, random_graph


def _road_grid(seed: int, side: int, *, integer: bool = True) -> CSRGraph:
    """A grid with random link minutes (1-6 whole minutes, or uniform floats), some links cut.

    Road-like (planar, bounded degree), so the hierarchy stays small and quick to build,
    unlike a random graph of the same size.
    """
    rng = np.random.default_rng(seed)
    s, d, _ = grid_graph(side).arcs()
    one_way = s < d
    s, d = s[one_way], d[one_way]
    keep = rng.random(s.size) > 0.1
    s, d = s[keep], d[keep]
    w = rng.integers(1, 7, s.size).astype(float) if integer else rng.uniform(0.5, 6.0, s.size)
    return CSRGraph.from_arcs(np.r_[s, d], np.r_[d, s], np.r_[w, w], n_nodes=side * side)


def _two_grids(side: int) -> CSRGraph:
    """Two copies of a grid with no link between them (half the network never reached)."""
    g = grid_graph(side)
    s, d, w = g.arcs()
    n = g.n_nodes
    return CSRGraph.from_arcs(np.r_[s, s + n], np.r_[d, d + n], np.r_[w, w], n_nodes=2 * n)


@pytest.mark.parametrize("cutoff", [0.0, 4.0, 15.0, 40.0])
def test_all_nodes_integer_weights_exact_at_the_cutoff(cutoff: float) -> None:
    # 1,600 nodes: 25 batches of 64 origins, 50 blocks of 32 positions
    g = _road_grid(11, 40)
    ref = DijkstraEngine(g)
    ch = CHEngine.build(g, use_cache=False)
    opp = np.random.default_rng(3).integers(0, 50, g.n_nodes).astype(float)
    got = ch.cumulative_opportunities(opp, cutoff)
    np.testing.assert_array_equal(got, ref.cumulative_opportunities(opp, cutoff))
    # the cutoff falls exactly on many travel times, so `<=` at the boundary is exercised
    times = ref.one_to_many(np.arange(0, g.n_nodes, 50))
    assert cutoff == 0.0 or int((times == cutoff).sum()) > 10


def test_unreached_half_and_partial_batches() -> None:
    g = _two_grids(30)  # 1,800 nodes, components of 900
    ref = DijkstraEngine(g)
    ch = CHEngine.build(g, use_cache=False)
    opp = np.arange(g.n_nodes, dtype=float) % 5
    rng = np.random.default_rng(5)
    # scattered order, repeats, a count that is no multiple of the batch width
    org = rng.integers(0, g.n_nodes, 3 * CUMULATIVE_BATCH_WIDTH + 7)
    for cut in (4.0, 25.0, 1e6):
        np.testing.assert_array_equal(
            ch.cumulative_opportunities(opp, cut, origins=org),
            ref.cumulative_opportunities(opp, cut, origins=org),
        )
    # a whole grid within reach: the sum over one component, never the other
    full = ch.cumulative_opportunities(opp, 1e6, origins=[0, 900])
    assert full.tolist() == [opp[:900].sum(), opp[900:].sum()]


@pytest.mark.parametrize("seed", range(3))
def test_float_weights_match_the_reference_off_the_boundary(seed: int) -> None:
    g = _road_grid(seed, 36, integer=False)
    ch = CHEngine.build(g, use_cache=False)
    cutoff = 15.0
    times = DijkstraEngine(g).one_to_many(np.arange(g.n_nodes)).astype(np.float64)
    # pairs within float32 rounding of the cutoff may fall either side; weight them 0
    near = np.abs(times - cutoff) <= 1e-4 * cutoff
    opp = np.where(near.any(axis=0), 0.0, 1.0 + np.arange(g.n_nodes) % 3)
    want = ((times <= cutoff) * opp).sum(axis=1)
    np.testing.assert_array_equal(ch.cumulative_opportunities(opp, cutoff), want)
    # and it agrees with the engine's own one-to-all rows
    rows = ch.one_to_many(np.arange(0, g.n_nodes, 97), cutoff=cutoff)
    np.testing.assert_allclose(
        (np.isfinite(rows) * opp).sum(axis=1),
        ch.cumulative_opportunities(opp, cutoff, origins=np.arange(0, g.n_nodes, 97)),
        rtol=1e-12,
    )


def test_block_graph_covers_every_up_arc() -> None:
    g = random_graph(4, 300, 900, symmetric=True)
    h = CHEngine.build(g, use_cache=False).hierarchy
    bs = CUMULATIVE_BLOCK
    bptr, bto = kc.block_graph(h.up_ptr, h.up_to, bs)
    nb = (g.n_nodes + bs - 1) // bs
    assert bptr.shape == (nb + 1,)
    for b in range(nb):
        listed = bto[bptr[b] : bptr[b + 1]]
        assert listed.size == np.unique(listed).size  # each block once
        assert b not in listed and np.all(listed < b)  # up-arcs point to earlier positions
        heads = h.up_to[h.up_ptr[b * bs] : h.up_ptr[min(g.n_nodes, (b + 1) * bs)]] // bs
        assert set(heads[heads != b].tolist()) == set(listed.tolist())
