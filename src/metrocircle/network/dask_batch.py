"""Batch travel-time matrices and cumulative opportunities on Dask, locally or on a cluster.

The engine (its arrays) is scattered to every worker once; origins are split into chunks,
each chunk is answered by the same engine methods used in-process, and the pieces come back
in origin order. With ``scheduler=None`` a :class:`distributed.LocalCluster` is started for
the call; given a scheduler address the same code runs on that cluster.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from metrocircle._errors import MetrocircleError
from metrocircle.network.engine import TravelTimeEngine

__all__ = ["DEFAULT_CHUNK", "DaskEngine", "cumulative_opportunities_batch", "matrix_batch"]

#: Origins per Dask task: 256 PHAST batches of 16, about 0.1–0.3 s of work on 200k nodes,
#: large enough that task overhead (~1 ms) is negligible and small enough to balance cores.
DEFAULT_CHUNK = 4096

F32Array = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]


@contextmanager
def _client(scheduler: str | None, local_cluster: Mapping[str, Any] | None) -> Iterator[Any]:
    """A ``distributed.Client`` on ``scheduler`` or on a fresh LocalCluster, closed on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        msg = "Dask batch runs need `dask[distributed]` installed"
        raise MetrocircleError(msg) from exc
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    opts: dict[str, Any] = {"dashboard_address": None}
    opts.update(local_cluster or {})
    with LocalCluster(**opts) as cluster, Client(cluster) as client:
        yield client


def _chunks(nodes: npt.NDArray[np.int64], size: int) -> list[npt.NDArray[np.int64]]:
    if size < 1:
        msg = f"`chunk` was {size} but is expected to be ≥ 1"
        raise ValueError(msg)
    return [nodes[a : a + size] for a in range(0, nodes.size, size)]


def _origins(origins: npt.ArrayLike | None, n: int) -> npt.NDArray[np.int64]:
    if origins is None:
        return np.arange(n, dtype=np.int64)
    arr = np.atleast_1d(np.asarray(origins, dtype=np.int64))
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        msg = f"`origins` must be node ids in [0, {n})"
        raise ValueError(msg)
    return arr


def _cum_task(
    engine: TravelTimeEngine, opp: F64Array, cutoff: float, origins: npt.NDArray[np.int64]
) -> F64Array:
    return engine.cumulative_opportunities(opp, cutoff, origins=origins)


def _matrix_task(
    engine: TravelTimeEngine,
    origins: npt.NDArray[np.int64],
    destinations: npt.NDArray[np.int64],
    cutoff: float | None,
) -> F32Array:
    return engine.many_to_many(origins, destinations, cutoff=cutoff)


def cumulative_opportunities_batch(
    engine: TravelTimeEngine,
    opportunities: npt.ArrayLike,
    cutoff: float,
    *,
    origins: npt.ArrayLike | None = None,
    scheduler: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    local_cluster: Mapping[str, Any] | None = None,
) -> F64Array:
    """Opportunities within ``cutoff`` minutes of every origin, computed on Dask.

    Parameters
    ----------
    engine
        Any :class:`~metrocircle.network.engine.TravelTimeEngine` (normally a ``CHEngine``);
        it is pickled to the workers once.
    opportunities
        One value per node (jobs, residents…).
    cutoff
        Travel-time horizon, minutes.
    origins
        Origin node ids (default: every node).
    scheduler
        Address of a ``dask.distributed`` scheduler (``tcp://host:8786``); ``None`` starts a
        LocalCluster for this call.
    chunk
        Origins per task.
    local_cluster
        Keyword arguments for the LocalCluster (e.g. ``{"processes": False}``).

    Returns
    -------
    numpy.ndarray
        float64 sums, one per origin, in origin order.
    """
    n = engine.graph.n_nodes
    opp = np.asarray(opportunities, dtype=np.float64)
    if opp.shape != (n,):
        msg = f"`opportunities` must have one value per node ({n}), got shape {opp.shape}"
        raise ValueError(msg)
    org = _origins(origins, n)
    parts = _chunks(org, chunk)
    if not parts:
        return np.zeros(0, dtype=np.float64)
    with _client(scheduler, local_cluster) as client:
        eng = client.scatter(engine, broadcast=True)
        opp_f = client.scatter(opp, broadcast=True)
        futures = [
            client.submit(_cum_task, eng, opp_f, float(cutoff), p, pure=False) for p in parts
        ]
        results = client.gather(futures)
    return np.concatenate(results).astype(np.float64, copy=False)


def matrix_batch(
    engine: TravelTimeEngine,
    origins: npt.ArrayLike,
    destinations: npt.ArrayLike,
    *,
    cutoff: float | None = None,
    scheduler: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    local_cluster: Mapping[str, Any] | None = None,
) -> F32Array:
    """The origins × destinations matrix of minutes, origins split over Dask tasks.

    Parameters are as in :func:`cumulative_opportunities_batch`; ``cutoff`` (minutes) turns
    longer times into ``inf``. Returns a float32 array ``(len(origins), len(destinations))``.
    """
    n = engine.graph.n_nodes
    org = _origins(origins, n)
    dst = np.atleast_1d(np.asarray(destinations, dtype=np.int64))
    if dst.size and (dst.min() < 0 or dst.max() >= n):
        msg = f"`destinations` must be node ids in [0, {n})"
        raise ValueError(msg)
    parts = _chunks(org, chunk)
    if not parts:
        return np.full((0, dst.size), np.inf, dtype=np.float32)
    with _client(scheduler, local_cluster) as client:
        eng = client.scatter(engine, broadcast=True)
        futures = [client.submit(_matrix_task, eng, p, dst, cutoff, pure=False) for p in parts]
        results = client.gather(futures)
    return np.concatenate(results, axis=0).astype(np.float32, copy=False)


class DaskEngine:
    """A :class:`TravelTimeEngine` whose batch queries run on Dask; answers equal the inner engine's.

    Each call starts a LocalCluster (``scheduler=None``) or connects to ``scheduler``; give it
    whole batches (as :func:`metrocircle.network.model.points_cost_matrix` does), not single rows.

    Parameters
    ----------
    inner
        The engine the workers run (normally a ``CHEngine``).
    scheduler
        Address of a ``dask.distributed`` scheduler; ``None`` for a local cluster.
    chunk
        Origins per Dask task.
    local_cluster
        Keyword arguments for the LocalCluster.
    """

    name = "dask"

    def __init__(
        self,
        inner: TravelTimeEngine,
        *,
        scheduler: str | None = None,
        chunk: int = DEFAULT_CHUNK,
        local_cluster: Mapping[str, Any] | None = None,
    ) -> None:
        self.inner = inner
        self.graph = inner.graph
        self.scheduler = scheduler
        self.chunk = chunk
        self.local_cluster = local_cluster

    def one_to_many(
        self,
        sources: npt.ArrayLike,
        targets: npt.ArrayLike | None = None,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """Times from each source to each target (all nodes when ``targets`` is None), minutes."""
        dst = np.arange(self.graph.n_nodes) if targets is None else targets
        return self.many_to_many(sources, dst, cutoff=cutoff)

    def many_to_many(
        self,
        origins: npt.ArrayLike,
        destinations: npt.ArrayLike,
        *,
        cutoff: float | None = None,
    ) -> F32Array:
        """The origins × destinations matrix of minutes, computed by :func:`matrix_batch`."""
        return matrix_batch(
            self.inner,
            origins,
            destinations,
            cutoff=cutoff,
            scheduler=self.scheduler,
            chunk=self.chunk,
            local_cluster=self.local_cluster,
        )

    def cumulative_opportunities(
        self,
        opportunities: npt.ArrayLike,
        cutoff: float,
        *,
        origins: npt.ArrayLike | None = None,
    ) -> F64Array:
        """Opportunities within ``cutoff`` minutes of each origin, by :func:`cumulative_opportunities_batch`."""
        return cumulative_opportunities_batch(
            self.inner,
            opportunities,
            cutoff,
            origins=origins,
            scheduler=self.scheduler,
            chunk=self.chunk,
            local_cluster=self.local_cluster,
        )
