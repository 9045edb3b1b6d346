"""Road: expressway links between placed control points, and the local road mesh."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from .common import METRIC, Link, Node, first_number, first_year, haversine_km, min_number, read_csv
from .placement import Placer

__all__ = ["ExpresswayResult", "Mesh", "expressway_links", "local_mesh"]


@dataclass
class ExpresswayResult:
    """Expressway links, the count of control points per placement rule, and the per-point log."""

    links: list[Link] = field(default_factory=list)
    placement_log: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    point_log: list[tuple[str, int, str, str, str]] = field(default_factory=list)


def expressway_links(road_dir: Path, placer: Placer, p: dict[str, float]) -> ExpresswayResult:
    """Snap each road's control points to seats / townships / stations and link the placed ones."""
    out = ExpresswayResult()
    roads = {r["road_id"]: r for r in read_csv(road_dir / "expressways.csv")}
    secs: dict[str, list[dict[str, str]]] = defaultdict(list)
    aggs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in read_csv(road_dir / "expressway_sections.csv"):
        (secs if r["seq"].isdigit() else aggs)[r["road_id"]].append(r)
    for road_id, rows in secs.items():
        road = roads.get(road_id)
        if road is None:
            continue
        rows.sort(key=lambda r: int(r["seq"]))
        labels = [rows[0]["from_point_zh"]] + [r["to_point_zh"] for r in rows]
        sec_len = [first_number(r["length_km"]) for r in rows]
        first: list[tuple[Node | None, str]] = []
        near = None
        for lab in labels:
            node, rule = placer.road_point(lab, near)
            first.append((node, rule))
            if node is not None:
                near = (node.lon, node.lat)
        road_units = {n.code for n, _r in first if n is not None and n.kind in ("seat", "township")}
        resolved: list[tuple[int, Node]] = []
        for i, (lab, (node1, rule1)) in enumerate(zip(labels, first, strict=True)):
            node, rule = (
                placer.road_point_by_stem(lab, road_units)
                if rule1 == "unmatched"
                else (node1, rule1)
            )
            out.placement_log[rule] += 1
            out.point_log.append(
                (
                    road_id,
                    i + 1,
                    lab,
                    rule,
                    "" if node is None else f"{node.node_id} {node.name_zh}",
                )
            )
            if node is not None and (not resolved or resolved[-1][1].node_id != node.node_id):
                resolved.append((i, node))
        design = min_number(road["design_speed_kmh"])
        st = road["status"]
        year = first_year(road["opened"])
        basis = (
            "expressways.csv opened"
            if year
            else (
                "no date in the sources; taken as in service before the base year"
                if st == "open"
                else "no date in the sources"
            )
        )
        for k, ((i, a), (j, b)) in enumerate(pairwise(resolved)):
            straight = haversine_km(a.lon, a.lat, b.lon, b.lat)
            spans = sec_len[i:j]
            if spans and all(x is not None for x in spans):
                length, lkind = float(sum(x for x in spans if x is not None)), "sourced_sections"
            else:
                length, lkind = straight * p["road.expressway_circuity"], "straight_line_x_circuity"
            if length < 0.05:
                continue
            out.links.append(
                Link(
                    f"road:{road_id}:{k + 1}",
                    a.node_id,
                    b.node_id,
                    "road",
                    "expressway",
                    road_id,
                    road_id,
                    road["name_zh"],
                    length,
                    lkind,
                    design,
                    None,
                    "modelled",
                    "network/road/expressways.csv + expressway_sections.csv; "
                    + (road["source_url"].split(" ; ")[0] or "no URL"),
                    st,
                    year,
                    basis,
                    extra={"points": f"{labels[i]} → {labels[j]}"},
                )
            )
    return out


@dataclass
class Mesh:
    """The local road mesh: its links, its nodes (seats then townships) and their UTM 48N metres."""

    links: list[Link]
    nodes: list[Node]
    x: np.ndarray
    y: np.ndarray


def local_mesh(seats: dict[str, Node], twps: list[Node], p: dict[str, float]) -> Mesh:
    """Delaunay mesh over seats + townships; edges over ``road.mesh_max_km`` dropped unless in the MST."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import Delaunay

    mesh_nodes = list(seats.values()) + twps
    x, y = METRIC.forward([n.lon for n in mesh_nodes], [n.lat for n in mesh_nodes])
    tri = Delaunay(np.column_stack([x, y]))
    edges: set[tuple[int, int]] = set()
    for s in tri.simplices:
        for u, v in ((s[0], s[1]), (s[1], s[2]), (s[0], s[2])):
            edges.add((int(min(u, v)), int(max(u, v))))
    e = np.array(sorted(edges))
    d_km = np.hypot(x[e[:, 0]] - x[e[:, 1]], y[e[:, 0]] - y[e[:, 1]]) / 1000.0
    mst = minimum_spanning_tree(
        coo_matrix((d_km + 1e-9, (e[:, 0], e[:, 1])), shape=(len(mesh_nodes),) * 2)
    ).tocoo()
    keep = {(int(min(a, b)), int(max(a, b))) for a, b in zip(mst.row, mst.col, strict=False)}
    links: list[Link] = []
    for (u, v), dk in zip(map(tuple, e), d_km, strict=False):
        if dk <= p["road.mesh_max_km"] or (u, v) in keep:
            a, b = mesh_nodes[u], mesh_nodes[v]
            links.append(
                Link(
                    f"local:{a.node_id}:{b.node_id}",
                    a.node_id,
                    b.node_id,
                    "road",
                    "local",
                    "local_mesh",
                    "local_mesh",
                    "地方道路(模型)",
                    float(dk) * p["road.local_circuity"],
                    "straight_line_x_circuity",
                    None,
                    None,
                    "modelled",
                    "modelled local road: Delaunay mesh of township/seat points (parameters road.mesh_max_km, road.local_circuity)",
                    "open",
                    None,
                    "modelled as always present",
                )
            )
    return Mesh(links, mesh_nodes, np.asarray(x), np.asarray(y))
