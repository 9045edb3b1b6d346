"""Flood exposure: schematic reaches between stations, townships within the named distance, the map layer."""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from metrocircle.api.app import create_app
from metrocircle.sectors import flood
from metrocircle.settings import Settings

CST = timezone(timedelta(hours=8))
T0 = datetime(2020, 8, 19, 8, tzinfo=CST)
KM_PER_DEG_LAT = 6371.0088 * math.pi / 180


def test_townships_along_a_reach_by_distance_and_unit() -> None:
    reach = flood.Reach("a", "b", ((106.0, 29.0), (106.5, 29.0)), ("500001",))

    def zone(zid: str, code: str, north_km: float) -> dict[str, object]:
        return {
            "zone_id": zid,
            "code": code,
            "name_zh": zid,
            "lon": 106.25,
            "lat": 29.0 + north_km / KM_PER_DEG_LAT,
        }

    zones = [
        zone("near", "500001", 4.0),
        zone("far", "500001", 6.0),
        zone("other-unit", "500002", 1.0),
        zone("on-line", "500001", 0.0),
    ]
    got = flood.townships_along(reach, zones, 5.0)
    assert [t.zone_id for t in got] == ["on-line", "near"]
    assert got[1].distance_km == pytest.approx(4.0, abs=0.05)
    assert [t.zone_id for t in flood.townships_along(reach, zones, 7.0)] == [
        "on-line",
        "near",
        "far",
    ]
    point_only = flood.Reach("c", None, ((106.25, 29.0),), ("500001",))
    assert [t.zone_id for t in flood.townships_along(point_only, zones, 5.0)] == [
        "on-line",
        "near",
    ]


def test_reaches_are_station_to_station_and_labelled_schematic() -> None:
    stations = {s.id: s for s in flood.dataset_stations()}
    r = flood.reaches(stations.values())
    assert "wulong" not in r  # not placed: no geometry
    cuntan = r["cuntan"]
    assert cuntan.geometry == flood.SCHEMATIC == "schematic"
    chang = stations["changshou"]
    assert cuntan.coordinates == (
        (stations["cuntan"].lon, stations["cuntan"].lat),
        (chang.lon, chang.lat),
    )
    assert len(r["qingxichang"].coordinates) == 1  # the last station: its point alone


def test_warning_lists_townships_of_its_reach_within_the_parameter() -> None:
    rules = flood.load_flood_rules()
    assert rules.township_distance_km > 0 and rules.why["why_township_distance_km"]
    stations = flood.dataset_stations()
    zones = flood.dataset_zones()
    assert zones
    readings = [flood.LevelReading("cuntan", T0, 181.0)]
    (w,) = flood.flood_warnings(readings, stations, rules, zones=zones).warnings
    assert w.reach_geometry == "schematic"
    names = [t["name_zh"] for t in w.townships]
    assert names[0] == "寸滩街道"  # the station's own township point, 0 km
    cuntan = next(s for s in stations if s.id == "cuntan")
    assert all(t["unit"] in cuntan.reach_units for t in w.townships)
    assert all(t["distance_km"] <= rules.township_distance_km for t in w.townships)
    narrow = dataclasses.replace(rules, township_distance_km=1.0)
    (n,) = flood.flood_warnings(readings, stations, narrow, zones=zones).warnings
    assert 0 < len(n.townships) < len(w.townships)
    assert {t["zone_id"] for t in n.townships} <= {t["zone_id"] for t in w.townships}
    # the downstream reaches carry their own townships
    chang = w.downstream[0]
    assert chang.station_id == "changshou" and chang.reach_geometry == "schematic"
    assert chang.townships and all(t["unit"] in chang.units for t in chang.townships)
    doc = flood.warnings_document(readings)
    assert doc["township_distance_km"] == rules.township_distance_km
    assert doc["warnings"][0]["townships"] == [dict(t) for t in w.townships]


def test_layer_statuses_and_alerted_reaches() -> None:
    readings = [
        flood.LevelReading("cuntan", T0, 181.0),  # 0.5 m over: yellow
        flood.LevelReading("beibei", T0, 192.5),  # 2 m under: normal
        flood.LevelReading("qingxichang", T0, 170.0),  # no published level
    ]
    doc = flood.layer_document(readings)
    assert doc["type"] == "FeatureCollection" and doc["reach_geometry"] == "schematic"
    st = {
        f["properties"]["id"]: f["properties"]
        for f in doc["features"]
        if f["properties"]["kind"] == "station"
    }
    assert st["cuntan"]["status"] == "yellow" and st["cuntan"]["above_warning_m"] == 0.5
    assert st["beibei"]["status"] == "normal" and st["beibei"]["above_warning_m"] == -2.0
    assert st["qingxichang"]["status"] == "no_level"
    assert st["zhutuo"]["status"] == "no_reading" and st["zhutuo"]["level_m"] is None
    reach = {
        f["properties"]["station_id"]: f
        for f in doc["features"]
        if f["properties"]["kind"] == "reach"
    }
    assert reach["cuntan"]["geometry"]["type"] == "LineString"
    assert all(f["properties"]["geometry_kind"] == "schematic" for f in reach.values())
    alerted = {k for k, f in reach.items() if f["properties"]["alert"]}
    assert alerted == {"cuntan", "changshou", "qingxichang"}
    assert reach["cuntan"]["properties"]["alert"] == "yellow"
    (w,) = doc["warnings"]["warnings"]
    assert w["station_id"] == "cuntan"
    assert w["townships"] == flood.warnings_document(readings)["warnings"][0]["townships"]
    assert w["townships"] and doc["warnings"]["township_distance_km"] > 0


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(Settings(db=f"sqlite:///{tmp_path / 'store.sqlite'}", environment="test"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_layer_endpoint_reads_the_store(client: TestClient) -> None:
    from metrocircle.store.levels import WaterLevelIn, import_levels

    r = client.get("/api/sectors/flood/layer")
    assert r.status_code == 200, r.text
    assert {f["properties"].get("status") for f in r.json()["features"]} >= {"no_reading"}
    store = client.app.state.store  # type: ignore[attr-defined]
    import_levels(store, [WaterLevelIn("cuntan", T0, 181.0)], actor="test")
    doc = client.get("/api/sectors/flood/layer").json()
    cuntan = next(f for f in doc["features"] if f["properties"].get("id") == "cuntan")
    assert cuntan["properties"]["status"] == "yellow"
    (w,) = doc["warnings"]["warnings"]
    assert w["projects"] and w["townships"]  # the layer's warnings carry the exposure
