"""The fast travel-time engine: a contraction hierarchy queried by PHAST and RPHAST sweeps.

:class:`CHEngine` implements :class:`~metrocircle.network.engine.TravelTimeEngine`:

* **Preprocessing** contracts nodes in an order chosen by lazy edge-difference priorities
  with bounded witness searches (Numba). The hierarchy is kept as flat arrays indexed by
  sweep *position* (hierarchy level from the top, then node id, for cache locality), cached
  on disk per graph content hash and scenario key.
* **Re-customisation** (:meth:`CHEngine.customize`) re-contracts a scenario's metric in the
  stored order, which skips the order search, and replays the recorded shortcuts of every
  node far from the changed links; it accepts new weights on the same arcs or a whole new
  graph on the same nodes (added links, a full re-contraction), and is always exact.
* **Queries**: one-to-all by PHAST (upward Dijkstra, then one linear downward sweep for a
  batch of sources at a time, batches spread over the cores), one-to-many / many-to-many by
  RPHAST (the sweep restricted to the targets' upward closure), cumulative opportunities
  summed inside the sweep (the origins × nodes matrix never exists), and isochrones.

Times are float32 minutes; ``inf`` means unreachable or beyond the cutoff. Sums along a
path are float32, so answers equal SciPy's Dijkstra within float32 rounding (exactly for
integer weights).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from metrocircle._errors import MetrocircleError
from metrocircle.network import _ch_cumulative as kc
from metrocircle.network import _ch_sweeps as k
from metrocircle.network.engine import CSRGraph, DijkstraEngine, TravelTimeEngine
from metrocircle.network.hierarchy import (
    CACHE_FORMAT,
    PRIORITY_SETTLE_LIMIT,
    RECUSTOMIZE_RADIUS,
    WITNESS_SETTLE_LIMIT,
    ContractionHierarchy,
    default_cache_dir,
    graph_hash,
    ranges,
    threads,
)

__all__ = [
    "BATCH_WIDTH",
    "CACHE_FORMAT",
    "CUMULATIVE_BATCH_WIDTH",
    "CUMULATIVE_BLOCK",
    "PRIORITY_SETTLE_LIMIT",
    "RECUSTOMIZE_RADIUS",
    "REFERENCE_BELOW_NODES",
    "WITNESS_SETTLE_LIMIT",
    "CHEngine",
    "ContractionHierarchy",
    "default_cache_dir",
    "get_engine",
    "graph_hash",
]

logger = logging.getLogger(__name__)

#: Sources per PHAST sweep: 16 float32 lanes = one 64-byte cache line per node, so the
#: per-batch distance block (n × 16 × 4 B = 12.8 MB at 200k nodes) stays in a 32 MiB L3.
BATCH_WIDTH = 16
#: Sources per sweep of :meth:`CHEngine.cumulative_opportunities`, whose sweep only sums and
#: never hands the block back: 64 float32 lanes (256 B per node, 51 MB at 200k nodes) make a
#: quarter of the passes over the hierarchy that 16 lanes make. Measured on the shared
#: 200,682-node graph, 4,000 origins at the edge of the grid, 60 min, one run each: CPU 2.9 s
#: at 64 lanes, 3.3 s at 128, 3.9 s at 32, 4.9 s at 16.
CUMULATIVE_BATCH_WIDTH = 64
#: Positions per block of the block-pruned cumulative sweep (a block no origin of the batch
#: reaches is skipped whole). Same runs at 64 lanes: 2.9 s CPU with blocks of 32 positions,
#: 3.2 s with 64, 3.3 s with 16.
CUMULATIVE_BLOCK = 32
#: Below this many nodes the SciPy reference engine answers faster than building a hierarchy.
#: Measured: 289-node grid, build + 15 sources + all-node sum: CH 4.7 ms, SciPy 3.0 ms; the
#: 971-node Chongqing network, all-to-all + all-node sum: CH 78 ms (10 ms cached), SciPy 106 ms.
REFERENCE_BELOW_NODES = 300
F32Array = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]
I64Array = npt.NDArray[np.int64]
Progress = Callable[[str], None]


def _as_nodes(nodes: npt.ArrayLike | None, n: int, name: str) -> I64Array:
    if nodes is None:
        return np.arange(n, dtype=np.int64)
    arr = np.atleast_1d(np.asarray(nodes))
    if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
        msg = f"`{name}` must be a 1-D array of integer node ids"
        raise ValueError(msg)
    out = arr.astype(np.int64)
    if out.size and (out.min() < 0 or out.max() >= n):
        msg = f"`{name}` must be node ids in [0, {n})"
        raise ValueError(msg)
    return out


def _as_cutoff(cutoff: float | None) -> float:
    if cutoff is None:
        return float("inf")
    c = float(cutoff)
    if not np.isfinite(c) or c < 0:
        msg = f"`cutoff` was {cutoff!r} but is expected to be a non-negative number of minutes"
        raise ValueError(msg)
    return c


class CHEngine:
    """Travel times on a contraction hierarchy (PHAST / RPHAST), a :class:`TravelTimeEngine`.

    Build it with :meth:`build` (cached on disk) or from a ready hierarchy.

    Parameters
    ----------
    graph
        The network, float32 minutes.
    hierarchy
        Its contraction hierarchy (from :meth:`ContractionHierarchy.contract`).
    batch
        Sources per sweep of one-to-many and many-to-many queries (see :data:`BATCH_WIDTH`);
        cumulative opportunities sweep :data:`CUMULATIVE_BATCH_WIDTH` origins at a time.

    Examples
    --------
    >>> import numpy as np
    >>> from metrocircle.network.engine import CSRGraph
    >>> g = CSRGraph.from_arcs([0, 1, 1, 2], [1, 0, 2, 1], [2.0, 2.0, 3.0, 3.0], n_nodes=3)
    >>> eng = CHEngine.build(g, use_cache=False)
    >>> eng.one_to_many([0]).tolist()
    [[0.0, 2.0, 5.0]]
    >>> eng.one_to_many([0], cutoff=4.0).tolist()
    [[0.0, 2.0, inf]]
    """

    name = "ch"

    def __init__(
        self, graph: CSRGraph, hierarchy: ContractionHierarchy, *, batch: int = BATCH_WIDTH
    ) -> None:
        if hierarchy.n_nodes != graph.n_nodes:
            msg = f"hierarchy has {hierarchy.n_nodes} nodes but the graph has {graph.n_nodes}"
            raise ValueError(msg)
        if batch < 1:
            msg = f"`batch` was {batch} but is expected to be ≥ 1"
            raise ValueError(msg)
        self.graph = graph
        self.hierarchy = hierarchy
        self._batch = int(batch)
        self._ident = np.arange(graph.n_nodes, dtype=np.int64)
        self._blocks: tuple[I64Array, npt.NDArray[np.int32]] | None = None

    # ------------------------------------------------------------------ construction

    @classmethod
    def build(
        cls,
        graph: CSRGraph,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        cache_key: str | None = None,
        progress: Progress | None = None,
        use_cache: bool = True,
        order: npt.ArrayLike | None = None,
        base: ContractionHierarchy | None = None,
        changed: npt.ArrayLike | None = None,
    ) -> CHEngine:
        """Contract ``graph`` (or load its hierarchy from the cache).

        Parameters
        ----------
        graph
            The network, float32 minutes.
        cache_dir
            Folder of cached hierarchies; default :func:`default_cache_dir`.
        cache_key
            Scenario name stored with the graph hash (``"base"`` when omitted).
        progress
            Called with a short message at each stage.
        use_cache
            ``False`` neither reads nor writes the cache.
        order
            A contraction order to reuse (node ids, rank 0 first), e.g. the base network's.
        base, changed
            For a partial re-customisation (see :meth:`ContractionHierarchy.contract`).
        """
        say = progress or (lambda _msg: None)
        path = None
        tag = ""
        if use_cache:
            folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
            digest = graph_hash(graph)
            scen = _safe_key(cache_key or "base")
            tag = f"{digest}:{scen}:{WITNESS_SETTLE_LIMIT}"
            path = folder / f"{digest[:24]}-{scen}.npz"
            cached = ContractionHierarchy.load(path, key=tag, n_nodes=graph.n_nodes)
            if cached is not None:
                say(f"loaded hierarchy from {path}")
                return cls(graph, cached)
        say(f"contracting {graph.n_nodes} nodes, {graph.n_arcs} arcs")
        ch = ContractionHierarchy.contract(graph, order=order, base=base, changed=changed)
        say(
            f"hierarchy: {ch.n_up_arcs} edges, {ch.n_shortcuts} shortcuts, {ch.n_planned} nodes searched"
        )
        if path is not None:
            try:
                ch.save(path, key=tag)
                say(f"saved hierarchy to {path}")
            except OSError as exc:
                logger.warning("could not cache the hierarchy at %s: %s", path, exc)
        return cls(graph, ch)

    def customize(
        self,
        new: npt.ArrayLike | CSRGraph,
        *,
        cache_dir: str | os.PathLike[str] | None = None,
        cache_key: str | None = None,
        use_cache: bool = False,
    ) -> CHEngine:
        """An engine for a scenario, re-contracted in this hierarchy's node order.

        When only arc minutes change, nodes far from every changed arc replay their base
        shortcuts and only the neighbourhood of the changes (and the top of the hierarchy)
        is searched again, so a scenario of a few links takes about a second on 200k nodes.
        Every replayed node decides exactly as its witness searches would, so the result
        is a correct hierarchy for the new minutes (it may differ from a full
        re-contraction only in how ties between equally long paths were broken).

        Parameters
        ----------
        new
            Either new float32 minutes for the graph's arcs (same order as
            ``graph.weights``) or a whole :class:`CSRGraph` on the same nodes (a scenario
            that adds or removes links). The base engine is not changed.
        cache_dir, cache_key, use_cache
            As in :meth:`build`; off by default since re-customisation is fast.

        Raises
        ------
        ValueError
            When the weights do not match the arcs or are negative / not finite.
        """
        if isinstance(new, CSRGraph):
            if new.n_nodes != self.graph.n_nodes:
                msg = f"scenario graph has {new.n_nodes} nodes, the base has {self.graph.n_nodes}"
                raise ValueError(msg)
            g = new
            if np.array_equal(new.indptr, self.graph.indptr) and np.array_equal(
                new.indices, self.graph.indices
            ):
                return self.customize(
                    new.weights, cache_dir=cache_dir, cache_key=cache_key, use_cache=use_cache
                )
            return CHEngine.build(
                g,
                cache_dir=cache_dir,
                cache_key=cache_key,
                use_cache=use_cache,
                order=self.hierarchy.order,
            )
        else:
            w = np.asarray(new, dtype=np.float32)
            if w.shape != self.graph.weights.shape:
                msg = f"`new` weights must have one value per arc ({self.graph.n_arcs}), got shape {w.shape}"
                raise ValueError(msg)
            if not np.all(np.isfinite(w)) or (w.size and float(w.min()) < 0):
                msg = "`new` weights must be finite and non-negative minutes"
                raise ValueError(msg)
            g = CSRGraph(self.graph.indptr, self.graph.indices, w)
        diff = np.flatnonzero(w != self.graph.weights)
        if diff.size == 0:
            return CHEngine(g, self.hierarchy, batch=self._batch)
        src, dst, _ = self.graph.arcs()
        changed = np.unique(np.r_[src[diff], dst[diff]])
        return CHEngine.build(
            g,
            cache_dir=cache_dir,
            cache_key=cache_key,
            use_cache=use_cache,
            order=self.hierarchy.order,
            base=self.hierarchy,
            changed=changed,
        )

    # ------------------------------------------------------------------ queries

    def one_to_many(
        self,
        sources: npt.ArrayLike,
        targets: npt.ArrayLike | None = None,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """Minutes from each source to each target (every node when ``targets`` is None).

        Returns a float32 array of shape ``(len(sources), len(targets) or n_nodes)``; ``inf``
        where the target is unreachable or beyond ``cutoff`` minutes.
        """
        n = self.graph.n_nodes
        src = _as_nodes(sources, n, "sources")
        lim = _as_cutoff(cutoff)
        h = self.hierarchy
        if targets is None:
            return self._sweep_matrix(src, lim, self._ident, h.up_ptr, h.up_to, h.down_w, h.pos)
        tgt = _as_nodes(targets, n, "targets")
        if tgt.size == 0 or src.size == 0:
            return np.full((src.size, tgt.size), np.inf, dtype=np.float32)
        tpos = h.pos[tgt]
        keep = k.restricted_closure(tpos, h.up_ptr, h.up_to, n)
        loc = np.full(n, -1, dtype=np.int64)
        loc[keep] = np.arange(keep.size, dtype=np.int64)
        cnt = h.up_ptr[keep + 1] - h.up_ptr[keep]
        sptr = np.zeros(keep.size + 1, dtype=np.int64)
        np.cumsum(cnt, out=sptr[1:])
        idx = ranges(h.up_ptr[keep], cnt)
        sto = loc[h.up_to[idx]].astype(np.int32)
        return self._sweep_matrix(src, lim, loc, sptr, sto, h.down_w[idx], loc[tpos])

    def many_to_many(
        self,
        origins: npt.ArrayLike,
        destinations: npt.ArrayLike,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """The origins × destinations matrix of minutes (RPHAST), float32."""
        return self.one_to_many(origins, destinations, cutoff=cutoff)

    def cumulative_opportunities(
        self,
        opportunities: npt.ArrayLike,
        cutoff: float,
        *,
        origins: npt.ArrayLike | None = None,
    ) -> F64Array:
        """Sum of ``opportunities`` at nodes within ``cutoff`` minutes of each origin.

        Computed inside the PHAST sweep, :data:`CUMULATIVE_BATCH_WIDTH` origins at a time
        (consecutive origins share a sweep, so list neighbouring origins together): memory
        is one ``n_nodes × CUMULATIVE_BATCH_WIDTH`` float32 block per core, whatever the
        number of origins. The sweep skips blocks of :data:`CUMULATIVE_BLOCK` positions that
        no origin of the batch reaches within ``cutoff``.
        """
        n = self.graph.n_nodes
        opp = np.asarray(opportunities, dtype=np.float64)
        if opp.shape != (n,):
            msg = f"`opportunities` must have one value per node ({n}), got shape {opp.shape}"
            raise ValueError(msg)
        if not np.all(np.isfinite(opp)):
            msg = "`opportunities` must be finite"
            raise ValueError(msg)
        org = _as_nodes(origins, n, "origins")
        lim = _as_cutoff(cutoff)
        if org.size == 0:
            return np.zeros(0, dtype=np.float64)
        h = self.hierarchy
        opp_pos = np.empty(n, dtype=np.float64)
        opp_pos[h.pos] = opp
        if self._blocks is None:
            self._blocks = kc.block_graph(h.up_ptr, h.up_to, CUMULATIVE_BLOCK)
        bptr, bto = self._blocks
        res: F64Array = kc.phast_cumulative_blocks(
            h.pos[org],
            np.float32(lim),
            h.up_ptr,
            h.up_to,
            h.up_w,
            h.down_w,
            opp_pos,
            CUMULATIVE_BATCH_WIDTH,
            threads(),
            CUMULATIVE_BLOCK,
            bptr,
            bto,
        )
        return res

    def isochrone(self, source: int, cutoff: float) -> I64Array:
        """Node ids reachable from ``source`` within ``cutoff`` minutes, ascending."""
        row = self.one_to_many([source], cutoff=_as_cutoff(cutoff))[0]
        return np.flatnonzero(np.isfinite(row)).astype(np.int64)

    def _sweep_matrix(
        self,
        src: I64Array,
        lim: float,
        loc: I64Array,
        sptr: I64Array,
        sto: npt.NDArray[np.int32],
        sw: F32Array,
        out_local: I64Array,
    ) -> F32Array:
        if src.size == 0 or out_local.size == 0:
            return np.full((src.size, out_local.size), np.inf, dtype=np.float32)
        h = self.hierarchy
        out: F32Array = k.phast_matrix(
            h.pos[src],
            np.float32(lim),
            h.up_ptr,
            h.up_to,
            h.up_w,
            loc,
            sptr,
            sto,
            sw,
            out_local,
            self._batch,
            threads(),
        )
        return out


def _safe_key(key: str) -> str:
    clean = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
    return clean[:64] or "base"


def get_engine(
    graph: CSRGraph,
    *,
    kind: Literal["fast", "reference"] = "fast",
    cache_dir: str | os.PathLike[str] | None = None,
    cache_key: str | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
) -> TravelTimeEngine:
    """The travel-time engine the product uses for ``graph``.

    Parameters
    ----------
    graph
        The network, float32 minutes.
    kind
        ``"fast"`` (default): a :class:`CHEngine`, except on networks smaller than
        :data:`REFERENCE_BELOW_NODES` where SciPy's Dijkstra is quicker end to end;
        ``"reference"``: always :class:`~metrocircle.network.engine.DijkstraEngine`.
    cache_dir, cache_key, use_cache, progress
        Passed to :meth:`CHEngine.build`.

    Raises
    ------
    MetrocircleError
        When ``kind`` is not one of the two names.
    """
    if kind == "reference" or (kind == "fast" and graph.n_nodes < REFERENCE_BELOW_NODES):
        return DijkstraEngine(graph)
    if kind == "fast":
        return CHEngine.build(
            graph, cache_dir=cache_dir, cache_key=cache_key, use_cache=use_cache, progress=progress
        )
    msg = f"`kind` was {kind!r} but is expected to be in ['fast', 'reference']"
    raise MetrocircleError(msg)
