"""The region routes: summary, units (JSON and GeoJSON), targets, projects, observations; bad input → 4xx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from metrocircle.region import Region, load_region
from metrocircle.store import ObservationIn, Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi.testclient import TestClient

    from metrocircle.settings import Settings

    MakeClient = Callable[[Settings], TestClient]
    MakeSettings = Callable[..., Settings]


def _field_named(body: dict[str, Any], field: str) -> bool:
    return any(field in [str(x) for x in e.get("loc", [])] for e in body["detail"])


def test_region_summary(client: TestClient, region: Region) -> None:
    r = client.get("/api/region")
    assert r.status_code == 200
    body = r.json()
    assert body["data_version"] == region.data_version
    assert body["centre"]["unit"] == "500103"
    assert body["n_county_units"] == 27
    assert body["n_targets"] == len(region.targets)
    roles = {x["id"]: x for x in body["roles"]}
    assert roles["core"]["zh"] == "中心城区"
    assert roles["core"]["en"] == "central urban area"
    assert {s["id"] for s in body["statuses"]} == {
        "achieved",
        "on_track",
        "at_risk",
        "off_track",
        "no_data",
    }
    w, s, e, n = body["bounds"]
    assert 104 < w < e < 108
    assert 28 < s < n < 31
    # offline by default: no basemap URL reaches the page
    assert body["basemap"] == {"enabled": False, "url": None, "attribution": None}


def test_region_online_basemap_only_when_switched_on(
    make_client: MakeClient, make_settings: MakeSettings
) -> None:
    bm = make_client(make_settings(online_basemap=True)).get("/api/region").json()["basemap"]
    assert bm["enabled"] is True
    assert bm["url"].startswith("https://")


def test_units_json(client: TestClient, region: Region) -> None:
    units = client.get("/api/units").json()
    assert len(units) == len(region.unit_codes) == 28
    by = {u["code"]: u for u in units}
    assert sum(u["level"] != "prefecture" for u in units) == 27
    assert by["500103"]["name_zh"] == "渝中区"
    assert by["500103"]["population_2020"] == 588717
    assert by["511600"]["level"] == "prefecture"
    # project counts agree with the projects file
    assert sum(u["n_projects"] for u in units) == sum(len(p.units) for p in region.projects)


def test_units_geojson(client: TestClient) -> None:
    r = client.get("/api/units", params={"format": "geojson"})
    assert r.status_code == 200
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 28
    for f in fc["features"]:
        assert f["id"] == f["properties"]["code"]
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        ring = f["geometry"]["coordinates"][0]
        ring = ring[0] if f["geometry"]["type"] == "MultiPolygon" else ring
        lon, lat = ring[0]
        assert 104 < lon < 108 and 28 < lat < 31
    props = {f["id"]: f["properties"] for f in fc["features"]}
    assert props["500112"]["name_en"] == "Yubei District"
    assert props["500103"]["urbanisation_rate_2020_pct"] == 100.0


def test_unit_by_code(client: TestClient) -> None:
    r = client.get("/api/units/511600")
    assert r.status_code == 200
    assert r.json()["name_zh"] == "广安市"


@pytest.mark.parametrize(
    "code", ["999999", "50010", "渝中区", "' OR 1=1 --", "%00", "<script>", "ｃｏｄｅ"]
)
def test_unknown_unit_is_404_naming_the_code(client: TestClient, code: str) -> None:
    r = client.get(f"/api/units/{code}")
    if code == "%00":  # NUL is refused before any route (metrocircle.api.guards)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["path"]
        return
    assert r.status_code == 404
    assert code in r.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/units/..%2F..%2Fetc%2Fpasswd",
        "/api/units/../../etc/passwd",
        "/..%2F..%2Fetc%2Fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/units/..%5C..%5Cwindows",
    ],
)
def test_path_traversal_is_refused(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert 400 <= r.status_code < 500
    assert "root:" not in r.text


def test_overlong_code_is_422_naming_the_field(client: TestClient) -> None:
    r = client.get("/api/units/" + "5" * 100)
    assert r.status_code == 422
    assert _field_named(r.json(), "code")


@pytest.mark.parametrize("fmt", ["xml", "GEOJSON", "", "geojson;drop"])
def test_units_bad_format(client: TestClient, fmt: str) -> None:
    r = client.get("/api/units", params={"format": fmt})
    assert r.status_code == 422
    assert _field_named(r.json(), "format")


def test_targets(client: TestClient, region: Region) -> None:
    targets = client.get("/api/targets").json()
    assert [t["id"] for t in targets] == [t.id for t in region.targets]
    first = targets[0]
    assert first["unit_zh"] and first["unit_en"]
    assert first["direction"] in (">=", "<=", "=")


def test_projects_filters(client: TestClient, region: Region) -> None:
    everything = client.get("/api/projects").json()
    assert len(everything) == len(region.projects)
    tunnels = client.get("/api/projects", params={"type": "tunnel"}).json()
    assert tunnels
    assert len(tunnels) == sum(p.type == "tunnel" for p in region.projects)
    assert all(p["type"] == "tunnel" for p in tunnels)
    yubei = client.get("/api/projects", params={"unit": "500112"}).json()
    assert yubei
    assert all("500112" in p["units"] for p in yubei)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "spaceport"}, "type"),
        ({"type": "x" * 200}, "type"),
        ({"unit": "abc"}, "unit"),
        ({"unit": "999999"}, "unit"),
    ],
)
def test_projects_bad_filters(client: TestClient, params: dict[str, str], field: str) -> None:
    r = client.get("/api/projects", params=params)
    assert r.status_code == 422
    assert _field_named(r.json(), field)


def test_observations_from_the_store(make_client: MakeClient, make_settings: MakeSettings) -> None:
    settings = make_settings()
    with Store(settings.db) as store:
        store.import_observations(
            [
                ObservationIn("heavy_pollution_days", "region", 2023, 3.0, "days", "test source"),
                ObservationIn("heavy_pollution_days", "region", 2024, 2.0, "days", "test source"),
            ],
            submitted_by="tester",
        )
    c = make_client(settings)
    page = c.get("/api/observations").json()
    rows = page["items"]
    assert page["total"] == 2
    assert [(o["period"], o["value"]) for o in rows] == [(2023, 3.0), (2024, 2.0)]
    assert rows[0]["submitted_by"] == "tester"
    assert rows[0]["status"] == "accepted"
    one = c.get(
        "/api/observations", params={"indicator": "heavy_pollution_days", "scope": "region"}
    ).json()
    assert one["total"] == 2
    assert c.get("/api/observations", params={"scope": "500103"}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"scope": "mars"}, "scope"),
        ({"scope": "group:aliens"}, "scope"),
        ({"indicator": "Bad Indicator!"}, "indicator"),
        ({"indicator": "no_such_indicator"}, "indicator"),
        ({"indicator": "a" * 500}, "indicator"),
    ],
)
def test_observations_bad_query(client: TestClient, params: dict[str, str], field: str) -> None:
    r = client.get("/api/observations", params=params)
    assert r.status_code == 422
    assert _field_named(r.json(), field)


def test_huge_body_is_413(client: TestClient) -> None:
    r = client.post("/api/region", content=b"x" * 2_000_000)
    assert r.status_code == 413


@pytest.mark.parametrize("body", [b"\x00\xff\xfe garbage", '{"a": "渝中"}'.encode(), b"[" * 5000])
def test_garbage_bodies_on_read_routes(client: TestClient, body: bytes) -> None:
    for path in ("/api/region", "/api/units", "/api/targets", "/api/evaluation"):
        r = client.post(path, content=body, headers={"content-type": "application/json"})
        # a body with NUL is refused before routing (422 naming the body); others: 405
        assert r.status_code == (422 if b"\x00" in body else 405)


def test_operation_ids_are_stable_and_unique(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    ops = {
        (method, path): op["operationId"]
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    assert len(set(ops.values())) == len(ops)
    assert ops[("get", "/api/region")] == "get_region"
    assert ops[("get", "/api/units")] == "list_units"
    assert ops[("get", "/api/units/{code}")] == "get_unit"
    assert ops[("get", "/api/targets")] == "list_targets"
    assert ops[("get", "/api/projects")] == "list_projects"
    assert ops[("get", "/api/observations")] == "list_observations"
    assert ops[("get", "/api/evaluation")] == "list_evaluations"
    assert ops[("get", "/api/evaluation/{target_id}")] == "get_evaluation"


def test_dashboard_is_served(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "app.js" in r.text
    js = client.get("/app.js")
    assert js.status_code == 200
    # offline: the bundle names no tile server or CDN (the basemap URL comes from settings)
    for host in ("tile.openstreetmap.org", "unpkg.com", "cdn.jsdelivr", "api.mapbox.com"):
        assert host not in js.text


def test_region_fixture_is_the_served_region(region: Region) -> None:
    assert load_region("chongqing").data_version == region.data_version


def test_cache_is_bounded_and_leaves_other_state_alone() -> None:
    from types import SimpleNamespace

    from metrocircle.api.routes import core
    from metrocircle.cache import ResultCache

    results = ResultCache()
    results.put("v1", "sectors.unit_adjacency", "EPSG:32648", {"kept": True})  # another route's
    state = SimpleNamespace(results=results, region=SimpleNamespace(data_version="v1"))
    request: Any = SimpleNamespace(app=SimpleNamespace(state=state))
    calls: list[int] = []
    for i in range(core._CACHE_MAX + 5):
        assert core.cached(request, ("k", i), lambda i=i: calls.append(i) or i * 2) == i * 2
    assert core.cached(request, ("k", core._CACHE_MAX + 4), lambda: -1) == (core._CACHE_MAX + 4) * 2
    assert len(calls) == core._CACHE_MAX + 5  # the last lookup was a hit
    assert results.size(core._CACHE_KEY) == core._CACHE_MAX
    assert results.lookup("v1", core._CACHE_KEY, ("k", 0)) == (False, None)  # oldest dropped
    assert results.lookup("v1", "sectors.unit_adjacency", "EPSG:32648") == (True, {"kept": True})
    state.region = SimpleNamespace(data_version="v2")  # another dataset: computed anew
    assert core.cached(request, ("k", 1), lambda: -2) == -2


@pytest.mark.parametrize(
    ("request_kw", "where"),
    [
        ({"method": "GET", "url": "/api/observations?scope=500103%00"}, "query"),
        (
            {
                "method": "POST",
                "url": "/api/auth/token",
                "content": b"username=a%00&password=b",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
            "body",
        ),
        (
            {
                "method": "POST",
                "url": "/api/observations",
                "content": b'{"note": "x\\u0000"}',
                "headers": {"content-type": "application/json"},
            },
            "body",
        ),
    ],
)
def test_nul_is_refused_everywhere_naming_where(
    client: TestClient, request_kw: dict[str, Any], where: str
) -> None:
    """PostgreSQL cannot store U+0000 and no field needs it: one guard refuses it up front."""
    r = client.request(**request_kw)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == [where]


def test_a_json_backslash_before_u0000_is_not_nul(client: TestClient) -> None:
    """The text '\\u0000' (an escaped backslash, then u0000) is not a NUL and passes the guard."""
    r = client.post(
        "/api/observations",
        content=b'{"observations": [], "note": "x\\\\u0000"}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 401  # reached the route, which wants a login
