"""The travel-time engine interface on compact arrays, and the reference (Dijkstra) engine.

A network reaches the engine as a :class:`CSRGraph`: nodes ``0..n-1``, arcs in CSR order,
weights in float32 minutes. Engines answer one-to-many, many-to-many and cumulative
opportunity queries with an optional cutoff; unreachable entries (or those beyond the
cutoff) are ``inf``. :class:`DijkstraEngine` is the straightforward correct implementation
(SciPy's Dijkstra) and stays the oracle the fast engine is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["CSRGraph", "DijkstraEngine", "TravelTimeEngine"]

IntArray = npt.NDArray[np.int64]
F32Array = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CSRGraph:
    """A directed graph in compressed sparse row form with float32 minute weights.

    Attributes
    ----------
    indptr
        int64 array of length ``n_nodes + 1``; arcs of node ``u`` are ``indptr[u]:indptr[u+1]``.
    indices
        int32 head node of each arc.
    weights
        float32 travel time of each arc in minutes (finite, ≥ 0).
    """

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.indptr.shape[0] - 1)

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return int(self.indices.shape[0])

    @classmethod
    def from_arcs(
        cls,
        src: npt.ArrayLike,
        dst: npt.ArrayLike,
        minutes: npt.ArrayLike,
        *,
        n_nodes: int,
    ) -> CSRGraph:
        """Build a graph from arc lists, keeping the fastest of parallel arcs.

        Raises
        ------
        ValueError
            When a node id is out of range or a weight is negative or not finite.
        """
        s = np.asarray(src, dtype=np.int64)
        d = np.asarray(dst, dtype=np.int64)
        w = np.asarray(minutes, dtype=np.float64)
        if not (s.shape == d.shape == w.shape):
            msg = "`src`, `dst` and `minutes` must have equal lengths"
            raise ValueError(msg)
        if s.size and (s.min() < 0 or d.min() < 0 or s.max() >= n_nodes or d.max() >= n_nodes):
            msg = f"arc endpoints must be node ids in [0, {n_nodes})"
            raise ValueError(msg)
        if w.size and (not np.all(np.isfinite(w)) or w.min() < 0):
            msg = "`minutes` must be finite and non-negative"
            raise ValueError(msg)
        keep = s != d
        s, d, w = s[keep], d[keep], w[keep]
        order = np.lexsort((w, d, s))
        s, d, w = s[order], d[order], w[order]
        if s.size:
            first = np.ones(s.size, dtype=bool)
            first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
            s, d, w = s[first], d[first], w[first]
        indptr = np.zeros(n_nodes + 1, dtype=np.int64)
        np.add.at(indptr, s + 1, 1)
        np.cumsum(indptr, out=indptr)
        return cls(indptr, d.astype(np.int32), w.astype(np.float32))

    def arcs(self) -> tuple[IntArray, IntArray, F32Array]:
        """The arcs as (src, dst, minutes) arrays."""
        src = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr))
        return src, self.indices.astype(np.int64), self.weights

    def reversed(self) -> CSRGraph:
        """The graph with every arc turned around."""
        s, d, w = self.arcs()
        return CSRGraph.from_arcs(d, s, w, n_nodes=self.n_nodes)

    def to_scipy(self) -> object:
        """A ``scipy.sparse.csr_array`` view (explicit zero weights are kept as arcs)."""
        from scipy.sparse import csr_array

        return csr_array(
            (self.weights.astype(np.float64), self.indices, self.indptr),
            shape=(self.n_nodes, self.n_nodes),
        )


@runtime_checkable
class TravelTimeEngine(Protocol):
    """What every travel-time engine answers. Times are float32 minutes; ``inf`` = not reached."""

    graph: CSRGraph

    def one_to_many(
        self,
        sources: npt.ArrayLike,
        targets: npt.ArrayLike | None = None,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """Times from each source to each target (all nodes when ``targets`` is None).

        Returns an array of shape ``(len(sources), len(targets) or n_nodes)``.
        """
        ...

    def many_to_many(
        self,
        origins: npt.ArrayLike,
        destinations: npt.ArrayLike,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """The origins × destinations matrix of times, shape ``(len(origins), len(destinations))``."""
        ...

    def cumulative_opportunities(
        self,
        opportunities: npt.ArrayLike,
        cutoff: float,
        *,
        origins: npt.ArrayLike | None = None,
    ) -> F64Array:
        """Sum of node ``opportunities`` reachable within ``cutoff`` minutes from each origin."""
        ...


def _check_nodes(nodes: npt.ArrayLike | None, n: int, name: str) -> IntArray:
    arr = (
        np.arange(n, dtype=np.int64)
        if nodes is None
        else np.atleast_1d(np.asarray(nodes, dtype=np.int64))
    )
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        msg = f"`{name}` must be node ids in [0, {n})"
        raise ValueError(msg)
    return arr


def _check_cutoff(cutoff: float | None) -> float:
    if cutoff is None:
        return float("inf")
    if not np.isfinite(cutoff) or cutoff < 0:
        msg = f"`cutoff` was {cutoff!r} but is expected to be a non-negative number of minutes"
        raise ValueError(msg)
    return float(cutoff)


class DijkstraEngine:
    """The reference engine: SciPy's Dijkstra from each source, with a cutoff.

    Parameters
    ----------
    graph
        The network as a :class:`CSRGraph`.
    chunk
        Sources solved per SciPy call (bounds memory at ``chunk × n_nodes`` float64).
    """

    name = "dijkstra"

    def __init__(self, graph: CSRGraph, *, chunk: int = 64) -> None:
        self.graph = graph
        self._csr = graph.to_scipy()
        self._chunk = max(1, int(chunk))

    def _rows(self, sources: IntArray, cutoff: float) -> F64Array:
        from scipy.sparse.csgraph import dijkstra

        out: F64Array = dijkstra(
            self._csr,
            directed=True,
            indices=sources,
            limit=cutoff if np.isfinite(cutoff) else np.inf,
        )
        return np.atleast_2d(out)

    def one_to_many(
        self,
        sources: npt.ArrayLike,
        targets: npt.ArrayLike | None = None,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """Times from each source to each target (all nodes when ``targets`` is None), minutes."""
        n = self.graph.n_nodes
        src = _check_nodes(sources, n, "sources")
        tgt = None if targets is None else _check_nodes(targets, n, "targets")
        lim = _check_cutoff(cutoff)
        width = n if tgt is None else tgt.size
        out = np.full((src.size, width), np.inf, dtype=np.float32)
        for a in range(0, src.size, self._chunk):
            rows = self._rows(src[a : a + self._chunk], lim)
            if tgt is not None:
                rows = rows[:, tgt]
            rows = np.where(rows <= lim, rows, np.inf)
            out[a : a + rows.shape[0]] = rows.astype(np.float32)
        return out

    def many_to_many(
        self,
        origins: npt.ArrayLike,
        destinations: npt.ArrayLike,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """The origins × destinations matrix of minutes."""
        return self.one_to_many(origins, destinations, cutoff=cutoff)

    def cumulative_opportunities(
        self,
        opportunities: npt.ArrayLike,
        cutoff: float,
        *,
        origins: npt.ArrayLike | None = None,
    ) -> F64Array:
        """Sum of ``opportunities`` at nodes reachable within ``cutoff`` minutes of each origin."""
        n = self.graph.n_nodes
        opp = np.asarray(opportunities, dtype=np.float64)
        if opp.shape != (n,):
            msg = f"`opportunities` must have one value per node ({n}), got shape {opp.shape}"
            raise ValueError(msg)
        org = _check_nodes(origins, n, "origins")
        lim = _check_cutoff(cutoff)
        res = np.zeros(org.size, dtype=np.float64)
        for a in range(0, org.size, self._chunk):
            rows = self._rows(org[a : a + self._chunk], lim)
            res[a : a + rows.shape[0]] = (np.where(rows <= lim, 1.0, 0.0) * opp).sum(axis=1)
        return res
