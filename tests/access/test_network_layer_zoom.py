"""The network layer by zoom and view: a metropolitan network is never shipped whole."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from metrocircle.api.routes.access import router
from metrocircle.network.layer import network_layer, simplify_layer
from metrocircle.region import Region


@pytest.fixture(scope="module")
def client(region: Region) -> TestClient:
    app = FastAPI()
    app.state.region = region
    app.include_router(router)
    return TestClient(app)


def test_without_zoom_the_small_layer_is_unchanged(client: TestClient, region: Region) -> None:
    from metrocircle.network.scenarios import scenario_network

    r = client.get("/api/access/network", params={"scenario": "baseline-2020"})
    assert r.status_code == 200
    full = network_layer(region, scenario_network(region, "baseline-2020"))
    assert r.json()["features"] == full["features"]


def test_bbox_keeps_the_view(client: TestClient) -> None:
    full = client.get("/api/access/network").json()
    # the central urban area only
    r = client.get("/api/access/network", params={"bbox": "106.3,29.4,106.8,29.8", "zoom": 10})
    assert r.status_code == 200
    doc = r.json()
    assert 0 < len(doc["features"]) < len(full["features"])
    assert doc["properties"]["features_total"] == len(full["features"])
    assert doc["properties"]["bbox"] == [106.3, 29.4, 106.8, 29.8]
    for f in doc["features"]:
        c = f["geometry"]["coordinates"]
        pts = [c] if f["geometry"]["type"] == "Point" else c
        lons = [p[0] for p in pts]
        lats = [p[1] for p in pts]
        assert min(lons) <= 106.8 and max(lons) >= 106.3
        assert min(lats) <= 29.8 and max(lats) >= 29.4


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "106,29,105,30", "106,29,107,95", "nan,29,107,30"],
)
def test_bad_bbox_is_a_422_naming_the_field(client: TestClient, bbox: str) -> None:
    r = client.get("/api/access/network", params={"bbox": bbox})
    assert r.status_code == 422
    err = r.json()["detail"][0]
    assert err["loc"] == ["query", "bbox"] and bbox in err["msg"]


def test_bad_zoom_is_a_422_naming_the_field(client: TestClient) -> None:
    r = client.get("/api/access/network", params={"zoom": 23})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "zoom"]


def _osm_like(n: int) -> dict[str, Any]:
    """A layer as an OpenStreetMap network gives it: motorway, trunk and ramp lines."""
    feats = []
    for i in range(n):
        ref = ("osm:motorway", "osm:trunk", "osm:motorway_link")[i % 3]
        x = 106.0 + 0.001 * i
        coords = [[x, 29.0], [x + 0.0005, 29.00001], [x + 0.001, 29.0 + 0.0001 * (i % 7)]]
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {"ref": ref, "link_id": f"osm:{i}"},
            }
        )
    return {"type": "FeatureCollection", "features": feats, "properties": {"scenario": "x"}}


def test_low_zoom_keeps_the_main_classes_and_simplifies() -> None:
    layer = _osm_like(300)
    low = simplify_layer(layer, zoom=5)
    assert {f["properties"]["ref"] for f in low["features"]} == {"osm:motorway"}
    assert all(len(f["geometry"]["coordinates"]) == 2 for f in low["features"])  # near-straight
    mid = simplify_layer(layer, zoom=8)
    assert {f["properties"]["ref"] for f in mid["features"]} == {"osm:motorway", "osm:trunk"}
    city = simplify_layer(layer, zoom=12)
    assert len(city["features"]) == 300


def test_the_cap_keeps_the_longest_and_counts_the_rest() -> None:
    layer = _osm_like(300)
    capped = simplify_layer(layer, zoom=12, max_features=50)
    assert len(capped["features"]) == 50 and capped["properties"]["omitted"] == 250
    lengths = sorted((f["geometry"]["coordinates"][-1][1] for f in layer["features"]), reverse=True)
    kept = sorted((f["geometry"]["coordinates"][-1][1] for f in capped["features"]), reverse=True)
    assert kept == lengths[:50]
