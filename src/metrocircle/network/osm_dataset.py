"""A dataset folder from an OpenStreetMap extract and a base dataset, in one step.

``metrocircle network build --osm FILE --from-dataset chongqing --out DIR`` writes a
folder that ``--dataset DIR`` loads: the base dataset's manifest and non-network files
(units, boundaries, targets, projects, observations, sectors, zones, published times),
and a network whose roads are the extract's drive network while the rail layer
(stations, lines, transfers, feeder rides, scenarios of lines) is the base dataset's.

Stations are joined to the OSM roads by the rule the base network joins them to its
road mesh (``scripts/netbuild/access.py``): each station that has station-access links
in the base gets access links to its ``access.station_k`` nearest road nodes within
``access.station_max_km`` (straight line × ``access.circuity``). Stations the base
leaves unjoined (the core's metro stations, reached by the points directly) stay so.

Unit seats and zones are snapped to the nearest OSM road node; every snap distance is
written to ``network/snaps.csv``. A seat farther than ``osm.seat_snap_max_km`` from
every road node stops the build with an error naming the unit: the extract does not
cover it. At query time points join the network as on any dataset
(:meth:`~metrocircle.network.model.Network.join`, ``access.*`` parameters); the nearest
candidate of a seat on the road network is the node recorded in the snap table.
"""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle._errors import DataValidationError, Problem
from metrocircle.network.parameters import Parameter, write_parameters
from metrocircle.network.tables import LINK_COLUMNS, write_network_tables

__all__ = ["REPLACED_FILES", "SEAT_SNAP_MAX_KM", "build_osm_dataset"]

SEAT_SNAP_MAX_KM = Parameter(
    "osm.seat_snap_max_km",
    2.0,
    "km",
    "A unit seat is a town centre: in an extract that covers the unit a drivable road lies "
    "well within this distance, so a seat farther from every road node means the extract "
    "does not cover the unit (the build stops rather than join it by a long access leg).",
)
"""Default of the seat snap limit (the CLI's ``--seat-snap-max-km`` replaces the value)."""

REPLACED_FILES = (
    "network_nodes",
    "network_links",
    "network_parameters",
    "network_scenarios",
    "network_build_report",
    # inputs and outputs of the strategic road model that do not describe OSM roads
    "network_calibration",
    "network_road_points",
    "network_road_lengths",
    "network_road_calibration",
)
"""Manifest entries of the base dataset that the OSM dataset writes anew or leaves out."""

KEPT_LINK_MODES = ("rail", "transfer")
"""Link modes taken from the base network as they are (with the station feeder rides)."""


def _manifest_text(
    base_text: str, name: str, entries: dict[str, dict[str, str]], header: str
) -> str:
    """The base manifest with its replaced file tables dropped and the new ones added."""
    blocks = re.split(r"(?m)^(?=\[)", base_text)
    keep = []
    for b in blocks:
        m = re.match(r"\[files\.([A-Za-z0-9_]+)\]", b)
        if m and (m.group(1) in REPLACED_FILES or m.group(1) in entries):
            continue
        keep.append(b)
    pre = re.sub(r'(?m)^name = "[^"]*"', f'name = "{name}"', keep[0], count=1)
    out = [header, pre, *keep[1:]]
    for key, e in entries.items():
        lines = [f"[files.{key}]"]
        lines += [f"{k} = {_q(v)}" for k, v in e.items()]
        out.append("\n".join(lines) + "\n\n")
    return "".join(out).rstrip() + "\n"


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scenarios_text(base_text: str, groups: set[str], extract: str) -> tuple[str, list[str]]:
    """The base scenarios with the modifications of link groups the new network lacks
    (the strategic roads) left out; returns the text and the refs left out."""
    blocks = re.split(r"(?m)^(?=\[\[)", base_text)
    out, dropped = [], []
    for b in blocks:
        if b.startswith("[[scenarios.modifications]]"):
            m = re.search(r'(?m)^ref = "([^"]*)"', b)
            if m and m.group(1) not in groups:
                dropped.append(m.group(1))
                continue
        elif b.startswith("[[scenarios]]"):
            b = re.sub(  # noqa: PLW2901 -- the block, relabelled
                r'(?m)^description = "',
                f'description = "Roads: the OpenStreetMap extract {extract} as mapped, '
                "the same in every scenario (an extract has no opening years). Rail: ",
                b,
                count=1,
            )
        out.append(b)
    note = (
        f"# Rail scenarios of the base dataset on the roads of {extract} (metrocircle network "
        "build --from-dataset).\n# Road modifications of the base dataset are left out: "
        "their links are not in the extract's network.\n"
    )
    return note + "".join(out), sorted(set(dropped))


def _unit_lines(units_csv: Path) -> dict[str, int]:
    with units_csv.open(encoding="utf-8-sig", newline="") as fh:
        return {r.get("code", ""): i for i, r in enumerate(csv.DictReader(fh), start=2)}


def build_osm_dataset(
    osm: Path,
    base: str | Path,
    out: Path,
    *,
    seat_snap_max_km: float | None = None,
    contract: bool = True,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write a dataset folder ``out`` from the extract ``osm`` and the dataset ``base``.

    Parameters
    ----------
    osm
        An OpenStreetMap ``.osm.pbf`` extract covering the base dataset's units.
    base
        An embedded dataset name (``"chongqing"``) or a dataset folder.
    out
        The folder to write (created; existing files of the same names are replaced).
    seat_snap_max_km
        Seat snap limit in km (default :data:`SEAT_SNAP_MAX_KM`).
    contract
        Also build (and cache) the contraction hierarchies of the road and rail
        networks of the root scenarios, so the first query does not pay for them.
    use_cache
        Use the road tables cached for this extract (see
        :func:`~metrocircle.network.osm.cached_network_tables`).

    Returns
    -------
    dict
        Counts: ``nodes, links, road_links, rail_links, station_access_links,
        seats_snapped, zones_snapped, seat_snap_max_m, cached`` (+ ``graph_nodes``,
        ``graph_arcs`` with ``contract``).

    Raises
    ------
    DataValidationError
        A seat farther than the limit from every road node (one problem per unit, naming
        it), or an invalid base dataset.
    """
    from scipy.spatial import cKDTree

    from metrocircle.access.commute import seats
    from metrocircle.access.zones import load_zones
    from metrocircle.geo import MetricProjection
    from metrocircle.network.model import load_network_files, network_paths
    from metrocircle.network.osm import cached_network_tables, file_digest
    from metrocircle.region import load_region

    say = progress or (lambda _msg: None)
    region = load_region(base)
    limit = SEAT_SNAP_MAX_KM.value if seat_snap_max_km is None else float(seat_snap_max_km)
    say(f"reading the network of dataset {region.name}")
    bnodes, blinks, params = load_network_files(region.path, region.manifest)
    rnodes, rlinks, hit = cached_network_tables(osm, progress=say, use_cache=use_cache)
    proj = MetricProjection(region.manifest.metric_crs)
    rx, ry = proj.forward(rnodes["lon"].to_numpy(), rnodes["lat"].to_numpy())
    tree = cKDTree(np.column_stack([rx, ry]))
    rid = rnodes["node_id"].to_numpy()

    # unit seats and zones: the nearest road node, the distance, refusal beyond the limit
    say("snapping unit seats and zones to the roads")
    st = seats(region)
    sx, sy = proj.forward(st["lon"].to_numpy(), st["lat"].to_numpy())
    sd, si = tree.query(np.column_stack([sx, sy]))
    units_file = region.manifest.files["units"].path
    lines = _unit_lines(region.path / units_file)
    far = [
        Problem(
            units_file,
            lines.get(code, 0),
            "seat_lon",
            f"the seat of {code} {name} ({lon:.5f}, {lat:.5f}) is {d / 1000:.1f} km from the "
            f"nearest road of {osm.name}, more than osm.seat_snap_max_km = {limit:g} km: "
            "the extract does not cover this unit (use an extract that does, or raise "
            "--seat-snap-max-km)",
        )
        for code, name, lon, lat, d in zip(
            st["code"], st["name_zh"], st["lon"], st["lat"], sd, strict=True
        )
        if d / 1000.0 > limit
    ]
    if far:
        raise DataValidationError(
            far, summary=f"{len(far)} unit seat(s) are not covered by the roads of {osm.name}"
        )
    snaps = [
        pd.DataFrame(
            {
                "kind": "seat",
                "point_id": st["code"].astype(str),
                "code": st["code"].astype(str),
                "name_zh": st["name_zh"],
                "lon": st["lon"],
                "lat": st["lat"],
                "node_id": rid[si],
                "snap_m": np.round(sd, 1),
            }
        )
    ]
    n_zones = 0
    if region.has_file("network_zones"):
        z = load_zones(region)
        zx, zy = proj.forward(z["lon"].to_numpy(), z["lat"].to_numpy())
        zd, zi = tree.query(np.column_stack([zx, zy]))
        n_zones = len(z)
        snaps.append(
            pd.DataFrame(
                {
                    "kind": "zone",
                    "point_id": z["zone_id"].astype(str),
                    "code": z["code"].astype(str),
                    "name_zh": z["name_zh"],
                    "lon": z["lon"],
                    "lat": z["lat"],
                    "node_id": rid[zi],
                    "snap_m": np.round(zd, 1),
                }
            )
        )

    # the rail layer of the base, its stations joined to the OSM roads
    say("joining the base dataset's rail layer to the roads")
    bmode = blinks["mode"].astype(str)
    cat = blinks["category"].astype(str)
    keep = bmode.isin(KEPT_LINK_MODES) | (cat == "station_feeder")
    kept = blinks[keep]
    fed = blinks.loc[(bmode == "access") & (cat == "station_access"), "from_node"].unique()
    used = set(kept["from_node"]) | set(kept["to_node"]) | set(fed)
    knodes = bnodes[bnodes["node_id"].isin(used)].reset_index(drop=True)
    fst = knodes[knodes["node_id"].isin(set(fed))]
    fx, fy = proj.forward(fst["lon"].to_numpy(), fst["lat"].to_numpy())
    k = max(1, int(params["access.station_k"]))
    fd, fi = tree.query(np.column_stack([fx, fy]), k=k)
    fd, fi = np.asarray(fd).reshape(len(fst), k) / 1000.0, np.asarray(fi).reshape(len(fst), k)
    ok = fd <= params["access.station_max_km"]
    srow, scol = np.nonzero(ok)
    station_ids = fst["node_id"].to_numpy()[srow]
    road_ids = rid[fi[srow, scol]]
    n_acc = int(srow.size)
    acc = pd.DataFrame(
        {
            "link_id": [f"access:{a}:{b}" for a, b in zip(station_ids, road_ids, strict=True)],
            "from_node": station_ids,
            "to_node": road_ids,
            "mode": "access",
            "category": "station_access",
            "ref": "access",
            "group": "access",
            "name_zh": "站点接驳(模型)",
            "length_km": fd[srow, scol] * params["access.circuity"],
            "length_kind": "straight_line_x_circuity",
            "design_speed_kmh": np.nan,
            "minutes": np.nan,
            "source_kind": "modelled",
            "source": "station joined to its nearest OSM road nodes (parameters access.station_k, "
            "access.station_max_km, access.circuity)",
            "status": "open",
            "in_service_year": pd.array([pd.NA] * n_acc, dtype="Int64"),
            "year_basis": "modelled as always present",
            "project_id": "",
            "note": "",
        }
    )
    nodes = pd.concat([rnodes, knodes], ignore_index=True)
    links = pd.concat([rlinks, kept[list(LINK_COLUMNS)], acc], ignore_index=True)
    links["oneway"] = links["oneway"].fillna(False).astype(bool)
    links["in_service_year"] = links["in_service_year"].astype("Int64")

    # the folder: base files, new network files, manifest
    say(f"writing the dataset to {out}")
    out.mkdir(parents=True, exist_ok=True)
    for key, entry in region.manifest.files.items():
        if key in REPLACED_FILES:
            continue
        dst = out / entry.path
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(region.path / entry.path, dst)
    net_dir = out / "network"
    write_network_tables(nodes, links, net_dir, fmt="parquet")
    values = dict(params.values)
    values[SEAT_SNAP_MAX_KM.name] = Parameter(
        SEAT_SNAP_MAX_KM.name, limit, SEAT_SNAP_MAX_KM.unit, SEAT_SNAP_MAX_KM.justification
    )
    write_parameters(values, net_dir / "parameters.toml", groups=params.destination_groups)
    scen_path = network_paths(region.path, region.manifest)["network_scenarios"]
    dropped: list[str] = []
    if scen_path.is_file():
        text, dropped = _scenarios_text(
            scen_path.read_text(encoding="utf-8"), set(links["group"].astype(str)), osm.name
        )
        (net_dir / "scenarios.toml").write_text(text, encoding="utf-8")
    snap = pd.concat(snaps, ignore_index=True)
    snap["lon"], snap["lat"] = snap["lon"].round(7), snap["lat"].round(7)
    snap.to_csv(net_dir / "snaps.csv", index=False)
    digest = file_digest(osm)
    counts: dict[str, Any] = {
        "nodes": len(nodes),
        "links": len(links),
        "road_links": len(rlinks),
        "rail_links": int((links["mode"] == "rail").sum()),
        "station_access_links": n_acc,
        "seats_snapped": len(st),
        "zones_snapped": n_zones,
        "seat_snap_max_m": float(np.max(sd)) if len(sd) else 0.0,
        "cached": int(hit),
    }
    _write_report(net_dir / "build_report.md", osm, digest, region.name, counts, snap, dropped)
    src = f"OpenStreetMap extract {osm.name} (sha256 {digest[:16]})"
    odbl = "road nodes and links © OpenStreetMap contributors, ODbL-1.0"
    entries: dict[str, dict[str, str]] = {
        "network_nodes": {
            "path": "network/nodes.parquet",
            "format": "parquet",
            "crs": "EPSG:4326",
            "units": "degrees WGS84",
            "licence": f"{odbl}; stations as in dataset {region.name}",
            "source": f"{src}: drive network, degree-2 chains joined; stations and external "
            f"points of the rail layer from dataset {region.name}",
        },
        "network_links": {
            "path": "network/links.parquet",
            "format": "parquet",
            "units": "length_km: km; minutes: minutes",
            "licence": f"{odbl}; rail links as in dataset {region.name}",
            "source": f"{src} (roads, one-way where OSM says so); rail, transfer and feeder "
            f"links of dataset {region.name}; station access links modelled",
        },
        "network_parameters": {
            "path": "network/parameters.toml",
            "format": "toml",
            "units": "per parameter",
            "licence": "MIT (metrocircle's own assumptions, each with a one-line justification)",
            "source": f"the parameters of dataset {region.name} plus osm.seat_snap_max_km",
        },
        "network_snaps": {
            "path": "network/snaps.csv",
            "format": "csv",
            "crs": "EPSG:4326",
            "units": "lon/lat: degrees WGS84; snap_m: metres (straight line in metric_crs)",
            "licence": "MIT",
            "source": "nearest OSM road node of every unit seat and zone (network build)",
        },
        "network_build_report": {
            "path": "network/build_report.md",
            "format": "md",
            "licence": "MIT",
            "source": "written by metrocircle network build --from-dataset",
        },
    }
    if (net_dir / "scenarios.toml").is_file():
        entries["network_scenarios"] = {
            "path": "network/scenarios.toml",
            "format": "toml",
            "licence": "facts with sources",
            "source": f"rail scenarios of dataset {region.name}; road modifications left out",
        }
    header = (
        f"# Written by `metrocircle network build --osm {osm.name} --from-dataset "
        f"{region.name}`: the dataset {region.name} with the roads of {osm.name}.\n"
    )
    text = _manifest_text(
        (region.path / "manifest.toml").read_text(encoding="utf-8"),
        f"{region.name}-osm",
        entries,
        header,
    )
    (out / "manifest.toml").write_text(text, encoding="utf-8")
    if contract:
        counts.update(_contract(out, say))
    return counts


def _contract(out: Path, say: Callable[[str], None]) -> dict[str, int]:
    """Load the written dataset as ``--dataset`` does and build the hierarchies its root
    scenarios' road and rail networks query (cached by graph hash)."""
    from metrocircle.access.od import MODE_LINKS, mode_network
    from metrocircle.network.model import load_network, make_engine
    from metrocircle.network.scenarios import load_region_scenarios, scenario_network
    from metrocircle.region import load_region

    say("loading the written dataset back")
    region = load_region(out)
    net = load_network(region)
    roots = [s for s, v in load_region_scenarios(region).items() if not v.base] or ["base"]
    for sid in roots:
        sn = scenario_network(region, sid)
        for m in MODE_LINKS:
            g = mode_network(sn, m).graph
            say(f"contracting the {m} network of {sid}: {g.n_nodes} nodes, {g.n_arcs} arcs")
            make_engine(g)
    return {"graph_nodes": net.graph.n_nodes, "graph_arcs": net.graph.n_arcs}


def _write_report(  # noqa: PLR0917 -- a report of the build's parts
    path: Path,
    osm: Path,
    digest: str,
    base: str,
    counts: dict[str, Any],
    snap: pd.DataFrame,
    dropped: list[str],
) -> None:
    q = snap.groupby("kind")["snap_m"].describe(percentiles=[0.5, 0.95])
    lines = [
        f"# Network of {osm.name} on dataset {base}",
        "",
        f"- extract: `{osm.name}`, sha256 `{digest}`",
        f"- nodes {counts['nodes']:,}, links {counts['links']:,} (roads {counts['road_links']:,}, "
        f"rail {counts['rail_links']:,}, station access {counts['station_access_links']:,})",
        "- roads: the extract's drive network (pyrosm `driving`), degree-2 chains joined, "
        "one-way where OSM tags it (or implies it: motorways, ramps, roundabouts); minutes "
        "MODELLED from length and the road.* speeds (maxspeed where tagged), not observed",
        f"- rail: the stations, lines, transfers and feeder rides of dataset {base}, joined "
        "to the roads by access.station_k / access.station_max_km",
        "- parameters: those of the base dataset; the road speeds there were fitted to the "
        "strategic road model, not to these roads",
        "",
        "## Snap distances (metres, straight line to the nearest road node)",
        "",
        "| points | count | median | p95 | max |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, r in q.iterrows():
        lines.append(
            f"| {kind} | {int(r['count'])} | {r['50%']:.0f} | {r['95%']:.0f} | {r['max']:.0f} |"
        )
    if dropped:
        lines += [
            "",
            "## Scenario modifications left out (their links are not in this network)",
            "",
            ", ".join(f"`{d}`" for d in dropped),
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
