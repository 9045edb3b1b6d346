"""The map layer of a scenario network: each line drawn where it runs, inside the map's extent.

:func:`network_layer` turns the in-service rail and expressway links of a network into
GeoJSON for the dashboard:

- consecutive links of one line or road (same ``ref``, each starting where the previous
  one ends) become one ``LineString`` through its stations or control points in order, at
  the positions ``nodes.csv`` gives them;
- every feature says how it is drawn, ``drawn``: ``sourced`` (solid) when the link's time
  is published (``source_kind = sourced``), or when its length is published
  (``length_kind`` ``sourced_*``) *and* both end points have a sourced position (a station
  of OpenStreetMap, a seat, a township point: ``placed = false``); ``modelled`` (dashed)
  otherwise — a point placed by a rule (interpolated along a line, a township of the same
  name, an interchange of a control point) or a length from straight line × circuity;
- lines are cut at the area's outline (the union of its county-level units, so inside
  the map's data extent, the ``bounds`` of ``/api/region``): the part beyond it is not
  drawn, and where a line leaves the area a ``Point`` feature ``kind = stub`` on the
  outline names where it goes (``towards``: the farthest station or city of the part
  outside, e.g. 北京 for an external link) and its ``bearing`` (degrees clockwise from
  north), so no segment runs off the map.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from metrocircle.network.model import Network
    from metrocircle.region import Region

import numpy as np

__all__ = [
    "DRAWN_CATEGORIES",
    "LAYER_CLASS_MIN_ZOOM",
    "LAYER_MAX_FEATURES",
    "clip_polyline",
    "drawn_kind",
    "network_layer",
    "simplify_layer",
]

DRAWN_CATEGORIES = ("expressway", "high_speed", "conventional", "suburban", "planned", "external")
"""Link categories the map draws (access legs, ramps and the local mesh are not lines)."""

Pt = tuple[float, float]


def drawn_kind(source_kind: str, length_kind: str, placed_a: bool, placed_b: bool) -> str:
    """``sourced`` or ``modelled``: how the map draws a link (see the module docstring)."""
    if source_kind == "sourced":
        return "sourced"
    if str(length_kind).startswith("sourced") and not placed_a and not placed_b:
        return "sourced"
    return "modelled"


def _bearing(a: Pt, b: Pt) -> float:
    """Degrees clockwise from north of a→b (local, longitude scaled by cos latitude)."""
    dx = (b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    dy = b[1] - a[1]
    return round(math.degrees(math.atan2(dx, dy)) % 360.0, 1)


def _crossing(inside: Pt, outside: Pt, area: BaseGeometry) -> Pt:
    """Where the segment inside→outside first meets the area's boundary."""
    from shapely.geometry import LineString, Point

    hit = LineString([inside, outside]).intersection(area.boundary)
    pts = [hit] if hit.geom_type == "Point" else list(getattr(hit, "geoms", []))
    pts = [q for q in pts if q.geom_type == "Point"]
    if not pts:  # touching only numerically: cut at the inside end
        return inside
    o = Point(inside)
    best = min(pts, key=o.distance)
    return (float(best.x), float(best.y))


def clip_polyline(
    pts: list[Pt], names: list[str], area: BaseGeometry
) -> tuple[list[list[Pt]], list[dict[str, Any]]]:
    """The parts of a polyline on the map's area and the stubs where it leaves or enters it.

    A segment between two vertices in ``area`` is kept whole (it joins two places of the
    area, even where a straight segment cuts a corner outside); a segment from a vertex
    in it to one outside is cut where it first meets the boundary; a segment between two
    vertices outside is not drawn.

    Parameters
    ----------
    pts
        Vertices (lon, lat) in order.
    names
        The name of each vertex (station, control point, city).
    area
        A shapely (multi)polygon in lon/lat degrees.

    Returns
    -------
    parts, stubs
        ``parts``: the pieces drawn, each with ≥ 2 vertices; ``stubs``: one per cut,
        ``{"at": (lon, lat), "towards": name, "bearing": deg}`` — ``towards`` is the
        farthest vertex of the run outside beyond the cut.
    """
    from shapely.prepared import prep

    inside_area = prep(area)
    from shapely.geometry import Point

    ins = [bool(inside_area.covers(Point(p))) for p in pts]
    n = len(pts)
    parts: list[list[Pt]] = []
    stubs: list[dict[str, Any]] = []
    cur: list[Pt] = []

    def far(i: int, step: int) -> str:
        j = i
        while 0 <= j + step < n and not ins[j + step]:
            j += step
        return names[j]

    for i in range(n - 1):
        a, b = pts[i], pts[i + 1]
        if ins[i] and ins[i + 1]:
            if not cur:
                cur = [a]
            cur.append(b)
        elif ins[i]:  # leaves
            cut = _crossing(a, b, area)
            if not cur:
                cur = [a]
            if cut != a:
                cur.append(cut)
            if len(cur) >= 2:
                parts.append(cur)
            cur = []
            stubs.append({"at": cut, "towards": far(i + 1, 1), "bearing": _bearing(a, b)})
        elif ins[i + 1]:  # enters
            cut = _crossing(b, a, area)
            cur = [cut] if cut != b else []
            cur.append(b)
            stubs.append({"at": cut, "towards": far(i, -1), "bearing": _bearing(b, a)})
        else:
            cur = []
    if len(cur) >= 2:
        parts.append(cur)
    return parts, stubs


def _order_key(link_id: str) -> tuple[str, int, str]:
    head, _, tail = str(link_id).rpartition(":")
    return (head, int(tail), "") if tail.isdigit() else (str(link_id), -1, "")


def network_layer(region: Region, net: Network) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the network's lines (clipped) and their boundary stubs.

    Line features carry ``link_id`` (the first link), ``link_ids`` (comma-separated, in
    order), ``mode, category, ref, name_zh, source_kind, length_kind, status, drawn,
    placed_endpoint``; stub features ``kind = stub, towards, bearing, ref, name_zh, mode,
    category, source_kind, drawn``. Coordinates are WGS84 degrees.
    """
    w, s, e, n = (float(v) for v in region.units.total_bounds)
    u = region.units
    area = u[u["level"] != "prefecture"].geometry.union_all()
    nodes = net.nodes_physical.set_index("node_id")
    links = net.links
    keep = links["category"].isin(DRAWN_CATEGORIES).to_numpy() & net.link_active
    rows = links[keep].copy()
    rows["_k"] = [_order_key(x) for x in rows["link_id"]]
    rows = rows.sort_values("_k", kind="stable")

    def placed(nid: str) -> bool:
        return bool(nodes.at[nid, "placed"])

    chains: list[dict[str, Any]] = []
    for lk in rows.to_dict(orient="records"):
        a, b = str(lk["from_node"]), str(lk["to_node"])
        drawn = drawn_kind(str(lk["source_kind"]), str(lk["length_kind"]), placed(a), placed(b))
        props = {
            "mode": lk["mode"],
            "category": lk["category"],
            "ref": lk["ref"],
            "name_zh": lk["name_zh"],
            "source_kind": lk["source_kind"],
            "length_kind": lk["length_kind"],
            "status": lk["status"],
            "drawn": drawn,
        }
        last = chains[-1] if chains else None
        if last is not None and last["props"] == props and last["nodes"][-1] == a:
            last["nodes"].append(b)
            last["ids"].append(str(lk["link_id"]))
            last["placed"] = last["placed"] or placed(b)
        else:
            chains.append(
                {"props": props, "nodes": [a, b], "ids": [str(lk["link_id"])],
                 "placed": placed(a) or placed(b)}
            )  # fmt: skip
    feats: list[dict[str, Any]] = []
    seen_stubs: set[tuple[str, str, float, float]] = set()
    for c in chains:
        pts = [(float(nodes.at[x, "lon"]), float(nodes.at[x, "lat"])) for x in c["nodes"]]
        names = [str(nodes.at[x, "name_zh"]) for x in c["nodes"]]
        parts, stubs = clip_polyline(pts, names, area)
        base = {
            "link_id": c["ids"][0],
            "link_ids": ",".join(c["ids"]),
            **c["props"],
            "placed_endpoint": c["placed"],
            "clipped": bool(stubs),
        }
        for part in parts:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[round(x, 6), round(y, 6)] for x, y in part],
                    },
                    "properties": dict(base),
                }
            )
        for st in stubs:
            lon, lat = round(st["at"][0], 6), round(st["at"][1], 6)
            key = (str(c["props"]["ref"]), st["towards"], round(lon, 2), round(lat, 2))
            if key in seen_stubs:
                continue
            seen_stubs.add(key)
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "kind": "stub",
                        "towards": st["towards"],
                        "bearing": st["bearing"],
                        "ref": c["props"]["ref"],
                        "name_zh": c["props"]["name_zh"],
                        "mode": c["props"]["mode"],
                        "category": c["props"]["category"],
                        "source_kind": c["props"]["source_kind"],
                        "drawn": c["props"]["drawn"],
                    },
                }
            )
    return {
        "type": "FeatureCollection",
        "features": feats,
        "properties": {
            "scenario": net.scenario,
            "data_version": region.data_version,
            "extent": [w, s, e, n],
            "licence": "station points © OpenStreetMap contributors (ODbL-1.0); others see SOURCES",
        },
    }


LAYER_MAX_FEATURES = 6000
"""Most features one network-layer response carries (~1.5 MB of GeoJSON). The embedded
network's layer has a few hundred; an OpenStreetMap network's has tens of thousands of
motorway and trunk links, which a browser cannot draw on every pan. Past the cap the longest
lines are kept and the response says how many were left out (``properties.omitted``)."""

LAYER_CLASS_MIN_ZOOM = {
    "osm:motorway": 0,
    "osm:trunk": 7,
    "osm:motorway_link": 11,
    "osm:trunk_link": 11,
}
"""Lowest web-map zoom at which a line of an OpenStreetMap road class (``ref``) is served.
Zoom 7 is a view of ~300 km (the metropolitan area on a screen): motorways alone there, trunk
roads from one step closer, ramps (``*_link``, a few hundred metres long) only at city
scale. Lines of other references (the embedded network's rail and expressway lines) are
served at every zoom."""

LAYER_PIXEL_DEG_Z0 = 360.0 / 256.0
"""Degrees of longitude per screen pixel at zoom 0 (a 256-pixel Web Mercator tile); each
zoom step halves it. Lines are simplified to half a pixel of the zoom asked for."""


def _line_len(coords: list[list[float]]) -> float:
    xy = np.asarray(coords, dtype=np.float64)
    return float(np.hypot(*np.diff(xy, axis=0).T).sum()) if len(xy) > 1 else 0.0


def simplify_layer(
    layer: dict[str, Any],
    *,
    zoom: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    max_features: int = LAYER_MAX_FEATURES,
) -> dict[str, Any]:
    """The features of :func:`network_layer` a map at ``zoom`` showing ``bbox`` needs.

    ``bbox`` (west, south, east, north, degrees) keeps the features whose bounds meet it; ``zoom``
    drops the road classes of :data:`LAYER_CLASS_MIN_ZOOM` not shown at that zoom and
    simplifies lines to half a pixel (Douglas-Peucker, end points kept). Whatever remains
    is capped at ``max_features`` (longest lines first, stubs of kept lines after). The
    result's ``properties`` say what was applied: ``zoom``, ``bbox``, ``features_total``
    (the full layer's) and ``omitted``. With neither argument and a layer under the cap, the
    layer comes back unchanged.
    """
    import shapely

    feats = layer["features"]
    keep = feats
    if zoom is not None:
        keep = [
            f
            for f in keep
            if LAYER_CLASS_MIN_ZOOM.get(str(f["properties"].get("ref", "")), 0) <= zoom
        ]
    if bbox is not None:
        w, s, e, n = bbox

        def meets(f: dict[str, Any]) -> bool:
            g = f["geometry"]
            xy = np.asarray(g["coordinates"], dtype=np.float64).reshape(-1, 2)
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            return bool(lo[0] <= e and hi[0] >= w and lo[1] <= n and hi[1] >= s)

        keep = [f for f in keep if meets(f)]
    if zoom is not None:
        tol = 0.5 * LAYER_PIXEL_DEG_Z0 / 2.0**zoom
        out = []
        for f in keep:
            g = f["geometry"]
            if g["type"] == "LineString" and len(g["coordinates"]) > 2:
                line = shapely.simplify(shapely.LineString(g["coordinates"]), tol)
                coords = [[round(x, 6), round(y, 6)] for x, y in line.coords]
                out.append({**f, "geometry": {"type": "LineString", "coordinates": coords}})
            else:
                out.append(f)
        keep = out
    omitted = 0
    if len(keep) > max_features:
        lines = [f for f in keep if f["geometry"]["type"] == "LineString"]
        lines.sort(key=lambda f: -_line_len(f["geometry"]["coordinates"]))
        lines = lines[:max_features]
        refs = {str(f["properties"].get("ref")) for f in lines}
        room = max_features - len(lines)
        stubs = [
            f
            for f in keep
            if f["geometry"]["type"] != "LineString" and str(f["properties"].get("ref")) in refs
        ][:room]
        omitted = len(keep) - len(lines) - len(stubs)
        keep = lines + stubs
    if keep is feats and zoom is None and bbox is None:
        return layer
    props = {
        **layer.get("properties", {}),
        "zoom": zoom,
        "bbox": None if bbox is None else list(bbox),
        "features_total": len(feats),
        "omitted": omitted,
    }
    return {"type": "FeatureCollection", "features": keep, "properties": props}
