"""Full-resolution network files from an OpenStreetMap extract (pyrosm) and an optional GTFS feed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from metrocircle._errors import DataValidationError, Problem
from metrocircle.network.model import LINK_COLUMNS, NODE_COLUMNS
from metrocircle.network.parameters import DEFAULT_PARAMETERS, write_parameters

__all__ = ["EXPRESSWAY_CLASSES", "build_network_files", "osm_network_tables"]

EXPRESSWAY_CLASSES = ("motorway", "motorway_link", "trunk", "trunk_link")
"""OSM highway classes timed as expressways (design speed × road.expressway_share); others as local roads."""


def _maxspeed(v: object) -> float | None:
    m = re.match(r"\s*(\d+(?:\.\d+)?)", str(v or ""))
    if not m:
        return None
    x = float(m.group(1))
    return x * 1.609344 if "mph" in str(v) else x


def osm_network_tables(osm: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Driving network of a PBF as node and link tables in the dataset's network format.

    Parameters
    ----------
    osm
        An OpenStreetMap ``.osm.pbf`` extract.
    """
    try:
        from pyrosm import OSM
    except ImportError:  # pragma: no cover - optional dependency
        msg = "reading OSM PBF files needs pyrosm (pip install pyrosm)"
        raise DataValidationError([Problem(osm.name, 0, "*", msg)]) from None
    try:
        nodes, edges = OSM(str(osm)).get_network(network_type="driving", nodes=True)
    except Exception as exc:  # pyrosm raises many types on unreadable files
        raise DataValidationError(
            [Problem(osm.name, 0, "*", f"unreadable OSM PBF: {exc}")]
        ) from None
    if edges is None or len(edges) == 0:
        raise DataValidationError([Problem(osm.name, 0, "*", "no drivable roads in the extract")])
    src = f"© OpenStreetMap contributors (ODbL-1.0), {osm.name}"
    n = pd.DataFrame(
        {
            "node_id": "osm:" + nodes["id"].astype(str),
            "kind": "junction",
            "name_zh": "",
            "lon": nodes["lon"].astype(float),
            "lat": nodes["lat"].astype(float),
            "code": "",
            "placed": False,
            "placement": "osm",
            "source": src,
        }
    )
    hw = edges["highway"].astype(str)
    design = [_maxspeed(v) for v in edges.get("maxspeed", pd.Series([None] * len(edges)))]
    lk = pd.DataFrame(
        {
            "link_id": [f"osm:{w}:{i}" for i, w in enumerate(edges["id"].astype(str))],
            "from_node": "osm:" + edges["u"].astype(str),
            "to_node": "osm:" + edges["v"].astype(str),
            "mode": "road",
            "category": np.where(hw.isin(EXPRESSWAY_CLASSES), "expressway", "local"),
            "ref": "osm:" + hw,
            "group": "osm:" + hw,
            "name_zh": edges.get("name", pd.Series([""] * len(edges))).fillna("").astype(str),
            "length_km": edges["length"].astype(float) / 1000.0,
            "length_kind": "osm_geometry",
            "design_speed_kmh": design,
            "minutes": np.nan,
            "source_kind": "modelled",
            "source": src
            + " (way "
            + edges["id"].astype(str)
            + "; speed from maxspeed or parameters)",
            "status": "open",
            "in_service_year": pd.array([pd.NA] * len(edges), dtype="Int64"),
            "year_basis": "open in the extract",
            "project_id": "",
            "note": "",
        }
    )
    return n, lk


def build_network_files(osm: Path, out: Path, *, gtfs: Path | None = None) -> dict[str, int]:
    """Write nodes.csv, links.csv and parameters.toml for an OSM extract (+ GTFS transit).

    GTFS stops become station nodes joined to their nearest OSM junction by an access
    link; each stop-to-stop hop becomes a transit link (mode ``rail``, category
    ``suburban``) carrying its fastest scheduled minutes (``source_kind = sourced``).
    """
    nodes, links = osm_network_tables(osm)
    if gtfs is not None:
        from scipy.spatial import cKDTree

        from metrocircle.geo import MetricProjection, metric_crs_for
        from metrocircle.network.gtfs import read_gtfs

        feed = read_gtfs(gtfs)
        sn = pd.DataFrame(
            {
                "node_id": "gtfs:" + feed.stops["stop_id"].astype(str),
                "kind": "station",
                "name_zh": feed.stops["stop_name"],
                "lon": feed.stops["lon"],
                "lat": feed.stops["lat"],
                "code": "",
                "placed": False,
                "placement": "gtfs",
                "source": f"GTFS {gtfs.name}",
            }
        )
        # the extract's own UTM zone: an OSM file carries no manifest
        proj = MetricProjection(metric_crs_for(nodes["lon"].to_numpy(), nodes["lat"].to_numpy()))
        x, y = proj.forward(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())
        sx, sy = proj.forward(sn["lon"].to_numpy(), sn["lat"].to_numpy())
        dist, idx = cKDTree(np.column_stack([x, y])).query(np.column_stack([sx, sy]))
        acc = pd.DataFrame(
            {
                "link_id": "gtfsacc:" + sn["node_id"],
                "from_node": sn["node_id"].to_numpy(),
                "to_node": nodes["node_id"].to_numpy()[idx],
                "mode": "access",
                "category": "station_access",
                "ref": "access",
                "group": "access",
                "name_zh": "",
                "length_km": np.asarray(dist)
                / 1000.0
                * DEFAULT_PARAMETERS["access.circuity"].value,
                "length_kind": "straight_line_x_circuity",
                "design_speed_kmh": np.nan,
                "minutes": np.nan,
                "source_kind": "modelled",
                "source": "stop joined to its nearest OSM junction (parameters access.*)",
                "status": "open",
                "in_service_year": pd.array([pd.NA] * len(sn), dtype="Int64"),
                "year_basis": "",
                "project_id": "",
                "note": "",
            }
        )
        fl = feed.links
        tl = pd.DataFrame(
            {
                "link_id": [
                    f"gtfs:{r}:{a}:{b}"
                    for r, a, b in zip(fl["route_id"], fl["from_stop"], fl["to_stop"], strict=False)
                ],
                "from_node": "gtfs:" + fl["from_stop"].astype(str),
                "to_node": "gtfs:" + fl["to_stop"].astype(str),
                "mode": "rail",
                "category": "suburban",
                "ref": "gtfs:" + fl["route_id"].astype(str),
                "group": "gtfs:" + fl["route_id"].astype(str),
                "name_zh": "",
                "length_km": 0.0,
                "length_kind": "not_modelled",
                "design_speed_kmh": np.nan,
                "minutes": fl["minutes"].astype(float),
                "source_kind": "sourced",
                "source": f"GTFS {gtfs.name} stop_times (fastest scheduled hop)",
                "status": "open",
                "in_service_year": pd.array([pd.NA] * len(fl), dtype="Int64"),
                "year_basis": "",
                "project_id": "",
                "note": [f"trips={t}" for t in fl["trips"]],
            }
        )
        nodes = pd.concat([nodes, sn], ignore_index=True)
        links = pd.concat([links, acc, tl], ignore_index=True)
    out.mkdir(parents=True, exist_ok=True)
    nodes["placed"] = np.where(nodes["placed"].astype(bool), "true", "false")
    nodes[list(NODE_COLUMNS)].to_csv(
        out / "nodes.csv", index=False, quoting=csv.QUOTE_MINIMAL, float_format="%.7f"
    )
    links[list(LINK_COLUMNS)].to_csv(out / "links.csv", index=False)
    write_parameters(DEFAULT_PARAMETERS, out / "parameters.toml")
    return {"nodes": len(nodes), "links": len(links)}
