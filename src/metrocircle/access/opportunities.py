"""The all-node job: for every network node, the population reachable within a time budget.

Township zones (``network/zones.csv``) carry an ESTIMATED population; each zone is placed on
the network node its access join reaches first, and one cumulative-opportunities sweep from
every node sums what lies within the budget. The result is a model output computed from
estimates, never an observation, and says so in ``basis``.

The sweep is the engine's (:meth:`TravelTimeEngine.cumulative_opportunities`); given a
``scheduler`` address or ``local_workers`` it runs as a Dask batch
(:class:`metrocircle.network.dask_batch.DaskEngine`), on a cluster or on local worker
processes, with the same answer as the single-process run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from metrocircle.network.engine import TravelTimeEngine
    from metrocircle.network.model import Network
    from metrocircle.region import Region

__all__ = ["NodeOpportunities", "node_opportunities", "zone_weights"]

BASIS = "zones.csv population_est (estimate: census county totals split over townships)"


@dataclass(frozen=True)
class NodeOpportunities:
    """Population within ``minutes`` of every physical network node (a model output).

    ``rows`` holds one dict per node: ``node_id, name_zh, kind, code, lon, lat,
    population_within``. ``total_population`` is what the zones carry in all, so
    ``population_within / total_population`` is the share of the area within reach.
    """

    scenario: str
    minutes: float
    data_version: str
    basis: str
    total_population: float
    engine: str
    rows: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document the CLI's ``--json`` prints."""
        return {
            "scenario": self.scenario,
            "minutes": self.minutes,
            "data_version": self.data_version,
            "basis": self.basis,
            "total_population": self.total_population,
            "engine": self.engine,
            "rows": [dict(r) for r in self.rows],
        }

    def frame(self) -> pd.DataFrame:
        """The rows as a table (one row per node), for Parquet or CSV."""
        import pandas as pd

        return pd.DataFrame(list(self.rows))


def zone_weights(net: Network, zones: pd.DataFrame) -> np.ndarray:
    """Zone populations summed on the node each zone's access join reaches first."""
    weights = np.zeros(net.graph.n_nodes, dtype=np.float64)
    if zones.empty:
        return weights
    lon = zones["lon"].to_numpy(dtype=float)
    lat = zones["lat"].to_numpy(dtype=float)
    nodes, _ = net.join(lon, lat)
    np.add.at(weights, nodes[:, 0], zones["population_est"].to_numpy(dtype=float))
    return weights


def node_opportunities(
    region: Region,
    scenario: str = "baseline-2020",
    minutes: float = 60.0,
    *,
    scheduler: str | None = None,
    local_workers: int | None = None,
    engine: TravelTimeEngine | None = None,
) -> NodeOpportunities:
    """Population within ``minutes`` of every node of the scenario network.

    Parameters
    ----------
    region
        The loaded region (its zones and network).
    scenario
        Scenario id of the network.
    minutes
        The time budget; must be in (0, 600].
    scheduler
        Address of a ``dask.distributed`` scheduler: the sweep runs there as a batch.
    local_workers
        Without ``scheduler``: run the batch on a LocalCluster of this many worker
        processes (one thread each). ``None`` and no scheduler: in this process.
    engine
        An engine on the scenario network's graph to use instead of a new one (tests).
    """
    from metrocircle.access.zones import load_zones
    from metrocircle.network.dask_batch import DaskEngine
    from metrocircle.network.model import make_engine
    from metrocircle.network.scenarios import scenario_network

    if not (math.isfinite(minutes) and 0 < minutes <= 600):
        msg = f"`minutes` was {minutes!r} but is expected to be in (0, 600]"
        raise ValueError(msg)
    if local_workers is not None and local_workers < 1:
        msg = f"`local_workers` was {local_workers} but is expected to be ≥ 1"
        raise ValueError(msg)
    net = scenario_network(region, scenario)
    zones = load_zones(region)
    weights = zone_weights(net, zones)
    eng: Any = engine if engine is not None else make_engine(net.graph)
    if scheduler is not None:
        eng = DaskEngine(eng, scheduler=scheduler)
    elif local_workers is not None:
        opts = {"n_workers": local_workers, "processes": True, "threads_per_worker": 1}
        eng = DaskEngine(eng, local_cluster=opts)
    nodes = net.nodes
    keep = np.flatnonzero((nodes["kind"] != "platform").to_numpy())
    within = eng.cumulative_opportunities(weights, float(minutes), origins=keep)
    sub = nodes.iloc[keep]
    rows = tuple(
        {
            "node_id": str(nid),
            "name_zh": str(name) if isinstance(name, str) else "",
            "kind": str(kind),
            "code": str(code) if isinstance(code, str) else "",
            "lon": float(lon),
            "lat": float(lat),
            "population_within": float(w),
        }
        for nid, name, kind, code, lon, lat, w in zip(
            sub["node_id"],
            sub["name_zh"],
            sub["kind"],
            sub["code"],
            sub["lon"],
            sub["lat"],
            within,
            strict=True,
        )
    )
    return NodeOpportunities(
        scenario=scenario,
        minutes=float(minutes),
        data_version=region.data_version,
        basis=BASIS,
        total_population=float(weights.sum()),
        engine=getattr(eng, "name", type(eng).__name__),
        rows=rows,
    )
