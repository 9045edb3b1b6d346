"""Access links: each station to its nearest local-mesh nodes; feeder rides to the metro."""

from __future__ import annotations

import numpy as np

from .common import METRIC, Link, Node, haversine_km
from .road import Mesh

__all__ = ["station_access_links", "station_feeder_links"]


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


def station_feeder_links(
    national: dict[str, Node], metro: dict[int, Node], interchanged: set[str], p: dict[str, float]
) -> list[Link]:
    """Join each railway station without an interchange walk to its nearest metro station.

    A passenger leaving 重庆东 for the centre rides a bus or taxi to the nearest metro
    station (邱家湾, Line 6). Without this link the metro stations of the core, which have
    no mesh access links, are out of reach from such a station, and the model sends the
    trip on a detour over other lines. Only the nearest metro station within
    ``rail.feeder_max_km`` is joined; the ride is straight line × ``access.circuity`` at
    ``access.speed_kmh`` (the model's access speed).
    """
    max_km = p["rail.feeder_max_km"]
    mlist = list(metro.values())
    metro_ids = {m.node_id for m in mlist}
    links: list[Link] = []
    for s in national.values():
        if s.node_id in metro_ids:  # a registry line replaced by the metro data
            continue
        if s.node_id in interchanged or not mlist or s.lon is None or s.lat is None:
            continue
        d, m = min(
            ((haversine_km(s.lon, s.lat, m.lon, m.lat), m) for m in mlist), key=lambda t: t[0]
        )
        if d > max_km:
            continue
        links.append(
            Link(
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
                "modelled feeder ride between a railway station and the nearest metro station (parameters rail.feeder_max_km, access.*)",
                "open",
                None,
                "modelled as always present",
            )
        )
    return links
