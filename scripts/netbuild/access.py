"""Access links: each station to its nearest local-mesh nodes."""

from __future__ import annotations

import numpy as np

from .common import METRIC, Link, Node
from .road import Mesh

__all__ = ["station_access_links"]


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
