"""All-node cumulative opportunities: block-pruned PHAST sweeps over batches of sources (Numba).

The downward sweep of a batch visits positions in blocks of consecutive positions. A block
whose nodes have no seed and whose up-neighbour blocks are all *dead* (no node within the
cutoff for any source of the batch) is skipped whole: each of its nodes would have found
no seed and no live up-neighbour, so it is beyond the cutoff for every source (weights are
non-negative; arcs inside a block point to earlier positions of the same block, so the
argument holds by induction over the block). Positions are ordered by hierarchy level and
then by node id, so a block holds nearby nodes, and at a 60-minute cutoff most blocks of a
regional network are dead for a batch of neighbouring sources: the sweep then touches only
the live part of the hierarchy instead of checking every arc of every node.

Distances are the same float32 sums, taken in the same order, as in the unpruned sweep this
replaced (and as in the matrix sweep of :mod:`metrocircle.network._ch_sweeps`): on the shared
200k-node graph the sums were bit-for-bit equal. The lane-wise min writes into the other of
two rows rather than in place: in place, LLVM turns it into masked stores (``vmaskmovps``),
which are microcoded and slow on AMD cores; two rows give a plain ``vminps``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from metrocircle.network._ch_sweeps import _SWEEP_MATH, _gather, _upward

__all__ = ["block_graph", "phast_cumulative_blocks"]


@njit(cache=True)
def block_graph(ptr: np.ndarray, to: np.ndarray, bs: int) -> tuple[np.ndarray, np.ndarray]:
    """Up-neighbour blocks of each block of ``bs`` consecutive positions (itself excluded).

    Returns CSR arrays ``(bptr, bto)``: the blocks holding an up-neighbour of some node of
    block ``b`` are ``bto[bptr[b]:bptr[b + 1]]``, each once, all smaller than or equal to ``b``
    in position order (so already final when ``b`` is swept).
    """
    n = ptr.shape[0] - 1
    nb = (n + bs - 1) // bs
    mark = np.full(max(nb, 1), -1, dtype=np.int64)
    bptr = np.zeros(nb + 1, dtype=np.int64)
    tmp = np.empty(to.shape[0], dtype=np.int32)
    cnt = 0
    for b in range(nb):
        for i in range(b * bs, min(n, (b + 1) * bs)):
            for e in range(ptr[i], ptr[i + 1]):
                hb = to[e] // bs
                if hb != b and mark[hb] != b:
                    mark[hb] = b
                    tmp[cnt] = hb
                    cnt += 1
        bptr[b + 1] = cnt
    return bptr, tmp[:cnt].copy()


@njit(cache=True)
def _seed(
    srcs: np.ndarray,
    b0: int,
    kb: int,
    cutoff: float,
    ptr: np.ndarray,
    to: np.ndarray,
    w_up: np.ndarray,
    dist: np.ndarray,
    touched: np.ndarray,
    hk: np.ndarray,
    hv: np.ndarray,
    slot: np.ndarray,
    seeds: np.ndarray,
    seeded: np.ndarray,
    bseed: np.ndarray,
    bs: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Upward searches of ``srcs[b0:b0+kb]``; seed rows by position, seeded blocks flagged.

    ``slot[p]`` points to a row of ``seeds`` (K lanes, ``inf`` where a source did not reach
    ``p``) or is -1; ``seeded`` lists the positions holding a slot. Returns the (possibly
    grown) ``seeds`` and ``seeded`` and the number of seeded positions.
    """
    k_width = seeds.shape[1]
    nsl = 0
    for j in range(kb):
        nt = _upward(srcs[b0 + j], cutoff, ptr, to, w_up, dist, touched, hk, hv)
        for t in range(nt):
            x = touched[t]
            sl = slot[x]
            if sl < 0:
                if nsl >= seeds.shape[0]:
                    grown = np.empty((2 * seeds.shape[0], k_width), dtype=np.float32)
                    grown[:nsl] = seeds[:nsl]
                    seeds = grown
                    more = np.empty(2 * seeded.shape[0], dtype=np.int64)
                    more[:nsl] = seeded[:nsl]
                    seeded = more
                sl = nsl
                slot[x] = sl
                seeded[sl] = x
                bseed[x // bs] = True
                for q in range(k_width):
                    seeds[sl, q] = np.inf
                nsl += 1
            if dist[x] < seeds[sl, j]:
                seeds[sl, j] = dist[x]
            dist[x] = np.inf
    return seeds, seeded, nsl


@njit(cache=True, fastmath=_SWEEP_MATH)
def _sweep_blocks(
    blk: np.ndarray,
    ptr: np.ndarray,
    to: np.ndarray,
    sw: np.ndarray,
    slot: np.ndarray,
    seeds: np.ndarray,
    opp: np.ndarray,
    cutoff: float,
    acc: np.ndarray,
    live: np.ndarray,
    bs: int,
    bptr: np.ndarray,
    bto: np.ndarray,
    bseed: np.ndarray,
    blive: np.ndarray,
) -> None:
    """One downward sweep of a batch, block-pruned, summing ``opp`` within ``cutoff``."""
    n = blk.shape[0]
    k_width = blk.shape[1]
    nb = bptr.shape[0] - 1
    rows = np.empty((2, k_width), dtype=np.float32)
    for q in range(k_width):
        acc[q] = 0.0
    for b in range(nb):
        lo = b * bs
        hi = min(n, lo + bs)
        go = bseed[b]
        if not go:
            for e in range(bptr[b], bptr[b + 1]):
                if blive[bto[e]]:
                    go = True
                    break
        if not go:
            for i in range(lo, hi):
                live[i] = False
            blive[b] = False
            continue
        bseed[b] = False
        any_live = False
        for i in range(lo, hi):
            cur = _gather(i, ptr, to, sw, slot, seeds, blk, live, rows)
            inside = False
            if cur >= 0:
                oi = opp[i]
                m = np.float32(np.inf)
                for q in range(k_width):
                    v = rows[cur, q]
                    blk[i, q] = v
                    m = v if v < m else m
                for q in range(k_width):
                    acc[q] += oi if rows[cur, q] <= cutoff else 0.0
                inside = bool(m <= cutoff)
            live[i] = inside
            any_live = any_live or inside
        blive[b] = any_live


@njit(cache=True, parallel=True)
def phast_cumulative_blocks(
    srcs: np.ndarray,
    cutoff: float,
    ptr: np.ndarray,
    to: np.ndarray,
    w_up: np.ndarray,
    sw: np.ndarray,
    opp: np.ndarray,
    k_width: int,
    n_threads: int,
    bs: int,
    bptr: np.ndarray,
    bto: np.ndarray,
) -> np.ndarray:
    """Sum of ``opp`` (by position) over positions within ``cutoff`` of each source position.

    ``bptr/bto`` is :func:`block_graph` of ``ptr/to`` with block size ``bs``. One sweep per
    batch of ``k_width`` sources; per thread the only per-source storage is the
    ``n × k_width`` float32 block.
    """
    n = ptr.shape[0] - 1
    ns = srcs.shape[0]
    nblk = bptr.shape[0] - 1
    res = np.zeros(ns, dtype=np.float64)
    nb = (ns + k_width - 1) // k_width
    nthreads = max(1, min(n_threads, nb))
    for t in prange(nthreads):
        dist = np.full(n, np.inf, dtype=np.float32)
        touched = np.empty(n, dtype=np.int64)
        hk = np.empty(to.shape[0] + 16, dtype=np.float32)
        hv = np.empty(to.shape[0] + 16, dtype=np.int64)
        slot = np.full(n, -1, dtype=np.int64)
        seeds = np.empty((1024, k_width), dtype=np.float32)
        seeded = np.empty(1024, dtype=np.int64)
        blk = np.empty((max(n, 1), k_width), dtype=np.float32)
        acc = np.empty(k_width, dtype=np.float64)
        live = np.zeros(max(n, 1), dtype=np.bool_)
        bseed = np.zeros(max(nblk, 1), dtype=np.bool_)
        blive = np.zeros(max(nblk, 1), dtype=np.bool_)
        for b in range(t, nb, nthreads):
            b0 = b * k_width
            kb = min(k_width, ns - b0)
            seeds, seeded, nsl = _seed(
                srcs,
                b0,
                kb,
                cutoff,
                ptr,
                to,
                w_up,
                dist,
                touched,
                hk,
                hv,
                slot,
                seeds,
                seeded,
                bseed,
                bs,
            )
            _sweep_blocks(
                blk, ptr, to, sw, slot, seeds, opp, cutoff, acc, live, bs, bptr, bto, bseed, blive
            )
            for s in range(nsl):
                slot[seeded[s]] = -1
            for j in range(kb):
                res[b0 + j] = acc[j]
    return res
