"""Numba kernels of the contraction hierarchy: node contraction, upward searches, PHAST sweeps.

Everything here works on flat NumPy arrays. During contraction the remaining ("overlay")
graph is an undirected adjacency with two weights per entry: ``wo`` (node → neighbour) and
``wi`` (neighbour → node), ``inf`` where that direction has no arc. The finished hierarchy is
stored by sweep *position* (top level of the hierarchy first), so a PHAST sweep is a single
forward pass over positions and every up-neighbour of a node has a smaller position.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "contract",
    "phast_cumulative",
    "phast_matrix",
    "restricted_closure",
    "sweep_levels",
]

_INF = np.float32(np.inf)


# ----------------------------------------------------------------------------- binary heap


@njit(cache=True, inline="always")
def _heap_push(hk: np.ndarray, hv: np.ndarray, size: int, key: float, val: int) -> int:
    i = size
    hk[i] = key
    hv[i] = val
    while i > 0:
        p = (i - 1) >> 1
        if hk[p] <= hk[i]:
            break
        hk[p], hk[i] = hk[i], hk[p]
        hv[p], hv[i] = hv[i], hv[p]
        i = p
    return size + 1


@njit(cache=True, inline="always")
def _heap_pop(hk: np.ndarray, hv: np.ndarray, size: int) -> int:
    """Remove the root; the caller has read ``hk[0], hv[0]`` before. Returns the new size."""
    size -= 1
    hk[0] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[i] <= hk[c]:
            break
        hk[c], hk[i] = hk[i], hk[c]
        hv[c], hv[i] = hv[i], hv[c]
        i = c
    return size


# ----------------------------------------------------------------------------- contraction


@njit(cache=True)
def _witness(
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
    size = _heap_push(hk, hv, 0, 0.0, src)
    settled = 0
    remaining = n_targets
    cap = hk.shape[0]
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = _heap_pop(hk, hv, size)
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
                    size = _heap_push(hk, hv, size, nd, y)
    return nt


@njit(cache=True)
def _plan(
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
        ntouch = _witness(
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
def _plan_fit(
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
    """:func:`_plan`, doubling the shortcut buffers until they hold every shortcut of ``v``.

    Returns (count, next stamp, and the buffers, which may be new larger arrays).
    """
    nsc, stamp = _plan(
        v, limit, start, length, nbr, wo, wi, dist, touched, hk, hv, tmark, stamp, sc_u, sc_w, sc_d
    )
    while nsc < 0:
        sc_u = np.empty(2 * sc_u.shape[0], dtype=np.int64)
        sc_w = np.empty(2 * sc_w.shape[0], dtype=np.int64)
        sc_d = np.empty(2 * sc_d.shape[0], dtype=np.float32)
        nsc, stamp = _plan(
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
def _grow(arr: np.ndarray, need: int) -> np.ndarray:
    if need <= arr.shape[0]:
        return arr
    new = np.empty(max(need, 2 * arr.shape[0]), dtype=arr.dtype)
    new[: arr.shape[0]] = arr
    return new


@njit(cache=True)
def _priority(
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


@njit(cache=True)
def _iheap_sift(key: np.ndarray, heap: np.ndarray, where: np.ndarray, i: int, size: int) -> None:
    """Restore the indexed min-heap around slot ``i`` after ``key`` of its item changed."""
    while i > 0:
        p = (i - 1) >> 1
        if key[heap[p]] <= key[heap[i]]:
            break
        a, b = heap[p], heap[i]
        heap[p], heap[i] = b, a
        where[b], where[a] = p, i
        i = p
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and key[heap[c + 1]] < key[heap[c]]:
            c += 1
        if key[heap[i]] <= key[heap[c]]:
            break
        a, b = heap[c], heap[i]
        heap[c], heap[i] = b, a
        where[b], where[a] = c, i
        i = c


@njit(cache=True)
def _make_dirty(
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
    size = _heap_push(hk, hv, 0, 0.0, y)
    cap = hk.shape[0]
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = _heap_pop(hk, hv, size)
        if d > delta[x]:
            continue
        for e in range(rptr[x], rptr[x + 1]):
            z = ridx[e]
            nd = d + rw[e]
            if nd < delta[z] and nd < rcap:
                delta[z] = nd
                if size < cap:
                    size = _heap_push(hk, hv, size, nd, z)
                else:  # cannot propagate further: be conservative
                    delta[z] = 0.0


@njit(cache=True)
def _clean(
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
def _replay_raw(
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
def _replay(
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
def _same_as_base(
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


@njit(cache=True, parallel=True)
def _simulate_many(
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
            c, st = _plan(
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


@njit(cache=True)
def contract(
    n: int,
    e_a: np.ndarray,
    e_b: np.ndarray,
    e_wab: np.ndarray,
    e_wba: np.ndarray,
    fixed_order: np.ndarray,
    limit: int,
    sim_limit: int,
    eager: bool,
    base_rp: np.ndarray,
    base_ru: np.ndarray,
    base_rw: np.ndarray,
    base_rd: np.ndarray,
    changed: np.ndarray,
    rptr: np.ndarray,
    ridx: np.ndarray,
    rw: np.ndarray,
    rcap: float,
    n_threads: int,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    """Contract every node.

    Returns ``(order, up_ptr, up_to, up_w, down_w, stats, rec_ptr, rec_u, rec_w, rec_d)``;
    ``stats = [shortcuts, nodes planned with witness searches]`` and ``rec_*`` lists, per
    node id, the shortcuts its contraction inserted (u → w, minutes).

    ``e_*`` are undirected edges (each pair once) with the weights of both directions
    (``inf`` = no arc). When ``fixed_order`` has length ``n`` it is the contraction order
    (customisation of a new metric); otherwise the order is chosen on the fly by lazy
    edge-difference / deleted-neighbour / level priorities. The up-lists are indexed by
    node id: for node ``v``, entries ``up_ptr[v]:up_ptr[v+1]`` are its neighbours contracted
    after it, with ``up_w`` = weight v → neighbour and ``down_w`` = neighbour → v.

    *Partial re-customisation* (fixed order, ``changed`` non-empty, ``base_r*`` the record
    of the same order on the base metric, ``rptr/ridx/rw`` the reversed new graph): a node
    replays its base shortcuts without any search when it is *clean* — its adjacency equals
    the base run's and, for each in-neighbour ``u``, the distance from ``u`` to the nearest
    dirty node exceeds the radius of ``u``'s witness search. Then the search could only
    have settled clean nodes, so it would decide exactly as in the base run. Dirty nodes
    start as the endpoints of changed arcs and grow, whenever a re-planned node's shortcuts
    differ from the base, by that node, its neighbours and the ends of its base shortcuts;
    distances to them (capped at ``rcap`` minutes) are kept by bounded backward Dijkstra
    searches.
    """
    m = e_a.shape[0]
    deg = np.zeros(n, dtype=np.int64)
    for k in range(m):
        deg[e_a[k]] += 1
        deg[e_b[k]] += 1
    cap = np.maximum(deg * 2, 4)
    start = np.zeros(n, dtype=np.int64)
    acc = 0
    for v in range(n):
        start[v] = acc
        acc += cap[v]
    pool_end = acc
    nbr = np.empty(2 * acc, dtype=np.int32)
    wo = np.empty(2 * acc, dtype=np.float32)
    wi = np.empty(2 * acc, dtype=np.float32)
    length = np.zeros(n, dtype=np.int64)
    for k in range(m):
        a = e_a[k]
        b = e_b[k]
        p = start[a] + length[a]
        nbr[p] = b
        wo[p] = e_wab[k]
        wi[p] = e_wba[k]
        length[a] += 1
        p = start[b] + length[b]
        nbr[p] = a
        wo[p] = e_wba[k]
        wi[p] = e_wab[k]
        length[b] += 1

    dist = np.full(n, np.inf, dtype=np.float32)
    touched = np.empty(n, dtype=np.int64)
    hk = np.empty(1 << 16, dtype=np.float32)
    hv = np.empty(1 << 16, dtype=np.int64)
    tmark = np.zeros(n, dtype=np.int64)
    stamp = 0
    sc_u = np.empty(1 << 12, dtype=np.int64)
    sc_w = np.empty(1 << 12, dtype=np.int64)
    sc_d = np.empty(1 << 12, dtype=np.float32)
    level = np.zeros(n, dtype=np.int64)
    deleted = np.zeros(n, dtype=np.int64)
    contracted = np.zeros(n, dtype=np.bool_)

    fixed = fixed_order.shape[0] == n
    partial = fixed and changed.shape[0] > 0 and base_rp.shape[0] == n + 1
    dirty = np.zeros(n, dtype=np.bool_)
    delta = np.full(n, np.float32(rcap), dtype=np.float32)
    dh_k = np.empty(ridx.shape[0] + 16, dtype=np.float32)
    dh_v = np.empty(ridx.shape[0] + 16, dtype=np.int64)
    if partial:
        for c in changed:
            _make_dirty(c, dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
    rec_cnt = np.zeros(n + 1, dtype=np.int64)
    rec_u = np.empty(max(16, m), dtype=np.int32)
    rec_w = np.empty(max(16, m), dtype=np.int32)
    rec_d = np.empty(max(16, m), dtype=np.float32)
    n_rec = 0
    n_planned = 0
    key = np.zeros(n, dtype=np.float64)
    est = np.zeros(n, dtype=np.int64)
    # per-thread scratch for simulating several neighbours at once (high-degree nodes)
    par_min = 2
    nthr = max(1, n_threads)
    dist2 = np.full((nthr, n), np.inf, dtype=np.float32)
    touched2 = np.empty((nthr, n), dtype=np.int64)
    hk2 = np.empty((nthr, 1 << 16), dtype=np.float32)
    hv2 = np.empty((nthr, 1 << 16), dtype=np.int64)
    tmark2 = np.zeros((nthr, n), dtype=np.int64)
    stamps = np.zeros(nthr, dtype=np.int64)
    scu2 = np.empty((nthr, 1 << 12), dtype=np.int64)
    scw2 = np.empty((nthr, 1 << 12), dtype=np.int64)
    scd2 = np.empty((nthr, 1 << 12), dtype=np.float32)
    heap = np.arange(n, dtype=np.int64)
    where = np.arange(n, dtype=np.int64)
    hsize = n
    if not fixed:
        _simulate_many(
            np.arange(n, dtype=np.int64),
            sim_limit,
            start,
            length,
            nbr,
            wo,
            wi,
            dist2,
            touched2,
            hk2,
            hv2,
            tmark2,
            stamps,
            scu2,
            scw2,
            scd2,
            est,
            nthr,
        )
        for v in range(n):
            key[v] = _priority(v, est[v], start, length, wo, wi, level, deleted)
        for i in range(n // 2 - 1, -1, -1):
            _iheap_sift(key, heap, where, i, hsize)

    order = np.empty(n, dtype=np.int64)
    up_ptr = np.zeros(n + 1, dtype=np.int64)
    up_to = np.empty(max(16, 3 * m), dtype=np.int32)
    up_w = np.empty(max(16, 3 * m), dtype=np.float32)
    down_w = np.empty(max(16, 3 * m), dtype=np.float32)
    n_up = 0
    n_short = 0
    for r in range(n):
        if fixed:
            v = fixed_order[r]
            replay = False
            if partial and _clean(v, start, length, wi, wo, nbr, dirty, delta):
                nb = base_rp[v + 1] - base_rp[v]
                if nb > sc_u.shape[0]:
                    sc_u = np.empty(2 * nb, dtype=np.int64)
                    sc_w = np.empty(2 * nb, dtype=np.int64)
                    sc_d = np.empty(2 * nb, dtype=np.float32)
                nsc = _replay(
                    v,
                    base_rp,
                    base_ru,
                    base_rw,
                    base_rd,
                    start,
                    length,
                    nbr,
                    wo,
                    wi,
                    sc_u,
                    sc_w,
                    sc_d,
                )
                replay = nsc >= 0
            if not replay:
                n_planned += 1
                nsc, stamp, sc_u, sc_w, sc_d = _plan_fit(
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
                if partial:
                    if _same_as_base(v, nsc, sc_u, sc_w, sc_d, base_rp, base_ru, base_rw, base_rd):
                        # insert in the base order so neighbours' lists stay identical
                        nsc = _replay_raw(v, base_rp, base_ru, base_rw, base_rd, sc_u, sc_w, sc_d)
                    else:
                        for j in range(length[v]):
                            _make_dirty(
                                nbr[start[v] + j], dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v
                            )
                        _make_dirty(v, dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
                        # the base run inserted its own pairs, maybe between other nodes
                        for e in range(base_rp[v], base_rp[v + 1]):
                            _make_dirty(base_ru[e], dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
                            _make_dirty(base_rw[e], dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
        else:
            while True:
                v = heap[0]
                nsc, stamp, sc_u, sc_w, sc_d = _plan_fit(
                    v,
                    sim_limit,
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
                est[v] = nsc
                key[v] = _priority(v, nsc, start, length, wo, wi, level, deleted)
                _iheap_sift(key, heap, where, 0, hsize)
                if heap[0] == v:
                    break
            if sim_limit != limit:
                nsc, stamp, sc_u, sc_w, sc_d = _plan_fit(
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
            # pop v
            hsize -= 1
            last = heap[hsize]
            heap[0] = last
            where[last] = 0
            _iheap_sift(key, heap, where, 0, hsize)
        order[r] = v
        # record the shortcuts v inserts (replayed by later partial re-customisations)
        if n_rec + nsc > rec_u.shape[0]:
            rec_u = _grow(rec_u, n_rec + nsc)
            rec_w = _grow(rec_w, n_rec + nsc)
            rec_d = _grow(rec_d, n_rec + nsc)
        for k in range(nsc):
            rec_u[n_rec] = sc_u[k]
            rec_w[n_rec] = sc_w[k]
            rec_d[n_rec] = sc_d[k]
            n_rec += 1
        rec_cnt[v + 1] = nsc
        # record v's up-entries (its remaining neighbours)
        s0 = start[v]
        dv = length[v]
        need = n_up + dv
        if need > up_to.shape[0]:
            up_to = _grow(up_to, need)
            up_w = _grow(up_w, need)
            down_w = _grow(down_w, need)
        for j in range(dv):
            up_to[n_up] = nbr[s0 + j]
            up_w[n_up] = wo[s0 + j]
            down_w[n_up] = wi[s0 + j]
            n_up += 1
        up_ptr[v + 1] = dv
        contracted[v] = True
        # detach v from its neighbours
        for j in range(dv):
            x = nbr[s0 + j]
            sx = start[x]
            lx = length[x]
            for e in range(sx, sx + lx):
                if nbr[e] == v:
                    nbr[e] = nbr[sx + lx - 1]
                    wo[e] = wo[sx + lx - 1]
                    wi[e] = wi[sx + lx - 1]
                    length[x] = lx - 1
                    break
            deleted[x] += 1
            if level[x] < level[v] + 1:
                level[x] = level[v] + 1
        # insert shortcuts u -> w
        for k in range(nsc):
            u = sc_u[k]
            w = sc_w[k]
            dsc = sc_d[k]
            su = start[u]
            found = False
            for e in range(su, su + length[u]):
                if nbr[e] == w:
                    found = True
                    if dsc < wo[e]:
                        wo[e] = dsc
                        n_short += 1
                    break
            if found:
                sw = start[w]
                for e in range(sw, sw + length[w]):
                    if nbr[e] == u:
                        if dsc < wi[e]:
                            wi[e] = dsc
                        break
                continue
            n_short += 1
            # append (u: w, wo=dsc, wi=inf) and (w: u, wo=inf, wi=dsc)
            for side in range(2):
                a = u if side == 0 else w
                b = w if side == 0 else u
                if length[a] == cap[a]:
                    newcap = 2 * cap[a]
                    if pool_end + newcap > nbr.shape[0]:
                        nbr = _grow(nbr, pool_end + newcap)
                        wo = _grow(wo, pool_end + newcap)
                        wi = _grow(wi, pool_end + newcap)
                    for e in range(length[a]):
                        nbr[pool_end + e] = nbr[start[a] + e]
                        wo[pool_end + e] = wo[start[a] + e]
                        wi[pool_end + e] = wi[start[a] + e]
                    start[a] = pool_end
                    cap[a] = newcap
                    pool_end += newcap
                p = start[a] + length[a]
                nbr[p] = b
                wo[p] = dsc if side == 0 else np.inf
                wi[p] = np.inf if side == 0 else dsc
                length[a] += 1
        # neighbours' priorities change
        if not fixed and eager and dv >= par_min and n_threads > 1:
            nbs = up_to[n_up - dv : n_up].astype(np.int64)
            _simulate_many(
                nbs,
                sim_limit,
                start,
                length,
                nbr,
                wo,
                wi,
                dist2,
                touched2,
                hk2,
                hv2,
                tmark2,
                stamps,
                scu2,
                scw2,
                scd2,
                est,
                n_threads,
            )
            for j in range(dv):
                x = nbs[j]
                key[x] = _priority(x, est[x], start, length, wo, wi, level, deleted)
                _iheap_sift(key, heap, where, where[x], hsize)
        elif not fixed:
            for j in range(dv):
                x = up_to[n_up - dv + j]
                if eager:
                    nx, stamp = _plan(
                        x,
                        sim_limit,
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
                    if nx < 0:
                        nx = sc_u.shape[0]
                    est[x] = nx
                key[x] = _priority(x, est[x], start, length, wo, wi, level, deleted)
                _iheap_sift(key, heap, where, where[x], hsize)
    for v in range(n):
        up_ptr[v + 1] += up_ptr[v]
    # entries were appended in contraction order, not node order: regroup by node
    up_ptr_r = np.zeros(n + 1, dtype=np.int64)
    src_off = np.empty(n, dtype=np.int64)
    acc = 0
    for r in range(n):
        v = order[r]
        src_off[v] = acc
        acc += up_ptr[v + 1] - up_ptr[v]
    out_to = np.empty(n_up, dtype=np.int32)
    out_w = np.empty(n_up, dtype=np.float32)
    out_dw = np.empty(n_up, dtype=np.float32)
    for v in range(n):
        up_ptr_r[v + 1] = up_ptr_r[v] + (up_ptr[v + 1] - up_ptr[v])
        o = src_off[v]
        for j in range(up_ptr[v + 1] - up_ptr[v]):
            out_to[up_ptr_r[v] + j] = up_to[o + j]
            out_w[up_ptr_r[v] + j] = up_w[o + j]
            out_dw[up_ptr_r[v] + j] = down_w[o + j]
    # the shortcut records, regrouped by node id the same way
    rec_ptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        rec_ptr[v + 1] = rec_ptr[v] + rec_cnt[v + 1]
    r_u = np.empty(n_rec, dtype=np.int32)
    r_w = np.empty(n_rec, dtype=np.int32)
    r_d = np.empty(n_rec, dtype=np.float32)
    acc = 0
    for r in range(n):
        v = order[r]
        c = rec_cnt[v + 1]
        b0 = rec_ptr[v]
        for j in range(c):
            r_u[b0 + j] = rec_u[acc + j]
            r_w[b0 + j] = rec_w[acc + j]
            r_d[b0 + j] = rec_d[acc + j]
        acc += c
    stats = np.array([n_short, n_planned if fixed else n], dtype=np.int64)
    return order, up_ptr_r, out_to, out_w, out_dw, stats, rec_ptr, r_u, r_w, r_d


# ----------------------------------------------------------------------------- queries


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
    size = _heap_push(hk, hv, 0, 0.0, s)
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = _heap_pop(hk, hv, size)
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
                size = _heap_push(hk, hv, size, nd, y)
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


@njit(cache=True)
def _sweep(
    blk: np.ndarray,
    kb: int,
    sptr: np.ndarray,
    sto: np.ndarray,
    sw: np.ndarray,
    slot: np.ndarray,
    seeds: np.ndarray,
) -> None:
    """Downward sweep over local indices: ``blk[i] = min(seed, min_e blk[sto[e]] + sw[e])``."""
    k_width = blk.shape[1]
    nloc = blk.shape[0]
    row = np.empty(k_width, dtype=np.float32)
    for i in range(nloc):
        sl = slot[i]
        if sl >= 0:
            for q in range(k_width):
                row[q] = seeds[sl, q]
        else:
            for q in range(k_width):
                row[q] = np.inf
        for e in range(sptr[i], sptr[i + 1]):
            h = sto[e]
            we = sw[e]
            for q in range(k_width):
                c = blk[h, q] + we
                row[q] = min(row[q], c)
        for q in range(k_width):
            blk[i, q] = row[q]


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
        for b in range(t, nb, nthreads):
            b0 = b * k_width
            kb = min(k_width, ns - b0)
            seeds, nsl = _seed_batch(
                srcs, b0, kb, cutoff, ptr, to, w_up, loc, dist, touched, hk, hv, slot, seeds
            )
            _sweep(blk, kb, sptr, sto, sw, slot, seeds)
            for i in range(nloc):
                if slot[i] >= 0:
                    slot[i] = -1
            for c in range(nt):
                li = out_local[c]
                for j in range(kb):
                    x = blk[li, j]
                    out[b0 + j, c] = x if x <= cutoff else np.inf
    return out


@njit(cache=True)
def _sweep_cum(
    blk: np.ndarray,
    ptr: np.ndarray,
    to: np.ndarray,
    sw: np.ndarray,
    slot: np.ndarray,
    seeds: np.ndarray,
    opp: np.ndarray,
    cutoff: float,
    acc: np.ndarray,
) -> None:
    """Full downward sweep of one batch, summing ``opp`` within ``cutoff`` into ``acc``."""
    n = blk.shape[0]
    k_width = blk.shape[1]
    row = np.empty(k_width, dtype=np.float32)
    for q in range(k_width):
        acc[q] = 0.0
    for i in range(n):
        sl = slot[i]
        if sl >= 0:
            for q in range(k_width):
                row[q] = seeds[sl, q]
            slot[i] = -1
        else:
            for q in range(k_width):
                row[q] = np.inf
        for e in range(ptr[i], ptr[i + 1]):
            h = to[e]
            we = sw[e]
            for q in range(k_width):
                row[q] = min(row[q], blk[h, q] + we)
        oi = opp[i]
        for q in range(k_width):
            blk[i, q] = row[q]
            if row[q] <= cutoff:
                acc[q] += oi


@njit(cache=True, parallel=True)
def phast_cumulative(
    srcs: np.ndarray,
    cutoff: float,
    ptr: np.ndarray,
    to: np.ndarray,
    w_up: np.ndarray,
    sw: np.ndarray,
    opp: np.ndarray,
    k_width: int,
    n_threads: int,
) -> np.ndarray:
    """Sum of ``opp`` (by position) over nodes within ``cutoff`` of each source position.

    One full PHAST sweep per batch of ``k_width`` sources; the per-batch distance block
    (n × k_width float32) is the only per-source storage.
    """
    n = ptr.shape[0] - 1
    ns = srcs.shape[0]
    res = np.zeros(ns, dtype=np.float64)
    nb = (ns + k_width - 1) // k_width
    nthreads = max(1, min(n_threads, nb))
    loc = np.arange(n, dtype=np.int64)
    for t in prange(nthreads):
        dist = np.full(n, np.inf, dtype=np.float32)
        touched = np.empty(n, dtype=np.int64)
        hk = np.empty(to.shape[0] + 16, dtype=np.float32)
        hv = np.empty(to.shape[0] + 16, dtype=np.int64)
        slot = np.full(n, -1, dtype=np.int64)
        seeds = np.empty((1024, k_width), dtype=np.float32)
        blk = np.empty((max(n, 1), k_width), dtype=np.float32)
        acc = np.empty(k_width, dtype=np.float64)
        for b in range(t, nb, nthreads):
            b0 = b * k_width
            kb = min(k_width, ns - b0)
            seeds, nsl = _seed_batch(
                srcs, b0, kb, cutoff, ptr, to, w_up, loc, dist, touched, hk, hv, slot, seeds
            )
            _sweep_cum(blk, ptr, to, sw, slot, seeds, opp, cutoff, acc)
            for j in range(kb):
                res[b0 + j] = acc[j]
    return res


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
