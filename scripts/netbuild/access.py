"""Access links: each station to its nearest local-mesh nodes; feeder rides to the metro."""

from __future__ import annotations

import numpy as np

from .common import METRIC, Link, Node, haversine_km
from .road import Mesh

__all__ = ["metro_open_years", "station_access_links", "station_feeder_links"]


def station_access_links(stations: dict[str, Node], mesh: Mesh, p: dict[str, float]) -> list[Link]:
    """Join each station to its ``access.station_k`` nearest mesh nodes within ``access.station_max_km``."""
    links: list[Link] = []
    for s in stations.values():
        sx, sy = METRIC.forward([s.lon], [s.lat])
        dd = np.hypot(mesh.x - sx[0], mesh.y - sy[0]) / 1000.0
        order = np.argsort(dd)[: int(p["access.station_k"])]
        for idx in order:
            if dd[idx] > p["access.station_max_km"]:
                continue
            m = mesh.nodes[int(idx)]
            links.append(
                Link(
                    f"access:{s.node_id}:{m.node_id}",
                    s.node_id,
                    m.node_id,
                    "access",
                    "station_access",
                    "access",
                    "access",
                    "站点接驳(模型)",
                    float(dd[idx]) * p["access.circuity"],
                    "straight_line_x_circuity",
                    None,
                    None,
                    "modelled",
                    "modelled station access (parameters access.*)",
                    "open",
                    None,
                    "modelled as always present",
                )
            )
    return links


def metro_open_years(links: list[Link]) -> dict[str, int]:
    """The first year any metro line serves each metro station (from the metro links)."""
    years: dict[str, int] = {}
    for lk in links:
        if lk.mode != "rail" or not lk.link_id.startswith("metro:") or lk.in_service_year is None:
            continue
        for nid in (lk.from_node, lk.to_node):
            years[nid] = min(years.get(nid, lk.in_service_year), lk.in_service_year)
    return years


def station_feeder_links(
    national: dict[str, Node],
    metro: dict[int, Node],
    walks: dict[str, set[str]],
    opened: dict[str, int],
    p: dict[str, float],
) -> list[Link]:
    """Feeder rides from each railway station to the metro: the nearest station open by each year.

    A passenger leaving 重庆东 for the centre rides a bus or taxi to the nearest metro
    station (邱家湾, Line 6). Without such a link the metro stations of the core, which have
    no mesh access links, are out of reach from the railway station, and the model sends
    the trip on a detour over other lines. The same holds before the metro reaches the
    railway station: 重庆西's interchange walk leads to 重庆西站, whose lines open in 2021,
    so in a 2020 network the trip needs the ride to 二郎 (环线, 2.6 km).

    So, within ``rail.feeder_max_km``, a railway station is joined to every metro station
    that is nearer than all metro stations opened in the same year or earlier (stations it
    already walks to count as nearest): the nearest station of each opening year that
    improves on the ones before. The ride is straight line × ``access.circuity`` at
    ``access.speed_kmh`` (the model's access speed). The rides stay in later networks: the
    shortest path takes one only where the bus or taxi beats walking to the nearer
    station and waiting for its trains (from 重庆北 to 黄泥塝 for Line 6, for example).

    Parameters
    ----------
    walks
        Railway station id → the metro station ids it has an interchange walk to.
    opened
        Metro station id → first year a line serves it (:func:`metro_open_years`);
        stations on no built line are never fed.
    """
    max_km = p["rail.feeder_max_km"]
    mlist = [m for m in metro.values() if m.node_id in opened]
    metro_ids = {m.node_id for m in metro.values()}
    links: list[Link] = []
    for s in national.values():
        if s.node_id in metro_ids:  # a registry line replaced by the metro data
            continue
        if not mlist or s.lon is None or s.lat is None:
            continue
        walked = walks.get(s.node_id, set())
        best = min((opened[w] for w in walked if w in opened), default=None)
        near = sorted(
            ((haversine_km(s.lon, s.lat, m.lon, m.lat), m) for m in mlist),
            key=lambda t: t[0],
        )
        for d, m in near:
            if d > max_km:
                break
            year = opened[m.node_id]
            if m.node_id in walked or (best is not None and year >= best):
                continue
            best = year
            links.append(_feeder(s, m, d, p))
    return links


def _feeder(s: Node, m: Node, d: float, p: dict[str, float]) -> Link:
    return Link(
        f"feeder:{s.node_id}:{m.node_id}",
        s.node_id,
        m.node_id,
        "access",
        "station_feeder",
        "access",
        "access",
        "站点接驳(模型)",
        d * p["access.circuity"],
        "straight_line_x_circuity",
        None,
        None,
        "modelled",
        "modelled feeder ride between a railway station and the nearest metro station open by each year (parameters rail.feeder_max_km, access.*)",
        "open",
        None,
        "modelled as always present",
    )
