"""Queries on a finished hierarchy: upward searches and PHAST / RPHAST sweeps (Numba).

The cumulative-opportunities sweep (block-pruned, summing inside the sweep) is in
:mod:`metrocircle.network._ch_cumulative`.

The hierarchy is stored by sweep *position* (top level of the hierarchy first), so a PHAST
sweep is a single forward pass over positions and every up-neighbour of a node has a smaller
position.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from metrocircle.network._ch_heap import heap_pop, heap_push

__all__ = ["phast_matrix", "restricted_closure", "sweep_levels"]


@njit(cache=True)
def _upward(
    s: int,
    cutoff: float,
    ptr: np.ndarray,
    to: np.ndarray,
    w: np.ndarray,
    dist: np.ndarray,
    touched: np.ndarray,
    hk: np.ndarray,
    hv: np.ndarray,
) -> int:
    """Dijkstra from position ``s`` over up-arcs (weights ``w``); returns the touched count."""
    nt = 0
    dist[s] = 0.0
    touched[0] = s
    nt = 1
    size = heap_push(hk, hv, 0, 0.0, s)
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = heap_pop(hk, hv, size)
        if d > dist[x]:
            continue
        for e in range(ptr[x], ptr[x + 1]):
            y = to[e]
            nd = d + w[e]
            if nd < dist[y] and nd <= cutoff:
                if dist[y] == np.inf:
                    touched[nt] = y
                    nt += 1
                dist[y] = nd
                size = heap_push(hk, hv, size, nd, y)
    return nt


@njit(cache=True)
def _seed_batch(
    srcs: np.ndarray,
    b0: int,
    kb: int,
    cutoff: float,
    ptr: np.ndarray,
    to: np.ndarray,
    w_up: np.ndarray,
    loc: np.ndarray,
    dist: np.ndarray,
    touched: np.ndarray,
    hk: np.ndarray,
    hv: np.ndarray,
    slot: np.ndarray,
    seeds: np.ndarray,
) -> tuple[np.ndarray, int]:
    """Upward searches of sources ``srcs[b0:b0+kb]``; seeds their distances by local sweep index.

    ``slot[i]`` (local index ``i``) points to a row of ``seeds`` (K wide) or is -1.
    Returns the (possibly grown) seed block and the number of used rows.
    """
    k_width = seeds.shape[1]
    nslots = 0
    for j in range(kb):
        s = srcs[b0 + j]
        nt = _upward(s, cutoff, ptr, to, w_up, dist, touched, hk, hv)
        for t in range(nt):
            x = touched[t]
            li = loc[x]
            if li >= 0:
                sl = slot[li]
                if sl < 0:
                    if nslots >= seeds.shape[0]:
                        grown = np.empty((2 * seeds.shape[0], k_width), dtype=np.float32)
                        grown[:nslots] = seeds[:nslots]
                        seeds = grown
                    sl = nslots
                    slot[li] = sl
                    for q in range(k_width):
                        seeds[sl, q] = np.inf
                    nslots += 1
                if dist[x] < seeds[sl, j]:
                    seeds[sl, j] = dist[x]
            dist[x] = np.inf
    return seeds, nslots


#: Fast-math flags of the sweeps: reassociation and no signed zeros let LLVM vectorise the
#: lane-wise min over the batch; "nnan"/"ninf" are left out because unreached nodes hold inf.
_SWEEP_MATH = {"nsz", "arcp", "contract", "afn", "reassoc"}


@njit(inline="always", fastmath=_SWEEP_MATH)
def _gather(
    i: int,
    ptr: np.ndarray,
    to: np.ndarray,
    sw: np.ndarray,
    slot: np.ndarray,
    seeds: np.ndarray,
    blk: np.ndarray,
    live: np.ndarray,
    rows: np.ndarray,
) -> int:
    """``min(seed of i, min over live up-neighbours h of blk[h] + sw[e])``, lane-wise.

    The result is left in ``rows[r]`` (``rows`` is 2 × K; each arc's min goes from one row
    into the other: an in-place min compiles to masked stores, ``vmaskmovps``, microcoded
    and slow on AMD cores, where two rows give a plain ``vminps``). Returns ``r``, or -1
    when ``i`` has no seed and no live up-neighbour.
    """
    k_width = rows.shape[1]
    sl = slot[i]
    reached = sl >= 0
    cur = 0
    if reached:
        for q in range(k_width):
            rows[0, q] = seeds[sl, q]
    else:
        for q in range(k_width):
            rows[0, q] = np.inf
    for e in range(ptr[i], ptr[i + 1]):
        h = to[e]
        if live[h]:
            reached = True
            we = sw[e]
            for q in range(k_width):
                a = rows[cur, q]
                c = blk[h, q] + we
                rows[1 - cur, q] = c if c < a else a
            cur = 1 - cur
    return cur if reached else -1


@njit(cache=True, fastmath=_SWEEP_MATH)
def _sweep(
    blk: np.ndarray,
    kb: int,
    sptr: np.ndarray,
    sto: np.ndarray,
    sw: np.ndarray,
    slot: np.ndarray,
    seeds: np.ndarray,
    cutoff: float,
    live: np.ndarray,
) -> None:
    """Downward sweep over local indices: ``blk[i] = min(seed, min_e blk[sto[e]] + sw[e])``.

    Pruned at the cutoff: ``live[i]`` says whether any lane of ``blk[i]`` is within
    ``cutoff``. A node with no seed and no live up-neighbour is beyond the cutoff for every
    source of the batch (weights are non-negative), so its row is neither computed nor
    written; readers must check ``live`` first.
    """
    k_width = blk.shape[1]
    nloc = blk.shape[0]
    rows = np.empty((2, k_width), dtype=np.float32)
    for i in range(nloc):
        r = _gather(i, sptr, sto, sw, slot, seeds, blk, live, rows)
        inside = False
        if r >= 0:
            m = np.float32(np.inf)
            for q in range(k_width):
                v = rows[r, q]
                blk[i, q] = v
                m = v if v < m else m
            inside = bool(m <= cutoff)
        live[i] = inside


@njit(cache=True, parallel=True)
def phast_matrix(
    srcs: np.ndarray,
    cutoff: float,
    ptr: np.ndarray,
    to: np.ndarray,
    w_up: np.ndarray,
    loc: np.ndarray,
    sptr: np.ndarray,
    sto: np.ndarray,
    sw: np.ndarray,
    out_local: np.ndarray,
    k_width: int,
    n_threads: int,
) -> np.ndarray:
    """Times from each source (position) to each requested local index, float32 (S × T).

    ``ptr/to/w_up`` is the full upward graph by position; ``loc`` maps a position to its
    index in the (possibly restricted) sweep graph ``sptr/sto/sw`` or -1; ``out_local`` lists
    the local index of each output column. Entries beyond ``cutoff`` are ``inf``.
    """
    n = ptr.shape[0] - 1
    nloc = sptr.shape[0] - 1
    ns = srcs.shape[0]
    nt = out_local.shape[0]
    out = np.empty((ns, nt), dtype=np.float32)
    nb = (ns + k_width - 1) // k_width
    nthreads = max(1, min(n_threads, nb))
    for t in prange(nthreads):
        dist = np.full(n, np.inf, dtype=np.float32)
        touched = np.empty(n, dtype=np.int64)
        hk = np.empty(to.shape[0] + 16, dtype=np.float32)
        hv = np.empty(to.shape[0] + 16, dtype=np.int64)
        slot = np.full(nloc, -1, dtype=np.int64)
        seeds = np.empty((1024, k_width), dtype=np.float32)
        blk = np.empty((max(nloc, 1), k_width), dtype=np.float32)
        live = np.zeros(max(nloc, 1), dtype=np.bool_)
        for b in range(t, nb, nthreads):
            b0 = b * k_width
            kb = min(k_width, ns - b0)
            seeds, nsl = _seed_batch(
                srcs, b0, kb, cutoff, ptr, to, w_up, loc, dist, touched, hk, hv, slot, seeds
            )
            _sweep(blk, kb, sptr, sto, sw, slot, seeds, cutoff, live)
            for i in range(nloc):
                if slot[i] >= 0:
                    slot[i] = -1
            for c in range(nt):
                li = out_local[c]
                if not live[li]:
                    for j in range(kb):
                        out[b0 + j, c] = np.inf
                    continue
                for j in range(kb):
                    x = blk[li, j]
                    out[b0 + j, c] = x if x <= cutoff else np.inf
    return out


@njit(cache=True)
def sweep_levels(ptr: np.ndarray, to: np.ndarray) -> np.ndarray:
    """Level of each position: 0 without up-arcs, else 1 + the highest level above it.

    Positions must already be a topological order (every up-arc to a smaller position).
    """
    n = ptr.shape[0] - 1
    lv = np.zeros(n, dtype=np.int64)
    for p in range(n):
        m = -1
        for e in range(ptr[p], ptr[p + 1]):
            if lv[to[e]] > m:
                m = lv[to[e]]
        lv[p] = m + 1
    return lv


@njit(cache=True)
def restricted_closure(targets: np.ndarray, ptr: np.ndarray, to: np.ndarray, n: int) -> np.ndarray:
    """Positions reachable from ``targets`` along up-arcs, sorted ascending (sweep order)."""
    mark = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int64)
    sp = 0
    for t in targets:
        if not mark[t]:
            mark[t] = True
            stack[sp] = t
            sp += 1
    while sp > 0:
        sp -= 1
        x = stack[sp]
        for e in range(ptr[x], ptr[x + 1]):
            y = to[e]
            if not mark[y]:
                mark[y] = True
                stack[sp] = y
                sp += 1
    return np.nonzero(mark)[0]
