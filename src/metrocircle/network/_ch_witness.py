"""Witness searches: which shortcuts contracting a node needs, and its priority (Numba).

During contraction the remaining ("overlay") graph is an undirected adjacency with two weights
per entry: ``wo`` (node → neighbour) and ``wi`` (neighbour → node), ``inf`` where that
direction has no arc.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from metrocircle.network._ch_heap import heap_pop, heap_push

__all__ = ["plan", "plan_fit", "priority", "simulate_many", "witness"]


@njit(cache=True)
def witness(
    src: int,
    excl: int,
    maxd: float,
    limit: int,
    n_targets: int,
    tmark: np.ndarray,
    stamp: int,
    start: np.ndarray,
    length: np.ndarray,
    nbr: np.ndarray,
    wo: np.ndarray,
    dist: np.ndarray,
    touched: np.ndarray,
    hk: np.ndarray,
    hv: np.ndarray,
) -> int:
    """Bounded Dijkstra from ``src`` avoiding ``excl``; returns the number of touched nodes."""
    nt = 0
    dist[src] = 0.0
    touched[nt] = src
    nt += 1
    size = heap_push(hk, hv, 0, 0.0, src)
    settled = 0
    remaining = n_targets
    cap = hk.shape[0]
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = heap_pop(hk, hv, size)
        if d > dist[x]:
            continue
        if d > maxd:
            break
        settled += 1
        if tmark[x] == stamp:
            remaining -= 1
            if remaining == 0:
                break
        if settled >= limit:
            break
        for e in range(start[x], start[x] + length[x]):
            w = wo[e]
            if w == np.inf:
                continue
            y = nbr[e]
            if y == excl:
                continue
            nd = d + w
            if nd < dist[y] and nd <= maxd:
                if dist[y] == np.inf:
                    touched[nt] = y
                    nt += 1
                dist[y] = nd
                if size < cap:
                    size = heap_push(hk, hv, size, nd, y)
    return nt


@njit(cache=True)
def plan(
    v: int,
    limit: int,
    start: np.ndarray,
    length: np.ndarray,
    nbr: np.ndarray,
    wo: np.ndarray,
    wi: np.ndarray,
    dist: np.ndarray,
    touched: np.ndarray,
    hk: np.ndarray,
    hv: np.ndarray,
    tmark: np.ndarray,
    stamp: int,
    sc_u: np.ndarray,
    sc_w: np.ndarray,
    sc_d: np.ndarray,
) -> tuple[int, int]:
    """Shortcuts needed to contract ``v`` (written to ``sc_*``); returns (count, next stamp)."""
    s0 = start[v]
    deg = length[v]
    nsc = 0
    for i in range(deg):
        wuv = wi[s0 + i]
        if wuv == np.inf:
            continue
        u = nbr[s0 + i]
        stamp += 1
        maxd = np.float32(-1.0)
        nt = 0
        for j in range(deg):
            if j == i:
                continue
            wvw = wo[s0 + j]
            if wvw == np.inf:
                continue
            tmark[nbr[s0 + j]] = stamp
            nt += 1
            if wuv + wvw > maxd:
                maxd = wuv + wvw
        if nt == 0:
            continue
        ntouch = witness(
            u, v, maxd, limit, nt, tmark, stamp, start, length, nbr, wo, dist, touched, hk, hv
        )
        for j in range(deg):
            if j == i:
                continue
            wvw = wo[s0 + j]
            if wvw == np.inf:
                continue
            w = nbr[s0 + j]
            sc = wuv + wvw
            if dist[w] > sc:
                if nsc >= sc_u.shape[0]:
                    return -1, stamp
                sc_u[nsc] = u
                sc_w[nsc] = w
                sc_d[nsc] = sc
                nsc += 1
        for k in range(ntouch):
            dist[touched[k]] = np.inf
    return nsc, stamp


@njit(cache=True)
def plan_fit(
    v: int,
    limit: int,
    start: np.ndarray,
    length: np.ndarray,
    nbr: np.ndarray,
    wo: np.ndarray,
    wi: np.ndarray,
    dist: np.ndarray,
    touched: np.ndarray,
    hk: np.ndarray,
    hv: np.ndarray,
    tmark: np.ndarray,
    stamp: int,
    sc_u: np.ndarray,
    sc_w: np.ndarray,
    sc_d: np.ndarray,
) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`plan`, doubling the shortcut buffers until they hold every shortcut of ``v``.

    Returns (count, next stamp, and the buffers, which may be new larger arrays).
    """
    nsc, stamp = plan(
        v, limit, start, length, nbr, wo, wi, dist, touched, hk, hv, tmark, stamp, sc_u, sc_w, sc_d
    )
    while nsc < 0:
        sc_u = np.empty(2 * sc_u.shape[0], dtype=np.int64)
        sc_w = np.empty(2 * sc_w.shape[0], dtype=np.int64)
        sc_d = np.empty(2 * sc_d.shape[0], dtype=np.float32)
        nsc, stamp = plan(
            v,
            limit,
            start,
            length,
            nbr,
            wo,
            wi,
            dist,
            touched,
            hk,
            hv,
            tmark,
            stamp,
            sc_u,
            sc_w,
            sc_d,
        )
    return nsc, stamp, sc_u, sc_w, sc_d


@njit(cache=True)
def priority(
    v: int,
    nsc: int,
    start: np.ndarray,
    length: np.ndarray,
    wo: np.ndarray,
    wi: np.ndarray,
    level: np.ndarray,
    deleted: np.ndarray,
) -> float:
    removed = 0
    for e in range(start[v], start[v] + length[v]):
        if wo[e] != np.inf:
            removed += 1
        if wi[e] != np.inf:
            removed += 1
    return float(2.0 * (nsc - removed) + deleted[v] + 2.0 * level[v])


@njit(cache=True, parallel=True)
def simulate_many(
    nodes: np.ndarray,
    limit: int,
    start: np.ndarray,
    length: np.ndarray,
    nbr: np.ndarray,
    wo: np.ndarray,
    wi: np.ndarray,
    dist2: np.ndarray,
    touched2: np.ndarray,
    hk2: np.ndarray,
    hv2: np.ndarray,
    tmark2: np.ndarray,
    stamps: np.ndarray,
    scu2: np.ndarray,
    scw2: np.ndarray,
    scd2: np.ndarray,
    est: np.ndarray,
    n_threads: int,
) -> None:
    """Shortcut counts of ``nodes`` (into ``est``), simulated on ``n_threads`` threads."""
    m = nodes.shape[0]
    nt = min(n_threads, m)
    for t in prange(nt):
        st = stamps[t]
        for q in range(t, m, nt):
            x = nodes[q]
            c, st = plan(
                x,
                limit,
                start,
                length,
                nbr,
                wo,
                wi,
                dist2[t],
                touched2[t],
                hk2[t],
                hv2[t],
                tmark2[t],
                st,
                scu2[t],
                scw2[t],
                scd2[t],
            )
            est[x] = c if c >= 0 else scu2.shape[1]
        stamps[t] = st
