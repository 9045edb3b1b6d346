"""Partial re-customisation: which nodes may replay their base shortcuts unchanged (Numba).

See :func:`metrocircle.network._ch_contract.contract` for the rule (clean and dirty nodes).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from metrocircle.network._ch_heap import heap_pop, heap_push

__all__ = ["is_clean", "make_dirty", "replay", "replay_raw", "same_as_base"]


@njit(cache=True)
def make_dirty(
    y: int,
    dirty: np.ndarray,
    delta: np.ndarray,
    rptr: np.ndarray,
    ridx: np.ndarray,
    rw: np.ndarray,
    rcap: float,
    hk: np.ndarray,
    hv: np.ndarray,
) -> None:
    """Mark ``y`` dirty and lower ``delta`` (distance to the nearest dirty node, < rcap)."""
    if dirty[y]:
        return
    dirty[y] = True
    delta[y] = 0.0
    size = heap_push(hk, hv, 0, 0.0, y)
    cap = hk.shape[0]
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = heap_pop(hk, hv, size)
        if d > delta[x]:
            continue
        for e in range(rptr[x], rptr[x + 1]):
            z = ridx[e]
            nd = d + rw[e]
            if nd < delta[z] and nd < rcap:
                delta[z] = nd
                if size < cap:
                    size = heap_push(hk, hv, size, nd, z)
                else:  # cannot propagate further: be conservative
                    delta[z] = 0.0


@njit(cache=True)
def is_clean(
    v: int,
    start: np.ndarray,
    length: np.ndarray,
    wi: np.ndarray,
    wo: np.ndarray,
    nbr: np.ndarray,
    dirty: np.ndarray,
    delta: np.ndarray,
) -> bool:
    """Whether contracting ``v`` must decide exactly as in the base run (see contract)."""
    if dirty[v]:
        return False
    s0 = start[v]
    deg = length[v]
    for i in range(deg):
        wuv = wi[s0 + i]
        if wuv == np.inf:
            continue
        maxd = np.float32(-1.0)
        for j in range(deg):
            if j != i and wo[s0 + j] != np.inf and wuv + wo[s0 + j] > maxd:
                maxd = wuv + wo[s0 + j]
        if maxd >= 0.0 and not maxd < delta[nbr[s0 + i]]:
            return False
    return True


@njit(cache=True)
def replay_raw(
    v: int,
    base_rp: np.ndarray,
    base_ru: np.ndarray,
    base_rw: np.ndarray,
    base_rd: np.ndarray,
    sc_u: np.ndarray,
    sc_w: np.ndarray,
    sc_d: np.ndarray,
) -> int:
    k = 0
    for e in range(base_rp[v], base_rp[v + 1]):
        sc_u[k] = base_ru[e]
        sc_w[k] = base_rw[e]
        sc_d[k] = base_rd[e]
        k += 1
    return k


@njit(cache=True)
def replay(
    v: int,
    base_rp: np.ndarray,
    base_ru: np.ndarray,
    base_rw: np.ndarray,
    base_rd: np.ndarray,
    start: np.ndarray,
    length: np.ndarray,
    nbr: np.ndarray,
    wo: np.ndarray,
    wi: np.ndarray,
    sc_u: np.ndarray,
    sc_w: np.ndarray,
    sc_d: np.ndarray,
) -> int:
    """The base shortcuts of ``v``, checked against its current arcs; -1 on any mismatch."""
    s0 = start[v]
    deg = length[v]
    k = 0
    for e in range(base_rp[v], base_rp[v + 1]):
        u = base_ru[e]
        w = base_rw[e]
        a = np.float32(np.inf)
        b = np.float32(np.inf)
        for j in range(deg):
            x = nbr[s0 + j]
            if x == u:
                a = wi[s0 + j]
            if x == w:
                b = wo[s0 + j]
        if a + b != base_rd[e]:
            return -1
        sc_u[k] = u
        sc_w[k] = w
        sc_d[k] = base_rd[e]
        k += 1
    return k


@njit(cache=True)
def same_as_base(
    v: int,
    nsc: int,
    sc_u: np.ndarray,
    sc_w: np.ndarray,
    sc_d: np.ndarray,
    base_rp: np.ndarray,
    base_ru: np.ndarray,
    base_rw: np.ndarray,
    base_rd: np.ndarray,
) -> bool:
    """Whether the planned shortcuts equal the base record of ``v`` as a set."""
    if nsc != base_rp[v + 1] - base_rp[v]:
        return False
    for k in range(nsc):
        hit = False
        for e in range(base_rp[v], base_rp[v + 1]):
            if base_ru[e] == sc_u[k] and base_rw[e] == sc_w[k] and base_rd[e] == sc_d[k]:
                hit = True
                break
        if not hit:
            return False
    return True
