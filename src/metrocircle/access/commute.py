"""The 1-hour commuting circle: minutes from each unit seat to the centre, reach and rail reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle.network.model import Network, make_engine, points_cost_matrix

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "CommuteResult",
    "centre_lonlat",
    "commute_table",
    "fastest_cost_matrix",
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


def fastest_cost_matrix(
    network: Network,
    origins_lonlat: npt.ArrayLike,
    destinations_lonlat: npt.ArrayLike,
    *,
    cutoff: float | None = None,
) -> npt.NDArray[np.float32]:
    """Door-to-door minutes by the faster of road and rail (see :mod:`metrocircle.access.od`)."""
    from metrocircle.access.od import MODE_LINKS, mode_network

    out: npt.NDArray[np.float32] | None = None
    for m in MODE_LINKS:
        mat = points_cost_matrix(
            mode_network(network, m), origins_lonlat, destinations_lonlat, cutoff=cutoff
        )
        out = mat if out is None else np.minimum(out, mat)
    assert out is not None
    return out


def _nearest_core_point(region: Region) -> npt.NDArray[np.float64]:
    """Township points (zones) of the core units: the 中心城区 read as an area, not a point."""
    from metrocircle.access.zones import load_zones

    core = {c for c in region.county_codes if "core" in tuple(region.units.at[c, "roles"])}
    z = load_zones(region)
    out: npt.NDArray[np.float64] = z.loc[z["code"].isin(core), ["lon", "lat"]].to_numpy(dtype=float)
    return out


def commute_table(region: Region, network: Network, *, nearest_core: bool = False) -> CommuteResult:
    """Minutes from every county-level unit's seat to the centre on ``network``, by mode.

    Parameters
    ----------
    region
        The loaded region (seats, roles, centre).
    network
        The (scenario) network, e.g. from :func:`metrocircle.network.scenarios.scenario_network`.
    nearest_core
        Also compute ``minutes_to_core_edge``: the faster mode's minutes to the nearest
        township point of a core unit (the 中心城区 read as an area rather than 解放碑).

    Returns
    -------
    CommuteResult
        ``table`` columns: ``code, name_zh, core, population, minutes_road, minutes_rail,
        mode, minutes_to_centre, within_60, rail_minutes, sourced_minutes,
        modelled_share`` (+ ``minutes_to_core_edge``). ``minutes_to_centre`` is the faster
        of road (car, seat to centre) and rail (public transport: access, wait, ride,
        transfers, egress) — never a mixed third quantity. ``rail_minutes`` are the minutes
        on rail of the chosen trip, ``modelled_share`` the share of its minutes on
        modelled (not published) links and access legs. Population: census 2020, persons.
    """
    from metrocircle.access.od import MODE_LINKS, mode_network, trace_trips

    thr = float(network.params["commute.threshold_min"])
    st = seats(region)
    pts = st[["lon", "lat"]].to_numpy(dtype=float)
    c = centre_lonlat(region)
    trips = {m: trace_trips(mode_network(network, m), pts, c) for m in MODE_LINKS}
    road = np.array([t.minutes for t in trips["road"]])
    rail = np.array([t.minutes for t in trips["rail"]])
    best = np.where(rail < road, "rail", "road")
    chosen = [trips[m][i] for i, m in enumerate(best)]
    total = np.minimum(road, rail)
    t = st.copy()
    t["minutes_road"] = np.round(road, 1)
    t["minutes_rail"] = np.round(rail, 1)
    t["mode"] = [m if np.isfinite(x) else None for m, x in zip(best, total, strict=True)]
    t["minutes_to_centre"] = np.round(total, 1)
    t["within_60"] = total <= thr
    t["rail_minutes"] = [x.rail_minutes for x in chosen]
    src_min = np.array([x.sourced_minutes for x in chosen])
    t["sourced_minutes"] = src_min
    with np.errstate(invalid="ignore", divide="ignore"):
        t["modelled_share"] = np.where(
            np.isfinite(total) & (total > 0), np.round(1.0 - src_min / total, 3), 1.0
        )
    if nearest_core:
        core_pts = _nearest_core_point(region)
        best_edge = fastest_cost_matrix(network, pts, core_pts).min(axis=1)
        t["minutes_to_core_edge"] = np.where(t["core"], 0.0, np.round(best_edge, 1))
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
    m = fastest_cost_matrix(
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
    m = fastest_cost_matrix(
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
    rail = network.subset(("rail",))
    nodes = rail.nodes
    c = centre_lonlat(region)
    cx, cy = rail.projection.forward([c[0]], [c[1]])
    x, y = rail.projection.forward(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
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
