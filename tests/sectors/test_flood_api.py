"""Flood endpoints on the real app: the same documents as the CLI, fields named on bad input."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from metrocircle.api.app import create_app
from metrocircle.cli.flood import flood_app
from metrocircle.settings import Settings

runner = CliRunner()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("flood") / "store.sqlite"
    app = create_app(Settings(db=f"sqlite:///{db}"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _cli(args: list[str]) -> object:
    res = runner.invoke(flood_app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_stations_document_is_the_cli_one(client: TestClient) -> None:
    res = client.get("/api/sectors/flood/stations")
    assert res.status_code == 200
    assert res.json() == _cli(["stations"])


def test_warnings_document_is_the_cli_one(client: TestClient, tmp_path: Path) -> None:
    rows = [
        ("dongjintuo", "2020-08-18T20:00:00+08:00", 210.93),
        ("cuntan", "2020-08-19T08:00:00+08:00", 178.0),
    ]
    p = tmp_path / "levels.csv"
    p.write_text(
        "station_id,time,level_m\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows),
        encoding="utf-8",
    )
    body = {"readings": [{"station_id": a, "time": b, "level_m": c} for a, b, c in rows]}
    res = client.post("/api/sectors/flood/warnings", json=body)
    assert res.status_code == 200, res.text
    doc = res.json()
    assert doc == _cli(["warnings", str(p)])
    (w,) = doc["warnings"]  # 寸滩 at 178.0 is 2.5 m under its warning level: no warning
    assert (w["station_id"], w["grade"]) == ("dongjintuo", "orange")
    assert w["above_warning_m"] == 6.0


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        (
            {"station_id": "nowhere", "time": "2020-08-18T20:00:00+08:00", "level_m": 1},
            "station_id",
        ),
        ({"station_id": "cuntan", "time": "2020-08-18T20:00:00", "level_m": 1}, "time"),
        (
            {"station_id": "cuntan", "time": "2020-08-18T20:00:00+08:00", "level_m": "high"},
            "level_m",
        ),
    ],
)
def test_bad_reading_is_named(client: TestClient, reading: dict[str, object], field: str) -> None:
    res = client.post("/api/sectors/flood/warnings", json={"readings": [reading]})
    assert res.status_code == 422
    assert field in res.text
