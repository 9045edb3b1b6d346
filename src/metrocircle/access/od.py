"""Door-to-door trips by mode between points: car on the road network, public transport by rail.

Two mode networks are cut from a scenario network (:func:`mode_network`):

- ``road``: the road links (expressways, the modelled local mesh); a point joins the
  nearest road nodes (seats, township points) by an access leg;
- ``rail``: rail, station access and transfer links; a point joins the nearest nodes of
  that network (stations, or seats and township points with a station access link), so a
  trip is access + waiting (a share of the headway) + boarding + in-vehicle + transfers +
  alighting + egress, every term a named parameter of ``parameters.toml``.

The fastest of the two is the trip's ``minutes``; no third, mixed quantity is reported.
Paths are traced on the same augmented graph the travel-time engine answers (oracle
tested), and named by line or road, never by internal ids.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle.network.model import (
    ARC_ACCESS,
    ARC_ALIGHT,
    ARC_BOARD,
    ARC_RIDE,
    ARC_THROUGH,
    Network,
)

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "MODE_LINKS",
    "Leg",
    "OdResult",
    "Trip",
    "mode_network",
    "od",
    "trace_trips",
]

MODE_LINKS: dict[str, tuple[str, ...]] = {
    "road": ("road",),
    "rail": ("rail", "access", "transfer", "walk"),
}
"""Link modes of each travel mode's network."""

ACCESS_NAME = "接驳(步行/公交)"


def mode_network(net: Network, mode: str) -> Network:
    """The part of a scenario network one travel mode uses (``road`` or ``rail``)."""
    if mode not in MODE_LINKS:
        msg = f"mode: {mode!r} is not one of {sorted(MODE_LINKS)}"
        raise ValueError(msg)
    return net.subset(MODE_LINKS[mode])


@dataclass(frozen=True)
class Leg:
    """Consecutive stretch of a trip on one named line, road or access leg."""

    name_zh: str
    mode: str
    minutes: float
    source_kind: str = "modelled"
    km: float = 0.0
    category: str | None = None


@dataclass(frozen=True)
class Trip:
    """A traced trip: total minutes, the legs, and the minutes on sourced links and on rail."""

    minutes: float
    legs: tuple[Leg, ...] = ()
    sourced_minutes: float = 0.0
    rail_minutes: float = 0.0

    @property
    def reached(self) -> bool:
        """Whether the network connects the two points."""
        return bool(np.isfinite(self.minutes))


def _arc_table(net: Network) -> dict[tuple[int, int], int]:
    """(u, v) → index of the fastest in-service arc between them."""
    act = np.flatnonzero(net.arc_active)
    order = act[np.argsort(net.arc_minutes[act], kind="stable")[::-1]]
    return {(int(net.arc_src[a]), int(net.arc_dst[a])): int(a) for a in order}


def _line_names(net: Network) -> dict[str, str]:
    lk = net.links
    rail = lk[lk["mode"] == "rail"]
    return dict(zip(rail["ref"], rail["name_zh"], strict=False))


def _arc_leg(net: Network, a: int, lines: dict[str, str], sourced: npt.NDArray[np.bool_]) -> Leg:
    kind = int(net.arc_kind[a])
    m = float(net.arc_minutes[a])
    li = int(net.arc_link[a])
    if kind in (ARC_BOARD, ARC_ALIGHT):
        ref = str(net.arc_ref[a])
        return Leg(lines.get(ref, ref), "rail", m)
    if kind == ARC_THROUGH:
        dst = int(net.arc_dst[a])
        ref = str(net.nodes.at[dst, "ref"])
        return Leg(lines.get(ref, ref), "rail", m)
    name = str(net.links.at[li, "name_zh"]) if li >= 0 else ACCESS_NAME
    mode = str(net.links.at[li, "mode"]) if li >= 0 else "access"
    if kind == ARC_ACCESS:
        name, mode = ACCESS_NAME, "access"
    elif kind == ARC_RIDE:
        mode = "rail"
    # every arc of a link (rail ride, road, station access) carries that link's length
    km = float(net.links.at[li, "length_km"]) if li >= 0 else 0.0
    category = str(net.links.at[li, "category"]) if li >= 0 else None
    kind_src = "sourced" if li >= 0 and sourced[li] else "modelled"
    return Leg(name, mode, m, kind_src, 0.0 if not np.isfinite(km) else km, category)


def _merge(legs: list[Leg]) -> tuple[Leg, ...]:
    out: list[Leg] = []
    for leg in legs:
        if out and out[-1].name_zh == leg.name_zh and out[-1].mode == leg.mode:
            prev = out[-1]
            kind = "sourced" if prev.source_kind == leg.source_kind == "sourced" else "modelled"
            out[-1] = Leg(
                prev.name_zh,
                prev.mode,
                prev.minutes + leg.minutes,
                kind,
                prev.km + leg.km,
                prev.category or leg.category,
            )
        else:
            out.append(leg)
    return tuple(
        Leg(x.name_zh, x.mode, round(x.minutes, 1), x.source_kind, round(x.km, 2), x.category)
        for x in out
    )


def trace_trips(
    net: Network, origins_lonlat: npt.ArrayLike, dest_lonlat: tuple[float, float]
) -> list[Trip]:
    """Fastest trips from each origin point to one destination point on ``net``, with their legs.

    The graph is the one :func:`metrocircle.network.model.points_cost_matrix` answers:
    the network's in-service arcs, the access legs of both points to their ``access.k``
    nearest joinable nodes, and the direct access trip when the points are within
    ``access.max_km``. Solved by SciPy's Dijkstra with predecessors (the reference).

    Parameters
    ----------
    net
        A (mode) network.
    origins_lonlat
        Array ``(n, 2)`` of WGS84 longitude, latitude.
    dest_lonlat
        The destination (lon, lat).
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    o = np.asarray(origins_lonlat, dtype=np.float64).reshape(-1, 2)
    no = o.shape[0]
    n = len(net.nodes)
    on, om = net.join(o[:, 0], o[:, 1])
    dn, dm = net.join(np.array([dest_lonlat[0]]), np.array([dest_lonlat[1]]))
    g = net.graph
    s, d, w = g.arcs()
    S: list[Any] = [s]
    D: list[Any] = [d]
    W: list[Any] = [w.astype(np.float64)]
    for i in range(no):
        ok = np.isfinite(om[i])
        S.append(np.full(ok.sum(), n + i))
        D.append(on[i][ok])
        W.append(om[i][ok].astype(np.float64))
    ok = np.isfinite(dm[0])
    sink = n + no
    S.append(dn[0][ok])
    D.append(np.full(ok.sum(), sink))
    W.append(dm[0][ok].astype(np.float64))
    p = net.params
    ox, oy = net.projection.forward(o[:, 0], o[:, 1])
    cx, cy = net.projection.forward([dest_lonlat[0]], [dest_lonlat[1]])
    km = np.hypot(ox - cx[0], oy - cy[0]) / 1000.0
    near = km <= p["access.max_km"]
    S.append(np.flatnonzero(near) + n)
    D.append(np.full(near.sum(), sink))
    W.append(km[near] * p["access.circuity"] / p["access.speed_kmh"] * 60.0)
    # float32 like the engine's arcs, so both answer the same sums
    Wc = np.maximum(np.concatenate(W).astype(np.float32).astype(np.float64), 1e-9)
    Sc, Dc = np.concatenate(S).astype(np.int64), np.concatenate(D).astype(np.int64)
    # parallel arcs: keep the fastest (a sparse matrix would add them up)
    order = np.lexsort((Wc, Dc, Sc))
    Sc, Dc, Wc = Sc[order], Dc[order], Wc[order]
    first = np.ones(Sc.size, dtype=bool)
    first[1:] = (Sc[1:] != Sc[:-1]) | (Dc[1:] != Dc[:-1])
    mat = csr_array((Wc[first], (Sc[first], Dc[first])), shape=(sink + 1, sink + 1))
    dist, pred = dijkstra(
        mat, directed=True, indices=np.arange(n, n + no), return_predecessors=True
    )
    arcs = _arc_table(net)
    lines = _line_names(net)
    sourced = (net.links["source_kind"] == "sourced").to_numpy()
    trips: list[Trip] = []
    for i in range(no):
        t = float(dist[i, sink])
        if not np.isfinite(t):
            trips.append(Trip(float("inf")))
            continue
        legs: list[Leg] = []
        v = sink
        while pred[i, v] >= 0:
            u = int(pred[i, v])
            if u < n and v < n:
                a = arcs.get((u, v))
                if a is not None:
                    legs.append(_arc_leg(net, a, lines, sourced))
            else:
                legs.append(Leg(ACCESS_NAME, "access", float(mat[u, v])))
            v = u
        legs.reverse()
        src = sum(x.minutes for x in legs if x.source_kind == "sourced")
        rail = sum(x.minutes for x in legs if x.mode == "rail")
        trips.append(Trip(t, _merge(legs), round(src, 1), round(rail, 1)))
    return trips


@dataclass(frozen=True)
class OdResult:
    """Door-to-door minutes between two units' seats by mode, and the named path of the faster."""

    from_code: str
    from_name_zh: str
    to_code: str
    to_name_zh: str
    scenario: str
    data_version: str
    minutes: float | None
    mode: str | None
    by_mode: dict[str, float | None]
    path: tuple[str, ...]
    legs: tuple[Leg, ...]
    legs_by_mode: dict[str, tuple[Leg, ...]] = field(default_factory=dict)
    value_kind: str = "modelled"
    published: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``access od`` (CLI ``--json`` and API alike)."""
        return {
            "from": self.from_code,
            "from_name_zh": self.from_name_zh,
            "to": self.to_code,
            "to_name_zh": self.to_name_zh,
            "scenario": self.scenario,
            "data_version": self.data_version,
            "minutes": self.minutes,
            "mode": self.mode,
            "by_mode": dict(self.by_mode),
            "path": list(self.path),
            "legs": [asdict(x) for x in self.legs],
            "legs_by_mode": {k: [asdict(x) for x in v] for k, v in self.legs_by_mode.items()},
            "value_kind": self.value_kind,
            "published": list(self.published),
        }


def _fin(x: float) -> float | None:
    return round(float(x), 1) if np.isfinite(x) else None


def od(region: Region, from_unit: str, to_unit: str, scenario: str = "baseline-2020") -> OdResult:
    """Door-to-door minutes from one unit's seat to another's, by road and by rail.

    Parameters
    ----------
    region
        The loaded region.
    from_unit, to_unit
        Unit codes or names (``500120``, ``璧山区``, ``璧山``).
    scenario
        Scenario id.

    Raises
    ------
    UnknownUnitError
        A unit is not known (the message names ``from`` or ``to``).
    ScenarioError
        The scenario is not known.

    Examples
    --------
    >>> from metrocircle.region import load_region
    >>> r = od(load_region("chongqing"), "璧山", "渝中区")
    >>> r.mode in ("road", "rail") and r.minutes == min(v for v in r.by_mode.values() if v)
    True
    """
    from metrocircle.access.published import published_between
    from metrocircle.access.units import resolve_unit
    from metrocircle.network.scenarios import scenario_network

    a = resolve_unit(region, from_unit, field="from")
    b = resolve_unit(region, to_unit, field="to")
    net = scenario_network(region, scenario)
    pa, pb = _seat(region, a, "from"), _seat(region, b, "to")
    trips = {m: trace_trips(mode_network(net, m), np.array([pa]), pb)[0] for m in MODE_LINKS}
    by_mode = {m: _fin(t.minutes) for m, t in trips.items()}
    best = min(trips, key=lambda m: trips[m].minutes)
    reached = np.isfinite(trips[best].minutes)
    legs = trips[best].legs if reached else ()
    u = region.units
    return OdResult(
        a,
        str(u.at[a, "name_zh"]),
        b,
        str(u.at[b, "name_zh"]),
        scenario,
        region.data_version,
        _fin(trips[best].minutes),
        best if reached else None,
        by_mode,
        tuple(x.name_zh for x in legs),
        legs,
        {m: t.legs for m, t in trips.items()},
        published=tuple(p.to_dict() for p in published_between(region, a, b)),
    )


def _seat(region: Region, code: str, fld: str) -> tuple[float, float]:
    from metrocircle._errors import UnknownUnitError

    r = region.units.loc[code]
    lon, lat = r["seat_lon"], r["seat_lat"]
    if pd.isna(lon) or pd.isna(lat):  # a prefecture without one seat
        msg = f"{fld}: unit {code} {r['name_zh']} has no seat point; name one of its county-level units"
        raise UnknownUnitError(msg)
    return float(lon), float(lat)
