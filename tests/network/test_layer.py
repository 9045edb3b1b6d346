"""The map layer of the network: lines through their stations in order, clipped to the map's extent."""

from __future__ import annotations

import csv

import pytest
from shapely.geometry import Point, Polygon, box

from metrocircle.network.layer import clip_polyline, network_layer
from metrocircle.region import Region

BOX = box(0.0, 0.0, 10.0, 10.0)


def test_clip_leaving_the_area() -> None:
    parts, stubs = clip_polyline([(5, 5), (8, 5), (20, 5), (30, 5)], ["a", "b", "c", "far"], BOX)
    assert parts == [[(5, 5), (8, 5), (10.0, 5.0)]]
    assert stubs == [{"at": (10.0, 5.0), "towards": "far", "bearing": 90.0}]


def test_clip_entering_and_leaving() -> None:
    # from far west into the area, out to the north
    pts = [(-20, 5), (-5, 5), (5, 5), (5, 25)]
    parts, stubs = clip_polyline(pts, ["west", "w2", "in", "north"], BOX)
    assert parts == [[(0.0, 5.0), (5, 5), (5.0, 10.0)]]
    assert [s["towards"] for s in stubs] == ["west", "north"]
    assert stubs[0]["at"] == (0.0, 5.0) and stubs[0]["bearing"] == 270.0
    assert stubs[1]["at"] == (5.0, 10.0) and stubs[1]["bearing"] == 0.0
    # between two places outside: not drawn, even across the area; no stub
    assert clip_polyline([(-5, 5), (15, 5)], ["w", "e"], BOX) == ([], [])
    # between two places inside: whole, even where it cuts a corner outside
    notch = Polygon([(0, 0), (10, 0), (10, 10), (6, 10), (6, 4), (4, 4), (4, 10), (0, 10)])
    parts, stubs = clip_polyline([(2, 8), (8, 8)], ["a", "b"], notch)
    assert parts == [[(2, 8), (8, 8)]] and stubs == []


def _read(region: Region, key: str) -> list[dict[str, str]]:
    with region.file(key).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module", params=["baseline-2020", "plan-2035"])
def layer(request: pytest.FixtureRequest, region: Region) -> dict:  # type: ignore[type-arg]
    from metrocircle.network.scenarios import scenario_network

    return network_layer(region, scenario_network(region, request.param))


def test_no_vertex_beyond_the_extent(region: Region, layer: dict) -> None:  # type: ignore[type-arg]
    w, s, e, n = (float(v) for v in region.units.total_bounds)
    assert layer["properties"]["extent"] == [w, s, e, n]
    lines = [f for f in layer["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) > 20
    for f in lines:
        for lon, lat in f["geometry"]["coordinates"]:
            assert w - 1e-6 <= lon <= e + 1e-6 and s - 1e-6 <= lat <= n + 1e-6, f["properties"]


def test_external_links_end_in_a_named_stub(region: Region, layer: dict) -> None:  # type: ignore[type-arg]
    nodes = {r["node_id"]: r for r in _read(region, "network_nodes")}
    links = {r["link_id"]: r for r in _read(region, "network_links")}
    stubs = [f for f in layer["features"] if f["properties"].get("kind") == "stub"]
    ext = {
        nodes[r["to_node"]]["name_zh"] if r["to_node"].startswith("ext:") else nodes[r["from_node"]]["name_zh"]
        for f in layer["features"]
        if f["geometry"]["type"] == "LineString"
        for lid in f["properties"]["link_ids"].split(",")
        if (r := links[lid])["category"] == "external"
    }  # fmt: skip
    assert ext, "the scenario draws external links"
    assert ext <= {s["properties"]["towards"] for s in stubs}
    u = region.units
    outline = u[u["level"] != "prefecture"].geometry.union_all().boundary
    for st in stubs:  # on the area's outline
        assert outline.distance(Point(st["geometry"]["coordinates"])) < 1e-5
        assert 0 <= st["properties"]["bearing"] < 360


def test_lines_follow_their_links_in_order(region: Region, layer: dict) -> None:  # type: ignore[type-arg]
    """Each line's vertices are its links' stations in sequence; drawn follows the written rule."""
    nodes = {r["node_id"]: r for r in _read(region, "network_nodes")}
    links = {r["link_id"]: r for r in _read(region, "network_links")}
    w, s, e, n = layer["properties"]["extent"]
    merged = 0
    for f in layer["features"]:
        if f["geometry"]["type"] != "LineString":
            continue
        p = f["properties"]
        ids = p["link_ids"].split(",")
        merged += len(ids) > 1
        chain = [links[ids[0]]["from_node"]]
        for lid in ids:
            lk = links[lid]
            assert lk["from_node"] == chain[-1] and lk["ref"] == p["ref"]
            chain.append(lk["to_node"])
            placed = (
                nodes[lk["from_node"]]["placed"] == "true"
                or nodes[lk["to_node"]]["placed"] == "true"
            )
            want = (
                "sourced"
                if lk["source_kind"] == "sourced"
                or (lk["length_kind"].startswith("sourced") and not placed)
                else "modelled"
            )
            assert p["drawn"] == want, lid
        inside = [
            (round(float(nodes[x]["lon"]), 6), round(float(nodes[x]["lat"]), 6))
            for x in chain
            if w <= float(nodes[x]["lon"]) <= e and s <= float(nodes[x]["lat"]) <= n
        ]
        coords = [tuple(c) for c in f["geometry"]["coordinates"]]
        if not p["clipped"]:
            assert coords == inside
        else:  # clipped: the stations inside appear in order (plus boundary points)
            it = iter(coords)
            assert all(any(c == v for c in it) for v in inside if v in coords)
    assert merged > 10  # lines are sequences, not one segment per link
