"""The strategic multimodal network of a dataset: load, validate, compile to a CSR graph, join points.

A :class:`Network` holds the node and link tables of ``network/nodes.csv`` and
``network/links.csv`` and their compilation into directed arcs with float32 minutes:

- road and access links become one arc each way (only ``from → to`` when the link's
  optional ``oneway`` is true), ``minutes = length / speed``;
- each rail link becomes in-vehicle arcs between *platform* nodes (one per station and
  line), ``minutes = length / (design speed × running share) + dwell`` (or the published
  time of a sourced link); boarding arcs (station → platform) cost the wait (a share of
  the headway) plus the boarding time, alighting arcs (platform → station) the alighting
  time, so a change of line pays both again; trains running through from one line onto
  another at a shared station are modelled by platform-to-platform arcs costing
  ``rail.through_min``.

Every speed, share and time comes from ``parameters.toml``. Which links are in service is
the ``active`` mask; scenarios (:mod:`metrocircle.network.scenarios`) change it and the
minutes and return a new Network sharing the unchanged arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle._errors import DataValidationError
from metrocircle.geo import MetricProjection, metric_crs_for
from metrocircle.network.engine import CSRGraph, DijkstraEngine, TravelTimeEngine
from metrocircle.network.minutes import (
    URBAN_CATEGORIES,
    _alight_minutes,
    _board_minutes,
    link_minutes,
)
from metrocircle.network.parameters import Parameters, load_parameters, read_parameters
from metrocircle.network.tables import (
    FILE_KEYS,
    JOINABLE_KINDS,
    LINK_COLUMNS,
    MODES,
    NODE_COLUMNS,
    NODE_KINDS,
    STATUSES,
    validate_links,
    validate_nodes,
)

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "FILE_KEYS",
    "JOINABLE_KINDS",
    "LINK_COLUMNS",
    "MODES",
    "NODE_COLUMNS",
    "NODE_KINDS",
    "STATUSES",
    "URBAN_CATEGORIES",
    "Network",
    "compile_network",
    "link_minutes",
    "load_network",
    "load_network_files",
    "make_engine",
    "network_paths",
    "points_cost_matrix",
    "validate_links",
    "validate_nodes",
]


ARC_RIDE, ARC_BOARD, ARC_ALIGHT, ARC_ROAD, ARC_ACCESS, ARC_THROUGH = 0, 1, 2, 3, 4, 5
F32 = npt.NDArray[np.float32]


# ----------------------------------------------------------------------------- the Network


@dataclass(frozen=True)
class Network:
    """A compiled strategic network (immutable; scenarios return new instances).

    Attributes
    ----------
    nodes
        Graph nodes, index = graph node id: ``node_id, kind, name_zh, lon, lat, code,
        placed`` (+ ``station`` and ``ref`` for platform nodes). WGS84 degrees.
    links
        The link table of links.csv (all links, in service or not).
    params
        The parameter set the minutes were computed with.
    arc_src, arc_dst, arc_link, arc_kind, arc_ref
        One entry per directed arc: endpoints (graph ids), the link row (-1 for
        boarding/alighting arcs), the arc kind and the rail line of boarding arcs.
    arc_minutes
        float32 minutes of every arc.
    link_active
        bool per link row: in service in this network's scenario.
    scenario
        Scenario id (``"base"`` when none was applied).
    data_version
        The dataset's data version (provenance, cache keys).
    metric_crs
        The projected CRS distances are measured in (the manifest's ``metric_crs``; empty:
        the UTM zone of the nodes' centre).
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    params: Parameters
    arc_src: npt.NDArray[np.int64]
    arc_dst: npt.NDArray[np.int64]
    arc_link: npt.NDArray[np.int64]
    arc_kind: npt.NDArray[np.int8]
    arc_ref: npt.NDArray[np.object_]
    arc_minutes: F32
    link_active: npt.NDArray[np.bool_]
    scenario: str = "base"
    data_version: str = ""
    headways: dict[str, float] = field(default_factory=dict)
    metric_crs: str = ""

    @cached_property
    def projection(self) -> MetricProjection:
        """Metres for distances: the dataset's ``metric_crs``, else the UTM zone of the nodes.

        Raises ``ValueError`` when a named CRS does not cover the network (a region in
        another zone than its manifest says).
        """
        lon = self.nodes["lon"].to_numpy()
        lat = self.nodes["lat"].to_numpy()
        proj = MetricProjection(self.metric_crs or metric_crs_for(lon, lat))
        proj.check(lon, lat, what=f"network of scenario {self.scenario!r}")
        return proj

    @cached_property
    def arc_active(self) -> npt.NDArray[np.bool_]:
        """bool per arc: its link is in service (boarding/alighting arcs always are)."""
        out = np.ones(self.arc_src.shape[0], dtype=bool)
        has = self.arc_link >= 0
        out[has] = self.link_active[self.arc_link[has]]
        return out

    @cached_property
    def graph(self) -> CSRGraph:
        """The in-service arcs as a :class:`CSRGraph` (float32 minutes)."""
        m = self.arc_active
        return CSRGraph.from_arcs(
            self.arc_src[m], self.arc_dst[m], self.arc_minutes[m], n_nodes=len(self.nodes)
        )

    @cached_property
    def _join_index(self) -> tuple[Any, npt.NDArray[np.int64]]:
        from scipy.spatial import cKDTree

        ok = self.nodes["kind"].isin(JOINABLE_KINDS).to_numpy()
        # only nodes this network (or mode subset) actually serves
        served = np.zeros(len(self.nodes), dtype=bool)
        act = self.arc_active & (self.arc_link >= 0)
        served[self.arc_src[act]] = True
        # in a network that runs trains, every station of a rail line is joinable (with
        # or without access links of its own). Not only the lines running in this
        # scenario: the join candidates must not change when a project opens, or opening
        # it could push a better candidate out of the k nearest and lengthen a trip.
        rides = act & (self.arc_kind == ARC_RIDE)
        if rides.any():
            st = self.nodes["station"].to_numpy()
            plat = self.arc_src[self.arc_kind == ARC_RIDE]
            on_line = np.zeros(len(self.nodes), dtype=bool)
            on_line[st[plat][st[plat] >= 0]] = True
            served |= on_line
        if (ok & served).any():
            ok = ok & served
        idx = np.flatnonzero(ok).astype(np.int64)
        x, y = self.projection.forward(
            self.nodes["lon"].to_numpy()[idx], self.nodes["lat"].to_numpy()[idx]
        )
        return cKDTree(np.column_stack([x, y])), idx

    def node_index(self, node_id: str) -> int:
        """Graph index of the node with ``node_id`` (KeyError naming it)."""
        hit = np.flatnonzero(self.nodes["node_id"].to_numpy() == node_id)
        if hit.size == 0:
            msg = f"unknown network node {node_id!r}"
            raise KeyError(msg)
        return int(hit[0])

    def join(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], F32]:
        """Access links of points: the k nearest joinable nodes and the access minutes.

        Parameters
        ----------
        lon, lat
            WGS84 degrees, one entry per point.

        Returns
        -------
        nodes, minutes
            Arrays of shape ``(n_points, k)``: graph node ids and access minutes
            (``inf`` where a candidate is beyond ``access.max_km``; the nearest is always kept).
        """
        p = self.params
        tree, idx = self._join_index
        k = max(1, int(p["access.k"]))
        k = min(k, idx.size)
        x, y = self.projection.forward(
            np.atleast_1d(np.asarray(lon, dtype=float)), np.atleast_1d(np.asarray(lat, dtype=float))
        )
        dist, pos = tree.query(np.column_stack([x, y]), k=k)
        dist = np.asarray(dist, dtype=np.float64).reshape(len(x), k) / 1000.0
        pos = np.asarray(pos, dtype=np.int64).reshape(len(x), k)
        minutes = dist * p["access.circuity"] / p["access.speed_kmh"] * 60.0
        far = dist > p["access.max_km"]
        far[:, 0] = False
        minutes[far] = np.inf
        return idx[pos], minutes.astype(np.float32)

    def subset(self, modes: Sequence[str]) -> Network:
        """A network keeping only links of the given modes (e.g. ``("road", "access")``)."""
        keep = self.links["mode"].isin(list(modes)).to_numpy() & self.link_active
        return _replace(self, link_active=keep, scenario=f"{self.scenario}[{'+'.join(modes)}]")

    def with_params(self, params: Parameters) -> Network:
        """The same links and scenario compiled with another parameter set."""
        net = compile_network(
            self.nodes_physical,
            self.links,
            params,
            data_version=self.data_version,
            headways=self.headways,
            metric_crs=self.metric_crs,
        )
        return _replace(net, link_active=self.link_active.copy(), scenario=self.scenario)

    @property
    def nodes_physical(self) -> pd.DataFrame:
        """Nodes of nodes.csv (without the platform nodes the compilation adds)."""
        return self.nodes[self.nodes["kind"] != "platform"][list(NODE_COLUMNS)].reset_index(
            drop=True
        )


def _replace(net: Network, **changes: Any) -> Network:
    from dataclasses import replace

    return replace(net, **changes)


def make_engine(graph: CSRGraph) -> TravelTimeEngine:
    """The travel-time engine for ``graph``: the fast CH engine when available, else Dijkstra."""
    try:
        from metrocircle.network import ch  # type: ignore[attr-defined]
    except ImportError:
        return DijkstraEngine(graph)
    engine: TravelTimeEngine = ch.get_engine(graph, kind="fast")
    return engine


def compile_network(
    nodes: pd.DataFrame,
    links: pd.DataFrame,
    params: Parameters,
    *,
    data_version: str = "",
    headways: dict[str, float] | None = None,
    metric_crs: str = "",
) -> Network:
    """Compile node and link tables into a :class:`Network` (base scenario: in service by the base year).

    Parameters
    ----------
    nodes, links
        Tables as read by :func:`validate_nodes` / :func:`validate_links`.
    params
        The parameter set (speeds km/h, times minutes).
    data_version
        Provenance tag.
    headways
        Per rail line (``ref``) headway overrides in minutes (frequency scenarios).
    metric_crs
        The projected CRS for distances (see :attr:`Network.metric_crs`).
    """
    heads = dict(headways or {})
    nodes = nodes.reset_index(drop=True)
    platform_rows: list[dict[str, Any]] = []
    platform_of: dict[tuple[int, str], int] = {}
    src: list[int] = []
    dst: list[int] = []
    lnk: list[int] = []
    kind: list[int] = []
    ref: list[str] = []
    mins: list[float] = []
    n0 = len(nodes)
    cat_of_ref: dict[str, str] = {}

    def platform(station: int, line: str) -> int:
        key = (station, line)
        if key not in platform_of:
            platform_of[key] = n0 + len(platform_rows)
            srow = nodes.iloc[station]
            platform_rows.append(
                {
                    "node_id": f"plat:{srow['node_id']}:{line}",
                    "kind": "platform",
                    "name_zh": f"{srow['name_zh']}[{line}]",
                    "lon": srow["lon"],
                    "lat": srow["lat"],
                    "code": srow["code"],
                    "placed": srow["placed"],
                    "placement": srow["placement"],
                    "source": srow["source"],
                    "station": station,
                    "ref": line,
                }
            )
        return platform_of[key]

    # two arcs per link, in link order (from -> to, then back unless one-way): road and
    # access links as arrays (an OSM network has 10^6 of them), rail links row by row
    n_links = len(links)
    mode = links["mode"].astype(str).to_numpy()
    at = pd.Index(nodes["node_id"])
    la = at.get_indexer(links["from_node"]).astype(np.int64)
    lb = at.get_indexer(links["to_node"]).astype(np.int64)
    lm = link_minutes(links, params)
    l_src = np.empty((n_links, 2), dtype=np.int64)
    l_dst = np.empty((n_links, 2), dtype=np.int64)
    l_src[:, 0], l_src[:, 1] = la, lb
    l_dst[:, 0], l_dst[:, 1] = lb, la
    l_kind = np.where(np.isin(mode, ("access", "walk", "transfer")), ARC_ACCESS, ARC_ROAD)
    l_kind = l_kind.astype(np.int8)
    rail_rows = np.flatnonzero(mode == "rail")
    for i, row in zip(rail_rows, links.iloc[rail_rows].itertuples(index=False), strict=True):
        cat_of_ref[row.ref] = row.category
        pa, pb = platform(int(la[i]), row.ref), platform(int(lb[i]), row.ref)
        l_src[i] = (pa, pb)
        l_dst[i] = (pb, pa)
        l_kind[i] = ARC_RIDE
    # a one-way link (optional column ``oneway``) keeps its forward arc only
    keep = np.ones((n_links, 2), dtype=bool)
    if "oneway" in links.columns:
        one = links["oneway"].fillna(False).astype(bool).to_numpy() & (mode != "rail")
        keep[one, 1] = False
    k2 = keep.ravel()
    src = l_src.ravel()[k2].tolist()
    dst = l_dst.ravel()[k2].tolist()
    lnk = np.repeat(np.arange(n_links, dtype=np.int64), 2)[k2].tolist()
    kind = np.repeat(l_kind, 2)[k2].tolist()
    ref = np.repeat(links["ref"].to_numpy(dtype=object), 2)[k2].tolist()
    mins = np.repeat(lm, 2)[k2].tolist()
    by_station: dict[int, list[int]] = {}
    for (station, _line), p in platform_of.items():
        by_station.setdefault(station, []).append(p)
    through = params["rail.through_min"]
    urban = {p for (_s, line), p in platform_of.items() if cat_of_ref[line] in URBAN_CATEGORIES}
    for plats in by_station.values():
        for pa in plats:
            for pb in plats:
                if pa != pb and pa not in urban and pb not in urban:
                    src.append(pa)
                    dst.append(pb)
                    lnk.append(-1)
                    kind.append(ARC_THROUGH)
                    ref.append("")
                    mins.append(through)
    for (station, line), p in platform_of.items():
        cat = cat_of_ref[line]
        src += [station, p]
        dst += [p, station]
        lnk += [-1, -1]
        kind += [ARC_BOARD, ARC_ALIGHT]
        ref += [line, line]
        mins += [_board_minutes(cat, line, params, heads), _alight_minutes(cat, params)]
    all_nodes = nodes.copy()
    all_nodes["station"] = -1
    all_nodes["ref"] = ""
    if platform_rows:
        all_nodes = pd.concat([all_nodes, pd.DataFrame(platform_rows)], ignore_index=True)
    base_year = int(params["network.base_year"])
    year = links["in_service_year"]
    active = (links["status"] == "open").to_numpy() & (
        year.isna() | (year.fillna(0) <= base_year)
    ).to_numpy()
    return Network(
        nodes=all_nodes,
        links=links,
        params=params,
        arc_src=np.asarray(src, dtype=np.int64),
        arc_dst=np.asarray(dst, dtype=np.int64),
        arc_link=np.asarray(lnk, dtype=np.int64),
        arc_kind=np.asarray(kind, dtype=np.int8),
        arc_ref=np.asarray(ref, dtype=object),
        arc_minutes=np.asarray(mins, dtype=np.float32),
        link_active=np.asarray(active, dtype=bool),
        data_version=data_version,
        headways=heads,
        metric_crs=metric_crs,
    )


def network_paths(dataset_path: Path, manifest: Any = None) -> dict[str, Path]:
    """Paths of the network files of a dataset folder (manifest entries, else the default layout)."""
    out: dict[str, Path] = {}
    files = getattr(manifest, "files", {}) if manifest is not None else {}
    for key, default in FILE_KEYS.items():
        entry = files.get(key)
        p = dataset_path / (entry.path if entry is not None else default)
        alt = p.with_suffix(".parquet")
        if entry is None and p.suffix == ".csv" and not p.exists() and alt.is_file():
            p = alt  # an undeclared table written as Parquet by `network build`
        out[key] = p
    return out


def load_network_files(
    dataset_path: Path, manifest: Any = None
) -> tuple[pd.DataFrame, pd.DataFrame, Parameters]:
    """Read and validate nodes, links and parameters; raise DataValidationError on any problem."""
    paths = network_paths(dataset_path, manifest)
    nodes, problems = validate_nodes(paths["network_nodes"])
    links, lp = validate_links(
        paths["network_links"], None if nodes is None else set(nodes["node_id"])
    )
    params, pp = read_parameters(paths["network_parameters"])
    problems = problems + lp + pp
    if problems or nodes is None or links is None or params is None:
        raise DataValidationError(problems, summary=f"network files of {dataset_path} are invalid")
    return nodes, links, params


_CACHE: dict[tuple[str, str], Network] = {}


def load_network(region: Region | Path | str) -> Network:
    """Load the base network of a Region (or of a dataset folder).

    Parameters
    ----------
    region
        A :class:`metrocircle.region.Region`, or the path of a dataset folder holding
        ``network/nodes.csv``, ``links.csv`` and ``parameters.toml``.

    Raises
    ------
    DataValidationError
        Listing every problem as file:row:field.

    Examples
    --------
    >>> from metrocircle.region import load_region
    >>> net = load_network(load_region("chongqing"))
    >>> net.graph.n_nodes > 500
    True
    """
    if isinstance(region, str | Path):
        path, manifest, version, crs = Path(region), None, "", ""
    else:
        path, manifest, version = region.path, region.manifest, region.data_version
        crs = region.manifest.metric_crs
    key = (str(path), version)
    if key in _CACHE and version:
        return _CACHE[key]
    nodes, links, params = load_network_files(path, manifest)
    net = compile_network(nodes, links, params, data_version=version, metric_crs=crs)
    net.projection  # noqa: B018 -- refuse a manifest CRS that does not cover the network, now
    if version:
        _CACHE[key] = net
    return net


def points_cost_matrix(
    network: Network,
    origins_lonlat: npt.ArrayLike,
    destinations_lonlat: npt.ArrayLike,
    *,
    engine: TravelTimeEngine | None = None,
    cutoff: float | None = None,
) -> F32:
    """Door-to-door minutes between points joined to the network by access links.

    Each point joins its ``access.k`` nearest joinable nodes (seats, township points,
    stations) at ``access.speed_kmh`` over straight-line × ``access.circuity``; a trip is
    the best of every join-node pair, or the direct access trip when the points are
    within ``access.max_km`` of each other.

    Parameters
    ----------
    network
        The (scenario) network.
    origins_lonlat, destinations_lonlat
        Arrays of shape ``(n, 2)``: longitude, latitude in WGS84 degrees.
    engine
        A travel-time engine built on ``network.graph`` (default: :func:`make_engine`).
    cutoff
        Minutes; entries above it are ``inf``.

    Returns
    -------
    numpy.ndarray
        float32 minutes of shape ``(n_origins, n_destinations)``; ``inf`` = not reached.
    """
    o = np.asarray(origins_lonlat, dtype=np.float64).reshape(-1, 2)
    d = np.asarray(destinations_lonlat, dtype=np.float64).reshape(-1, 2)
    if not (np.isfinite(o).all() and np.isfinite(d).all()):
        msg = "`origins_lonlat` and `destinations_lonlat` must be finite WGS84 degrees"
        raise ValueError(msg)
    eng = engine if engine is not None else make_engine(network.graph)
    on, om = network.join(o[:, 0], o[:, 1])
    dn, dm = network.join(d[:, 0], d[:, 1])
    uo, oinv = np.unique(on, return_inverse=True)
    ud, dinv = np.unique(dn, return_inverse=True)
    net_cut = None if cutoff is None else float(cutoff)
    core = (
        eng.many_to_many(uo, ud, cutoff=net_cut)
        if o.size and d.size
        else np.zeros((len(uo), len(ud)), np.float32)
    )
    oinv = oinv.reshape(on.shape)
    dinv = dinv.reshape(dn.shape)
    out = np.full((o.shape[0], d.shape[0]), np.inf, dtype=np.float32)
    for a in range(on.shape[1]):
        for b in range(dn.shape[1]):
            t = om[:, a][:, None] + core[oinv[:, a]][:, dinv[:, b]] + dm[:, b][None, :]
            np.minimum(out, t, out=out)
    # direct access trips between nearby points
    ox, oy = network.projection.forward(o[:, 0], o[:, 1])
    dx, dy = network.projection.forward(d[:, 0], d[:, 1])
    km = np.hypot(ox[:, None] - dx[None, :], oy[:, None] - dy[None, :]) / 1000.0
    p = network.params
    direct = np.where(
        km <= p["access.max_km"], km * p["access.circuity"] / p["access.speed_kmh"] * 60.0, np.inf
    )
    np.minimum(out, direct.astype(np.float32), out=out)
    if cutoff is not None:
        out[out > cutoff] = np.inf
    return out


def load_network_parameters(path: Path) -> Parameters:
    """Read a parameters.toml (shortcut to :func:`metrocircle.network.parameters.load_parameters`)."""
    return load_parameters(path)
