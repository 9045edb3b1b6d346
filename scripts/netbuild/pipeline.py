"""The build: run every step in order and write the network files and the report.

Steps (one module each): sources (seats, townships) → rail (stations, placement, line
links) → road (expressways, local mesh) → access (station links) → external (sourced
long-distance links) → writers / zones / scenarios → calibration and report.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from metrocircle.network.parameters import DEFAULT_PARAMETERS, write_parameters

from .access import metro_open_years, station_access_links, station_feeder_links
from .common import DATASET, ROOT, Link, Node, read_csv
from .external import external_links, external_nodes
from .metro import (
    NOT_BUILT,
    drop_replaced,
    interchange_links,
    load_metro,
    metro_links,
    metro_nodes,
    replace_registry_lines,
)
from .placement import Placer
from .projects import project_links
from .rail import load_rail, osm_stations, place_stations, rail_links
from .report import control_point_markdown, seat_distance_markdown
from .road import expressway_links, load_border, load_point_rules, load_spans, local_mesh
from .scenarios import write_scenarios
from .sources import load_seats, load_townships
from .writers import write_links, write_nodes
from .zones import write_zones

__all__ = ["build", "main"]


def build(shared: Path, *, dataset: Path = DATASET, calibrate: bool = True) -> dict[str, int]:
    """Build every network file of ``dataset``/network; return counts for the report."""
    p = {k: v.value for k, v in DEFAULT_PARAMETERS.items()}
    out = dataset / "network"
    out.mkdir(parents=True, exist_ok=True)
    net = shared / "network"
    seats, unit_names = load_seats(dataset / "units.csv")
    twps = load_townships(shared / "townships" / "township_points_cq_metro_27.csv", set(seats))

    rail_src = load_rail(net / "rail")
    stations = osm_stations(rail_src, seats, twps, p["placement.unit_snap_max_km"])
    placer = Placer(seats, unit_names, twps, stations)
    dropped = place_stations(rail_src, stations, placer, seats=seats, twps=twps, p=p)

    metro_src = load_metro(shared / "metro")
    metro = metro_nodes(metro_src, seats, twps, p["placement.unit_snap_max_km"])
    registry_names = {
        lid: [r["station_name_zh"] for r in rows] for lid, rows in rail_src.seq_by_line.items()
    }
    replaced = replace_registry_lines(metro_src, metro, registry_names, stations)

    links: list[Link] = drop_replaced(rail_links(rail_src, stations, p), replaced)
    links += metro_links(metro_src, metro, p)
    links += interchange_links(metro, stations, p)
    walks: dict[str, set[str]] = {}
    for lk in links:
        if lk.mode == "transfer":
            walks.setdefault(lk.from_node, set()).add(lk.to_node)
            walks.setdefault(lk.to_node, set()).add(lk.from_node)
    links += station_feeder_links(stations, metro, walks, metro_open_years(links), p)
    point_rules, overview = load_point_rules(out / "road_points.csv", seats, twps)
    expressways = expressway_links(
        net / "road",
        placer,
        p,
        point_rules=point_rules,
        overview=overview,
        spans=load_spans(out / "road_lengths.csv"),
        border=load_border(dataset / "boundaries.geojson", p["road.border_snap_max_km"]),
    )
    links += expressways.links
    core = frozenset(
        r["code"] for r in read_csv(dataset / "units.csv") if "core" in r.get("roles", "")
    )
    mesh = local_mesh(seats, twps, p, core)
    links += mesh.links
    all_stations = {n.node_id: n for n in [*stations.values(), *metro.values()]}
    plinks, pnodes = project_links(
        seats, twps, list(all_stations.values()), core, {lk.group for lk in links}, p
    )
    links += plinks
    all_stations.update({n.node_id: n for n in pnodes})
    # metro stations of the core are joined by the points directly (model.join); feeder
    # links to the township mesh there would let trips chain through stations as if
    # access legs were a line-haul mode
    fed = {k: n for k, n in all_stations.items() if not (k.startswith("metro:") and n.code in core)}
    links += station_access_links(fed, mesh, p)
    ext_nodes = external_nodes()
    links += external_links(read_csv(net / "calibration_times.csv"), stations, ext_nodes)

    # only nodes used by links are written (plus every seat and township)
    all_nodes: dict[str, Node] = {}
    for n in [
        *seats.values(),
        *twps,
        *all_stations.values(),
        *ext_nodes.values(),
        *expressways.nodes,
    ]:
        all_nodes[n.node_id] = n
    used = {lk.from_node for lk in links} | {lk.to_node for lk in links}
    nodes = [n for n in all_nodes.values() if n.node_id in used or n.kind in ("seat", "township")]

    write_nodes(nodes, out / "nodes.csv")
    write_links(links, out / "links.csv")
    write_parameters(DEFAULT_PARAMETERS, out / "parameters.toml")
    write_zones(shared, twps, out / "zones.csv")
    write_scenarios(links, out / "scenarios.toml")
    counts = {
        "nodes": len(nodes),
        "links": len(links),
        "stations": sum(1 for n in nodes if n.kind == "station"),
        "stations_placed": sum(1 for n in nodes if n.kind == "station" and n.placed),
        "stations_dropped": len(dropped),
    }
    report = [
        "# Network build report (generated by scripts/build_network.py)",
        "",
        f"- nodes: {counts['nodes']} ({counts['stations']} stations, of which {counts['stations_placed']} placed by rule)",
        f"- links: {counts['links']} (rail {sum(lk.mode == 'rail' for lk in links)}, road {sum(lk.mode == 'road' for lk in links)}, access {sum(lk.mode == 'access' for lk in links)})",
        f"- sourced links (published time): {sum(lk.source_kind == 'sourced' for lk in links)}; all others modelled",
        f"- urban rail (metro data): {len(metro)} stations, {sum(lk.link_id.startswith('metro:') for lk in links)} links, {sum(lk.mode == 'transfer' for lk in links)} interchange walks; registry lines replaced by it: {', '.join(sorted(replaced)) or 'none'}; services left out: "
        + "; ".join(f"{k} ({v})" for k, v in NOT_BUILT.items()),
        f"- stations that could not be placed (no placed neighbour on one side; left out): {', '.join(dropped) or 'none'}",
        "- expressway control points by rule: "
        + ", ".join(f"{k} {v}" for k, v in sorted(expressways.placement_log.items())),
        "",
    ]
    (out / "build_report.md").write_text("\n".join(report), encoding="utf-8")
    if calibrate:
        from metrocircle.network.calibration import calibrate_dataset

        cal = calibrate_dataset(dataset, shared / "network" / "calibration_times.csv", write=True)
        with (out / "build_report.md").open("a", encoding="utf-8") as fh:
            fh.write(cal.report_markdown())
    with (out / "build_report.md").open("a", encoding="utf-8") as fh:
        fh.write(seat_distance_markdown(shared, dataset))
        fh.write(control_point_markdown(expressways.point_log))
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(
        description="Build the embedded strategic network of the Chongqing dataset."
    )
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--dataset", type=Path, default=DATASET, help="dataset folder to write into")
    ap.add_argument("--no-calibrate", action="store_true")
    a = ap.parse_args(argv)
    counts = build(a.shared, dataset=a.dataset, calibrate=not a.no_calibrate)
    print(counts)
    return 0
