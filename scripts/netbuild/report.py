"""Sections of build_report.md: the header, seat distances to the centre, control points."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from metrocircle.network.parameters import DEFAULT_PARAMETERS

from .common import DATASET, haversine_km, read_csv

__all__ = ["control_point_markdown", "seat_distance_markdown"]


def control_point_markdown(point_log: list[tuple[str, str, str, str, str]]) -> str:
    """Per expressway control point: the rule that placed it and the node it was placed at."""
    lines = [
        "",
        "## Expressway control points",
        "",
        "Rules: listed_seat / listed_township (explicit rows of network/road_points.csv, each with",
        "its basis; fractional seq = a junction named by another road, inserted); seat / township /",
        "station (first pass, by exact name); seat_direction and township_stem_in_road_units (second",
        "pass, see Placer.road_point_by_stem); border_crossing / border_nearest (BorderPlacer);",
        "border, unlabelled and unmatched points get no node and the road runs between its placed points.",
        "",
        "| road_id | seq | control point | rule | node |",
        "|---|---|---|---|---|",
    ]
    for road_id, seq, label, rule, node in point_log:
        lines.append(f"| {road_id} | {seq} | {label.replace('|', '/')} | {rule} | {node} |")
    return "\n".join(lines) + "\n"


def seat_distance_markdown(shared: Path, dataset: Path = DATASET) -> str:
    """Sanity check: modelled road km/min seat → centre vs the published seat distances.

    Uses the base-year road network (links open by ``network.base_year``) with the fitted
    parameters just written. The modelled km is the length of the fastest road path from
    the seat node to the network node nearest the manifest centre. The published figures
    are mostly "距…XX公里" of unclear kind and reference point (seat_distances.csv): they
    are reported, never fitted.
    """
    import tomllib
    from dataclasses import replace

    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    from metrocircle.network.model import compile_network, load_network_files

    manifest = tomllib.loads((dataset / "manifest.toml").read_text(encoding="utf-8"))
    clon, clat = float(manifest["centre"]["lon"]), float(manifest["centre"]["lat"])
    nodes_df, links_df, params = load_network_files(dataset)
    net = compile_network(nodes_df, links_df, params)
    base_year = int(params["network.base_year"])
    yr = net.links["in_service_year"]
    act = (net.links["status"] == "open").to_numpy() & (
        yr.isna() | (yr.fillna(0) <= base_year)
    ).to_numpy()
    net = replace(net, link_active=act).subset(("road", "access"))
    on = net.arc_active
    src, dst = net.arc_src[on], net.arc_dst[on]
    mins, lk = net.arc_minutes[on].astype(float), net.arc_link[on]
    n = len(net.nodes)
    # keep the fastest of parallel arcs (a mesh edge and an expressway between the same nodes)
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for a, b, m, li in zip(src.tolist(), dst.tolist(), mins.tolist(), lk.tolist(), strict=True):
        if (a, b) not in best or m < best[(a, b)][0]:
            best[(a, b)] = (m, li)
    keys = np.array(list(best), dtype=np.int64).reshape(-1, 2)
    vals = np.array([v[0] for v in best.values()]) + 1e-9
    graph = coo_matrix((vals, (keys[:, 0], keys[:, 1])), shape=(n, n)).tocsr()
    lengths = net.links["length_km"].to_numpy(dtype=float)
    nl = net.nodes
    centre = int(np.argmin((nl["lon"].to_numpy() - clon) ** 2 + (nl["lat"].to_numpy() - clat) ** 2))
    # paths towards the centre: search the reversed graph from the centre
    dist, pred = dijkstra(graph.T.tocsr(), indices=centre, return_predecessors=True)
    seat_idx = {
        str(c): int(i)
        for i, (k, c) in enumerate(zip(nl["kind"], nl["code"], strict=True))
        if k == "seat"
    }

    def road_km(i: int) -> float:
        km, x = 0.0, i
        while x != centre and pred[x] >= 0:
            li = best[(x, int(pred[x]))][1]
            km += float(lengths[li]) if li >= 0 else 0.0
            x = int(pred[x])
        return km

    out = [
        "",
        "## Seat distances to the centre (sanity check, not calibration targets)",
        "",
        f"Modelled: fastest road path on the {base_year} network from the unit seat node to the node",
        f"nearest the centre ({manifest['centre']['name_zh']}); straight line seat → centre. Published:",
        "seat_distances.csv rows towards the centre of Chongqing with a km figure; most are",
        '"距…XX公里" of unclear kind and reference point (主城区, 朝天门, 市区 …).',
        "",
        "| unit | published km | kind | qualifier | reliability | straight km | modelled road km | modelled road min | straight-line km/h |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    fast = []
    for r in read_csv(shared / "network" / "road" / "seat_distances.csv"):
        if r["to_code"] != "500103" or not r["km"]:
            continue
        code = "511602" if r["from_code"] == "511600" else r["from_code"]
        i = seat_idx.get(code)
        if i is None:
            continue
        straight = haversine_km(float(nl["lon"].iloc[i]), float(nl["lat"].iloc[i]), clon, clat)
        minutes = float(dist[i])
        kmh = straight / minutes * 60.0 if minutes > 0 else float("nan")
        if kmh > DEFAULT_PARAMETERS["road.expressway_default_design_kmh"].value * 1.5:
            fast.append(r["from_zh"])
        out.append(
            f"| {r['from_zh']} | {r['km']} | {r['kind']} | {r['qualifier']} | {r['reliability']} "
            f"| {straight:.1f} | {road_km(i):.1f} | {minutes:.0f} | {kmh:.0f} |"
        )
    out += [
        "",
        "Straight-line km/h is the seat → centre distance over the modelled minutes; no row "
        "exceeds 1.5 × the default expressway design speed."
        if not fast
        else "Rows faster in straight line than 1.5 × the default expressway design speed: "
        + ", ".join(fast),
        "",
    ]
    return "\n".join(out)
