"""One library, two faces: `--json` of each access command is the API's JSON for the same question."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from metrocircle.api.routes.access import router
from metrocircle.cli.access import access_app, rank_command, scenarios_app
from metrocircle.region import Region

runner = CliRunner()


def _rank_app() -> typer.Typer:
    app = typer.Typer()
    app.command("rank")(rank_command)
    app.command("noop")(lambda: None)
    return app


@pytest.fixture(scope="module")
def client(region: Region) -> TestClient:
    app = FastAPI()
    app.state.region = region
    app.include_router(router)
    return TestClient(app)


CASES: list[tuple[str, Any, list[str], str, dict[str, Any]]] = [
    (
        "commute",
        access_app,
        ["commute", "--scenario", "plan-2025"],
        "/api/access/commute",
        {"scenario": "plan-2025"},
    ),
    (
        "od",
        access_app,
        ["od", "--from", "璧山", "--to", "渝中区", "--scenario", "plan-2025"],
        "/api/access/od",
        {"from": "璧山", "to": "渝中区", "scenario": "plan-2025"},
    ),
    (
        "compare",
        scenarios_app,
        ["compare", "baseline-2020", "plan-2025"],
        "/api/access/compare",
        {"a": "baseline-2020", "b": "plan-2025"},
    ),
    (
        "isochrone",
        access_app,
        ["isochrone", "--from", "江津", "--minutes", "45", "--scenario", "plan-2025"],
        "/api/access/isochrone",
        {"from": "江津", "minutes": 45, "scenario": "plan-2025"},
    ),
    (
        "ranking",
        None,
        ["rank", "--scenario", "plan-2025"],
        "/api/access/ranking",
        {"scenario": "plan-2025"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_cli_json_is_the_api_document(
    client: TestClient, case: tuple[str, Any, list[str], str, dict[str, Any]]
) -> None:
    name, app, argv, path, params = case
    res = runner.invoke(app if app is not None else _rank_app(), [*argv, "--json"])
    assert res.exit_code == 0, res.output
    cli_doc = json.loads(res.stdout)
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    api_doc = r.json()
    assert cli_doc == api_doc, name
    assert cli_doc  # a document, not an empty answer


def test_od_accepts_names_and_codes(client: TestClient) -> None:
    a = client.get("/api/access/od", params={"from": "500120", "to": "500103"}).json()
    b = client.get("/api/access/od", params={"from": "璧山区", "to": "渝中"}).json()
    assert a == b
    assert a["from"] == "500120" and a["to"] == "500103"
    bad = client.get("/api/access/od", params={"from": "nowhere", "to": "渝中"})
    assert bad.status_code == 404 and "from" in bad.json()["detail"]
    res = runner.invoke(access_app, ["od", "--from", "nowhere", "--to", "渝中"])
    assert res.exit_code == 2 and "from" in res.output
