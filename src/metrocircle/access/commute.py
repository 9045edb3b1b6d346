"""The 1-hour commuting circle: minutes from each unit seat to the centre, reach and rail reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle.network.model import ARC_BOARD, Network, make_engine, points_cost_matrix

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "CommuteResult",
    "centre_lonlat",
    "commute_table",
    "population_share_within",
    "rail_reach",
    "seats",
    "unit_reach",
]


def centre_lonlat(region: Region) -> tuple[float, float]:
    """The centre point of the commute indicators (manifest ``[centre]``), WGS84 degrees."""
    c = region.manifest.centre
    return float(c.lon), float(c.lat)


def seats(region: Region) -> pd.DataFrame:
    """County-level units with a seat point: ``code, name_zh, lon, lat, core, population``."""
    u = region.units
    rows = []
    for code in region.county_codes:
        r = u.loc[code]
        if pd.isna(r["seat_lon"]) or pd.isna(r["seat_lat"]):
            continue
        rows.append(
            {
                "code": code,
                "name_zh": r["name_zh"],
                "lon": float(r["seat_lon"]),
                "lat": float(r["seat_lat"]),
                "core": "core" in tuple(r["roles"]),
                "population": r.get("population_2020"),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CommuteResult:
    """Per-unit commute table with the network it was computed on."""

    table: pd.DataFrame
    scenario: str
    data_version: str
    threshold_min: float


def _arc_lookup(net: Network) -> dict[tuple[int, int], tuple[float, bool, bool]]:
    """(u, v) → (minutes, on a sourced link, is a rail arc) of the fastest in-service arc."""
    sourced = (net.links["source_kind"] == "sourced").to_numpy()
    rail = (net.links["mode"] == "rail").to_numpy()
    out: dict[tuple[int, int], tuple[float, bool, bool]] = {}
    act = net.arc_active
    for s, d, m, lk, k in zip(
        net.arc_src[act],
        net.arc_dst[act],
        net.arc_minutes[act],
        net.arc_link[act],
        net.arc_kind[act],
        strict=False,
    ):
        key = (int(s), int(d))
        is_rail = bool(rail[lk]) if lk >= 0 else k == ARC_BOARD or True
        val = (float(m), bool(sourced[lk]) if lk >= 0 else False, is_rail if lk >= 0 else True)
        if key not in out or val[0] < out[key][0]:
            out[key] = val
    return out


def _traced_times(
    net: Network, origins: npt.NDArray[np.float64], dest: tuple[float, float]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Minutes, sourced minutes and rail minutes from each origin point to ``dest`` (shortest path)."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    g = net.graph
    n = g.n_nodes
    no = origins.shape[0]
    on, om = net.join(origins[:, 0], origins[:, 1])
    dn, dm = net.join(np.array([dest[0]]), np.array([dest[1]]))
    s, d, w = g.arcs()
    s_l = [s]
    d_l = [d]
    w_l = [w.astype(np.float64)]
    for i in range(no):
        ok = np.isfinite(om[i])
        s_l.append(np.full(ok.sum(), n + i))
        d_l.append(on[i][ok])
        w_l.append(om[i][ok].astype(np.float64))
    ok = np.isfinite(dm[0])
    s_l.append(dn[0][ok])
    d_l.append(np.full(ok.sum(), n + no))
    w_l.append(dm[0][ok].astype(np.float64))
    # direct access trips
    from metrocircle.geo import project_utm48n

    ox, oy = project_utm48n(origins[:, 0], origins[:, 1])
    cx, cy = project_utm48n([dest[0]], [dest[1]])
    km = np.hypot(ox - cx[0], oy - cy[0]) / 1000.0
    p = net.params
    near = km <= p["access.max_km"]
    s_l.append(np.flatnonzero(near) + n)
    d_l.append(np.full(near.sum(), n + no))
    w_l.append(km[near] * p["access.circuity"] / p["access.speed_kmh"] * 60.0)
    S, D, W = np.concatenate(s_l), np.concatenate(d_l), np.concatenate(w_l)
    W = np.maximum(W, 1e-6)
    mat = csr_array((W, (S, D)), shape=(n + no + 1, n + no + 1))
    dist, pred = dijkstra(
        mat, directed=True, indices=np.arange(n, n + no), return_predecessors=True
    )
    lookup = _arc_lookup(net)
    total = np.full(no, np.inf)
    src_min = np.zeros(no)
    rail_min = np.zeros(no)
    for i in range(no):
        t = dist[i, n + no]
        total[i] = t
        if not np.isfinite(t):
            continue
        v = n + no
        while pred[i, v] >= 0:
            u = int(pred[i, v])
            if u < n and v < n:
                m, srcd, is_rail = lookup.get((u, v), (0.0, False, False))
                if srcd:
                    src_min[i] += m
                kind_u = net.nodes.at[u, "kind"]
                kind_v = net.nodes.at[v, "kind"]
                if is_rail and (kind_u == "platform" or kind_v == "platform"):
                    rail_min[i] += m
            v = u
    return total, src_min, rail_min


def commute_table(region: Region, network: Network) -> CommuteResult:
    """Minutes from every county-level unit's seat to the centre on ``network``.

    Parameters
    ----------
    region
        The loaded region (seats, roles, centre).
    network
        The (scenario) network, e.g. from :func:`metrocircle.network.scenarios.scenario_network`.

    Returns
    -------
    CommuteResult
        ``table`` columns: ``code, name_zh, core, minutes_to_centre, within_60,
        rail_minutes, sourced_minutes, modelled_share, population`` (minutes; population in
        persons, census 2020). ``modelled_share`` is the share of the trip's minutes on
        modelled (not published) links and access legs.
    """
    thr = float(network.params["commute.threshold_min"])
    st = seats(region)
    pts = st[["lon", "lat"]].to_numpy(dtype=float)
    total, src_min, rail_min = _traced_times(network, pts, centre_lonlat(region))
    t = st.copy()
    t["minutes_to_centre"] = np.round(total, 1)
    t["within_60"] = total <= thr
    t["rail_minutes"] = np.round(rail_min, 1)
    t["sourced_minutes"] = np.round(src_min, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        t["modelled_share"] = np.where(total > 0, np.round(1.0 - src_min / total, 3), 1.0)
    t = t.drop(columns=["lon", "lat"])
    return CommuteResult(t, network.scenario, network.data_version, thr)


def population_share_within(
    region: Region, network: Network, *, threshold_min: float | None = None
) -> tuple[float, float, float]:
    """Share of the area's (estimated) zone population within ``threshold_min`` of the centre.

    Returns
    -------
    share, population_within, population_total
        Share in [0, 1]; populations in persons (township ESTIMATES, see
        :func:`metrocircle.access.zones.load_zones`).
    """
    from metrocircle.access.zones import load_zones

    thr = float(
        threshold_min if threshold_min is not None else network.params["commute.threshold_min"]
    )
    z = load_zones(region)
    m = points_cost_matrix(
        network, z[["lon", "lat"]].to_numpy(), np.array([centre_lonlat(region)]), cutoff=thr
    )
    pop = z["population_est"].to_numpy(dtype=float)
    within = float(pop[np.isfinite(m[:, 0])].sum())
    tot = float(pop.sum())
    return (within / tot if tot else 0.0), within, tot


def unit_reach(
    region: Region, network: Network, *, threshold_min: float | None = None
) -> pd.DataFrame:
    """Per unit: the (estimated) population of zones reachable from its seat within the threshold.

    Returns
    -------
    pandas.DataFrame
        ``code, name_zh, population_reached_est, zones_reached`` (persons, estimate).
    """
    from metrocircle.access.zones import load_zones

    thr = float(
        threshold_min if threshold_min is not None else network.params["commute.threshold_min"]
    )
    st = seats(region)
    z = load_zones(region)
    m = points_cost_matrix(
        network, st[["lon", "lat"]].to_numpy(), z[["lon", "lat"]].to_numpy(), cutoff=thr
    )
    pop = z["population_est"].to_numpy(dtype=float)
    ok = np.isfinite(m)
    out = st[["code", "name_zh"]].copy()
    out["population_reached_est"] = (ok * pop[None, :]).sum(axis=1).round()
    out["zones_reached"] = ok.sum(axis=1)
    return out


def rail_reach(region: Region, network: Network) -> pd.DataFrame:
    """Rail minutes from the centre's rail hub to each destination of the plan's groups.

    The hub is every station within ``reach.hub_radius_km`` of the centre; the time runs
    from boarding at a hub platform to arriving at a destination platform on rail links
    only (in-vehicle, dwell and transfers; no access, first wait or final exit).

    Returns
    -------
    pandas.DataFrame
        ``group, member, threshold_min, minutes, reached, basis`` — ``minutes`` is NaN when
        the network has no rail path (for example no sourced time to 上海 exists).
    """
    from metrocircle.geo import project_utm48n

    rail = network.subset(("rail",))
    nodes = rail.nodes
    c = centre_lonlat(region)
    cx, cy = project_utm48n([c[0]], [c[1]])
    x, y = project_utm48n(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
    km = np.hypot(x - cx[0], y - cy[0]) / 1000.0
    hub = np.flatnonzero(
        (nodes["kind"] == "platform").to_numpy() & (km <= network.params["reach.hub_radius_km"])
    )
    eng = make_engine(rail.graph)
    rows = []
    sourced_refs = set(network.links.loc[network.links["source_kind"] == "sourced", "ref"])
    for g in network.params.destination_groups.values():
        for member in g.members:
            names = member.split("|")
            station_of = nodes["station"].to_numpy()
            tgt = np.flatnonzero(
                (nodes["kind"] == "platform").to_numpy()
                & np.isin(
                    nodes["name_zh"].str.replace(r"\[.*\]$", "", regex=True).to_numpy(), names
                )
            )
            minutes = np.nan
            basis = "no rail link in the network"
            if hub.size and tgt.size:
                t = eng.many_to_many(hub, tgt)
                best = float(np.min(t))
                if np.isfinite(best):
                    minutes = round(best, 1)
                    refs = set(nodes["ref"].to_numpy()[tgt])
                    basis = (
                        "published time (coarse external link)"
                        if refs & sourced_refs
                        else "modelled"
                    )
            del station_of
            rows.append(
                {
                    "group": g.id,
                    "group_zh": g.name_zh,
                    "member": member.split("|")[0],
                    "threshold_min": g.threshold_min,
                    "minutes": minutes,
                    "reached": bool(np.isfinite(minutes) and minutes <= g.threshold_min),
                    "basis": basis,
                }
            )
    return pd.DataFrame(rows)
