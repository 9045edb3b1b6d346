"""Node contraction: the order search and shortcut insertion of the hierarchy (Numba).

The overlay graph is an undirected adjacency with ``wo``/``wi`` weights per entry (see
:mod:`metrocircle.network._ch_witness`). The output up-lists are indexed by node id;
:mod:`metrocircle.network.hierarchy` turns them into the sweep-position layout.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from metrocircle.network._ch_heap import grow, iheap_sift
from metrocircle.network._ch_replay import is_clean, make_dirty, replay, replay_raw, same_as_base
from metrocircle.network._ch_witness import plan, plan_fit, priority, simulate_many

__all__ = ["contract"]


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
            make_dirty(c, dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
    rec_cnt = np.zeros(n + 1, dtype=np.int64)
    rec_u = np.empty(max(16, m), dtype=np.int32)
    rec_w = np.empty(max(16, m), dtype=np.int32)
    rec_d = np.empty(max(16, m), dtype=np.float32)
    n_rec = 0
    n_planned = 0
    key = np.zeros(n, dtype=np.float64)
    est = np.zeros(n, dtype=np.int64)
    # per-thread scratch for simulating several neighbours at once (high-degree nodes)
    # a parallel region per contracted node only pays for itself on high-degree nodes: on a
    # two-core machine shared with other jobs, one launch per node (from degree 2 up) made a
    # 40k-node contraction take 176 s instead of 3.6 s on one thread (load average 15)
    par_min = 16
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
        simulate_many(
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
            key[v] = priority(v, est[v], start, length, wo, wi, level, deleted)
        for i in range(n // 2 - 1, -1, -1):
            iheap_sift(key, heap, where, i, hsize)

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
            replayed = False
            if partial and is_clean(v, start, length, wi, wo, nbr, dirty, delta):
                nb = base_rp[v + 1] - base_rp[v]
                if nb > sc_u.shape[0]:
                    sc_u = np.empty(2 * nb, dtype=np.int64)
                    sc_w = np.empty(2 * nb, dtype=np.int64)
                    sc_d = np.empty(2 * nb, dtype=np.float32)
                nsc = replay(
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
                replayed = nsc >= 0
            if not replayed:
                n_planned += 1
                nsc, stamp, sc_u, sc_w, sc_d = plan_fit(
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
                    if same_as_base(v, nsc, sc_u, sc_w, sc_d, base_rp, base_ru, base_rw, base_rd):
                        # insert in the base order so neighbours' lists stay identical
                        nsc = replay_raw(v, base_rp, base_ru, base_rw, base_rd, sc_u, sc_w, sc_d)
                    else:
                        for j in range(length[v]):
                            make_dirty(
                                nbr[start[v] + j], dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v
                            )
                        make_dirty(v, dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
                        # the base run inserted its own pairs, maybe between other nodes
                        for e in range(base_rp[v], base_rp[v + 1]):
                            make_dirty(base_ru[e], dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
                            make_dirty(base_rw[e], dirty, delta, rptr, ridx, rw, rcap, dh_k, dh_v)
        else:
            while True:
                v = heap[0]
                nsc, stamp, sc_u, sc_w, sc_d = plan_fit(
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
                key[v] = priority(v, nsc, start, length, wo, wi, level, deleted)
                iheap_sift(key, heap, where, 0, hsize)
                if heap[0] == v:
                    break
            if sim_limit != limit:
                nsc, stamp, sc_u, sc_w, sc_d = plan_fit(
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
            iheap_sift(key, heap, where, 0, hsize)
        order[r] = v
        # record the shortcuts v inserts (replayed by later partial re-customisations)
        if n_rec + nsc > rec_u.shape[0]:
            rec_u = grow(rec_u, n_rec + nsc)
            rec_w = grow(rec_w, n_rec + nsc)
            rec_d = grow(rec_d, n_rec + nsc)
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
            up_to = grow(up_to, need)
            up_w = grow(up_w, need)
            down_w = grow(down_w, need)
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
                        nbr = grow(nbr, pool_end + newcap)
                        wo = grow(wo, pool_end + newcap)
                        wi = grow(wi, pool_end + newcap)
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
            simulate_many(
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
                key[x] = priority(x, est[x], start, length, wo, wi, level, deleted)
                iheap_sift(key, heap, where, where[x], hsize)
        elif not fixed:
            for j in range(dv):
                x = up_to[n_up - dv + j]
                if eager:
                    nx, stamp = plan(
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
                key[x] = priority(x, est[x], start, length, wo, wi, level, deleted)
                iheap_sift(key, heap, where, where[x], hsize)
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
