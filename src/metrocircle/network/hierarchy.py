"""The contraction hierarchy as flat arrays: contraction, sweep layout and the on-disk cache.

:class:`ContractionHierarchy` contracts a :class:`~metrocircle.network.engine.CSRGraph`
(kernels in ``_ch_contract``), lays the result out by sweep *position* (hierarchy level from
the top, then node id, for cache locality) and saves / loads it as ``.npz`` keyed by the
graph's content hash. :class:`~metrocircle.network.ch.CHEngine` queries it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import numpy.typing as npt

from metrocircle.network import _ch_contract, _ch_sweeps
from metrocircle.network.engine import CSRGraph

__all__ = [
    "CACHE_FORMAT",
    "PRIORITY_SETTLE_LIMIT",
    "RECUSTOMIZE_RADIUS",
    "WITNESS_SETTLE_LIMIT",
    "ContractionHierarchy",
    "default_cache_dir",
    "graph_hash",
    "ranges",
    "threads",
]

logger = logging.getLogger(__name__)

#: Settled-node bound of a witness search. Bigger finds more witnesses (fewer shortcuts,
#: faster queries) at a slower build; 60 balanced both on the 200k-node benchmark graph.
WITNESS_SETTLE_LIMIT = 60
#: Minutes around changed arcs within which a partial re-customisation re-runs witness
#: searches; nodes whose witness radius is larger are always re-planned. 20 min was the
#: fastest of 5–60 min on the 200k-node benchmark graph (0.6 s; 5 min re-plans 10× more).
RECUSTOMIZE_RADIUS = 20.0
#: Settled-node bound of the witness searches that only estimate a node's priority (they
#: run for every neighbour of every contracted node, so they dominate the build time);
#: 20 cut the build from 14 s to 10 s on the 200k-node graph with the same query speed.
PRIORITY_SETTLE_LIMIT = 20
#: Version of the cached array layout; bump when the kernels change what they store.
CACHE_FORMAT = 3

F32Array = npt.NDArray[np.float32]
I64Array = npt.NDArray[np.int64]


def default_cache_dir() -> Path:
    """The per-user cache folder for hierarchies: ``<user cache>/metrocircle/ch``."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("metrocircle")) / "ch"


def graph_hash(graph: CSRGraph) -> str:
    """A SHA-256 of the graph's arrays (structure and weights), hex."""
    h = hashlib.sha256()
    h.update(np.int64(graph.n_nodes).tobytes())
    for arr, dt in (
        (graph.indptr, np.int64),
        (graph.indices, np.int32),
        (graph.weights, np.float32),
    ):
        h.update(np.ascontiguousarray(arr, dtype=dt).tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class ContractionHierarchy:
    """A contraction hierarchy as flat arrays ordered by sweep position (top level first).

    Attributes
    ----------
    order
        Node ids in contraction order (rank 0 first).
    pos
        Position of each node id in the sweep: by hierarchy level from the top, node id
        within a level, so every up-arc points to a smaller position.
    up_ptr
        int64, length ``n + 1``: the up-arcs of position ``p`` are ``up_ptr[p]:up_ptr[p+1]``.
    up_to
        int32 position of the higher end of each up-arc (always smaller than ``p``).
    up_w
        float32 minutes from ``p`` up to ``up_to`` (``inf`` = no arc that way).
    down_w
        float32 minutes from ``up_to`` down to ``p`` (``inf`` = no arc that way).
    n_shortcuts
        Shortcuts added (or improved) during contraction.
    sc_ptr, sc_u, sc_w, sc_d
        Per node id (``sc_ptr[v]:sc_ptr[v+1]``), the shortcuts u → w (minutes) its
        contraction inserted: what a partial re-customisation replays.
    n_planned
        Nodes whose contraction ran witness searches (all of them unless the hierarchy came
        from a partial re-customisation).
    """

    order: I64Array
    pos: I64Array
    up_ptr: I64Array
    up_to: npt.NDArray[np.int32]
    up_w: F32Array
    down_w: F32Array
    n_shortcuts: int
    sc_ptr: I64Array
    sc_u: npt.NDArray[np.int32]
    sc_w: npt.NDArray[np.int32]
    sc_d: F32Array
    n_planned: int = 0

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.pos.shape[0])

    @property
    def n_up_arcs(self) -> int:
        """Number of hierarchy edges (original plus shortcuts), each stored once."""
        return int(self.up_to.shape[0])

    @classmethod
    def contract(
        cls,
        graph: CSRGraph,
        *,
        order: npt.ArrayLike | None = None,
        witness_limit: int = WITNESS_SETTLE_LIMIT,
        sim_limit: int = PRIORITY_SETTLE_LIMIT,
        base: ContractionHierarchy | None = None,
        changed: npt.ArrayLike | None = None,
    ) -> ContractionHierarchy:
        """Contract ``graph``; in the given ``order`` (node ids, rank 0 first) when given.

        With ``base`` (the hierarchy of the same order on the same arcs) and ``changed``
        (the endpoints of the arcs whose minutes differ), nodes far enough from every
        change replay their base shortcuts instead of searching for witnesses (they would
        decide exactly the same), which is exact and much faster for a few changed links.

        Raises
        ------
        ValueError
            When ``order`` is not a permutation of the graph's nodes.
        """
        n = graph.n_nodes
        if order is None:
            fixed = np.empty(0, dtype=np.int64)
        else:
            fixed = np.asarray(order, dtype=np.int64)
            if fixed.shape != (n,) or not np.array_equal(np.sort(fixed), np.arange(n)):
                msg = f"`order` must be a permutation of the {n} node ids"
                raise ValueError(msg)
        ea, eb, wab, wba = _undirected_edges(graph)
        e64 = np.empty(0, dtype=np.int64)
        e32 = np.empty(0, dtype=np.int32)
        ef = np.empty(0, dtype=np.float32)
        if base is not None and changed is not None and fixed.size == n:
            rev = _reverse_csr(graph)
            extra = (
                base.sc_ptr,
                base.sc_u,
                base.sc_w,
                base.sc_d,
                np.asarray(changed, dtype=np.int64),
                *rev,
            )
        else:
            extra = (e64, e32, e32, ef, e64, np.zeros(1, dtype=np.int64), e32, ef)
        out = _ch_contract.contract(
            n,
            ea,
            eb,
            wab,
            wba,
            fixed,
            int(witness_limit),
            int(sim_limit),
            True,  # re-simulate the neighbours of each contracted node
            *extra,
            float(RECUSTOMIZE_RADIUS),
            threads(),
        )
        rank_order, ptr, to, w_up, w_down, stats, sc_ptr, sc_u, sc_w, sc_d = out
        # positions: by level of the hierarchy (every up-arc then points to a smaller
        # position), node id within a level so that nearby nodes stay close in the sweep
        rpos = np.empty(n, dtype=np.int64)  # rank position: n - 1 - rank
        rpos[rank_order] = n - 1 - np.arange(n, dtype=np.int64)
        at_r = rank_order[::-1]
        cnt = np.diff(ptr)[at_r]
        r_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(cnt, out=r_ptr[1:])
        r_to = rpos[to[ranges(ptr[at_r], cnt)]]
        level = _ch_sweeps.sweep_levels(r_ptr, r_to)
        lvl = np.empty(n, dtype=np.int64)
        lvl[at_r] = level
        by_pos = np.lexsort((np.arange(n), lvl))  # node ids in sweep order
        pos = np.empty(n, dtype=np.int64)
        pos[by_pos] = np.arange(n, dtype=np.int64)
        cnt = np.diff(ptr)[by_pos]
        p_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(cnt, out=p_ptr[1:])
        src_idx = ranges(ptr[by_pos], cnt)
        p_to = pos[to[src_idx]].astype(np.int32)
        return cls(
            order=rank_order.astype(np.int64),
            pos=pos,
            up_ptr=p_ptr,
            up_to=p_to,
            up_w=w_up[src_idx],
            down_w=w_down[src_idx],
            n_shortcuts=int(stats[0]),
            sc_ptr=sc_ptr,
            sc_u=sc_u,
            sc_w=sc_w,
            sc_d=sc_d,
            n_planned=int(stats[1]),
        )

    def save(self, path: Path, *, key: str) -> None:
        """Write the arrays to ``path`` (.npz) atomically, tagged with ``key``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        os.close(fd)
        try:
            with open(tmp, "wb") as fh:
                np.savez(
                    fh,
                    format=np.int64(CACHE_FORMAT),
                    key=np.array(key),
                    order=self.order,
                    pos=self.pos,
                    up_ptr=self.up_ptr,
                    up_to=self.up_to,
                    up_w=self.up_w,
                    down_w=self.down_w,
                    n_shortcuts=np.int64(self.n_shortcuts),
                    sc_ptr=self.sc_ptr,
                    sc_u=self.sc_u,
                    sc_w=self.sc_w,
                    sc_d=self.sc_d,
                    n_planned=np.int64(self.n_planned),
                )
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path: Path, *, key: str, n_nodes: int) -> ContractionHierarchy | None:
        """Read a hierarchy saved by :meth:`save`; ``None`` when missing, stale or damaged."""
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["format"]) != CACHE_FORMAT or str(z["key"]) != key:
                    return None
                ch = cls(
                    order=z["order"].astype(np.int64),
                    pos=z["pos"].astype(np.int64),
                    up_ptr=z["up_ptr"].astype(np.int64),
                    up_to=z["up_to"].astype(np.int32),
                    up_w=z["up_w"].astype(np.float32),
                    down_w=z["down_w"].astype(np.float32),
                    n_shortcuts=int(z["n_shortcuts"]),
                    sc_ptr=z["sc_ptr"].astype(np.int64),
                    sc_u=z["sc_u"].astype(np.int32),
                    sc_w=z["sc_w"].astype(np.int32),
                    sc_d=z["sc_d"].astype(np.float32),
                    n_planned=int(z["n_planned"]),
                )
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("ignoring unreadable hierarchy cache %s: %s", path, exc)
            return None
        m = ch.up_to.shape[0]
        if (
            ch.pos.shape != (n_nodes,)
            or ch.up_ptr.shape != (n_nodes + 1,)
            or int(ch.up_ptr[-1]) != m
            or ch.up_w.shape != (m,)
            or ch.down_w.shape != (m,)
            or ch.sc_ptr.shape != (n_nodes + 1,)
            or int(ch.sc_ptr[-1]) != ch.sc_u.shape[0]
        ):
            logger.warning("ignoring inconsistent hierarchy cache %s", path)
            return None
        return ch


def ranges(starts: I64Array, counts: I64Array) -> I64Array:
    """Concatenation of ``arange(s, s + c)`` for each pair, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offs = np.cumsum(counts) - counts
    idx = np.arange(total, dtype=np.int64) - np.repeat(offs, counts)
    return idx + np.repeat(starts, counts)


def _reverse_csr(graph: CSRGraph) -> tuple[I64Array, npt.NDArray[np.int32], F32Array]:
    """In-arcs of every node as CSR: (ptr, tail, minutes)."""
    s, d, w = graph.arcs()
    order = np.argsort(d, kind="stable")
    ptr = np.zeros(graph.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(d, minlength=graph.n_nodes), out=ptr[1:])
    return ptr, s[order].astype(np.int32), w[order].astype(np.float32)


def _undirected_edges(graph: CSRGraph) -> tuple[I64Array, I64Array, F32Array, F32Array]:
    """Each node pair with an arc once: (a, b, minutes a→b, minutes b→a), ``inf`` = no arc."""
    s, d, w = graph.arcs()
    n = graph.n_nodes
    keep = s != d
    s, d, w = s[keep], d[keep], w[keep].astype(np.float32)
    a = np.minimum(s, d)
    b = np.maximum(s, d)
    key = a * np.int64(n) + b
    uniq, inv = np.unique(key, return_inverse=True)
    wab = np.full(uniq.size, np.inf, dtype=np.float32)
    wba = np.full(uniq.size, np.inf, dtype=np.float32)
    fwd = s < d
    np.minimum.at(wab, inv[fwd], w[fwd])
    np.minimum.at(wba, inv[~fwd], w[~fwd])
    return uniq // n, uniq % n, wab, wba


def threads() -> int:
    """Numba's thread count (the cores the kernels may use)."""
    return int(numba.get_num_threads())
