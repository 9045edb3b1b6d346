"""The access CLI apps (CliRunner) and the /api/access router on the embedded dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from metrocircle.api.routes.access import router
from metrocircle.cli.access import access_app, rank_command, scenarios_app
from metrocircle.region import Region

runner = CliRunner()


def test_commute_json_plan_2025(region: Region) -> None:
    res = runner.invoke(access_app, ["commute", "--scenario", "plan-2025", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rows = doc["units"]
    assert {r["code"] for r in rows} == set(region.county_codes)
    assert all(r["minutes_to_centre"] is not None for r in rows)
    assert all(0.0 <= r["modelled_share"] <= 1.0 for r in rows)
    assert any(r["within_60"] for r in rows) and not all(r["within_60"] for r in rows)
    for r in rows:  # the fastest of the two modes, never a third quantity
        both = [m for m in (r["minutes_road"], r["minutes_rail"]) if m is not None]
        assert r["minutes_to_centre"] == min(both)
        assert r["mode"] == ("road" if r["minutes_to_centre"] == r["minutes_road"] else "rail")
    pub = {r["code"]: r["published"] for r in rows}
    assert pub["500120"] is None  # 璧山: nothing published, and never the model's figure
    nanchuan = pub["500119"]
    assert nanchuan["kind"] == "published" and nanchuan["minutes"] == 60.0
    assert nanchuan["mode"] == "road" and nanchuan["source_url"].startswith("http")
    assert set(nanchuan) >= {"minutes", "mode", "statement_date", "source_url", "kind"}
    assert all(p is None or p["kind"] == "published" for p in pub.values())
    t = doc["target"]
    assert t["value_kind"] == "modelled" and t["units"] == 18
    assert t["units_within_60"] == sum(r["within_60"] for r in rows if not r["core"])


def test_unknown_scenario_exits_2() -> None:
    res = runner.invoke(access_app, ["commute", "--scenario", "nope", "--lang", "en"])
    assert res.exit_code == 2
    assert "unknown scenario" in res.output
    res = runner.invoke(access_app, ["commute", "--scenario", "nope", "--lang", "zh"])
    assert res.exit_code == 2
    assert "未知的情景 'nope'" in res.output


def test_scenarios_list_and_compare() -> None:
    res = runner.invoke(scenarios_app, ["list", "--json"])
    assert res.exit_code == 0
    assert {s["id"] for s in json.loads(res.stdout)} >= {"baseline-2020", "plan-2025", "plan-2035"}
    res = runner.invoke(scenarios_app, ["compare", "baseline-2020", "plan-2035", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert all(u["delta_minutes"] <= 0.01 for u in out["units"])


def test_isochrone_and_matrix(tmp_path: Path) -> None:
    f = tmp_path / "iso.geojson"
    res = runner.invoke(
        access_app, ["isochrone", "--from", "500103", "--minutes", "30", "--out", str(f)]
    )
    assert res.exit_code == 0, res.output
    gj = json.loads(f.read_text(encoding="utf-8"))
    assert gj["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    res = runner.invoke(access_app, ["isochrone", "--from", "999999", "--out", str(f)])
    assert res.exit_code == 2
    m = tmp_path / "m.parquet"
    res = runner.invoke(access_app, ["matrix", "--scenario", "baseline-2020", "--out", str(m)])
    assert res.exit_code == 0, res.output
    import pandas as pd

    df = pd.read_parquet(m)
    assert len(df) == 27 * 27 and (df["minutes"] >= 0).all()


def test_rank_command(region: Region) -> None:
    app = typer.Typer()
    app.command("rank")(rank_command)
    app.command("noop")(lambda: None)
    res = runner.invoke(app, ["rank", "--scenario", "plan-2025", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rows = doc["projects"]
    assert rows and all(r["mean_minutes_remove_one"] >= -0.01 for r in rows)
    names = {p.name_zh for p in region.projects}
    assert any(r["name_zh"] in names for r in rows)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


@pytest.fixture(scope="module")
def client(region: Region) -> TestClient:
    app = FastAPI()
    app.state.region = region
    app.include_router(router)
    return TestClient(app)


def test_api_commute_and_errors(client: TestClient) -> None:
    r = client.get("/api/access/commute", params={"scenario": "plan-2025"})
    assert r.status_code == 200
    assert len(r.json()["units"]) == 27
    assert client.get("/api/access/commute", params={"scenario": "nope"}).status_code == 404
    assert client.get("/api/access/commute/123").status_code == 404
    assert client.get("/api/access/commute/500999").status_code == 404
    by_name = client.get("/api/access/commute/璧山").json()
    assert by_name["code"] == "500120"
    r = client.get("/api/access/isochrone", params={"from": "500120", "minutes": 45})
    assert r.status_code == 200 and r.json()["type"] == "FeatureCollection"
    assert (
        client.get("/api/access/isochrone", params={"from": "500120", "minutes": -1}).status_code
        == 422
    )
    layer = client.get("/api/access/network").json()
    assert {f["properties"]["source_kind"] for f in layer["features"]} <= {"sourced", "modelled"}
    assert (
        client.get(
            "/api/access/compare", params={"a": "baseline-2020", "b": "plan-2025"}
        ).status_code
        == 200
    )
