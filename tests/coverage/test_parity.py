"""One library, two faces: ``metrocircle coverage|site … --json`` and ``/api/coverage/…`` give one document.

For every question both faces answer (rescue circle, n-th nearest, 2SFCA, the three siting
models) the CLI is run on a facility file and the API on the same facilities inline; the
two JSON documents must be equal, key for key and row for row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from metrocircle.api.routes.coverage import router
from metrocircle.cli.coverage import coverage_app, site_app
from metrocircle.coverage.facilities import COLUMNS
from metrocircle.region import Region

app = typer.Typer()
app.add_typer(coverage_app, name="coverage")
app.add_typer(site_app, name="site")
runner = CliRunner()

# test sites only: the seat points of 渝中区 and 璧山区 as they appear in units.csv
FAC: list[dict[str, Any]] = [
    {
        "id": "r1",
        "name_zh": "渝中测试点",
        "name_en": "Yuzhong test site",
        "type": "emergency_reserve",
        "capacity": 5000,
        "capacity_unit": "persons",
        "lon": 106.565198,
        "lat": 29.555611,
        "source": "test fixture (units.csv seat of 500103)",
    },
    {
        "id": "r2",
        "name_zh": "璧山测试点",
        "name_en": "Bishan test site",
        "type": "emergency_reserve",
        "capacity": 5000,
        "capacity_unit": "persons",
        "lon": 106.22353,
        "lat": 29.59472,
        "source": "test fixture (units.csv seat of 500120)",
    },
]

# (CLI arguments after the file option, API path, API body without the facilities)
PAIRS: list[tuple[str, list[str], str, dict[str, Any]]] = [
    ("rescue", ["coverage", "rescue", "--facilities", "{f}"], "/rescue", {"facilities": FAC}),
    (
        "rescue-30-gcj",
        ["coverage", "rescue", "--facilities", "{f}", "--minutes", "30"],
        "/rescue",
        {"facilities": FAC, "minutes": 30},
    ),
    (
        "nth",
        ["coverage", "nth", "--facilities", "{f}", "--n", "2"],
        "/nth",
        {"facilities": FAC, "n": 2},
    ),
    (
        "2sfca",
        ["coverage", "2sfca", "--facilities", "{f}", "--decay", "linear"],
        "/2sfca",
        {"facilities": FAC, "decay": "linear"},
    ),
    (
        "lscp",
        ["site", "lscp", "--builtin-candidates", "seats", "--minutes", "90"],
        "/site",
        {"model": "lscp", "builtin_candidates": "seats", "minutes": 90},
    ),
    (
        "mclp",
        ["site", "mclp", "--builtin-candidates", "seats", "--p", "3", "--existing", "{f}"],
        "/site",
        {"model": "mclp", "builtin_candidates": "seats", "p": 3, "existing": FAC},
    ),
    (
        "pmedian",
        ["site", "pmedian", "--builtin-candidates", "seats", "--p", "3", "--existing", "{f}"],
        "/site",
        {"model": "pmedian", "builtin_candidates": "seats", "p": 3, "existing": FAC},
    ),
]


@pytest.fixture(scope="module")
def fac_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("parity") / "reserve.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        w.writeheader()
        for row in FAC:
            w.writerow({c: row.get(c, "") for c in COLUMNS})
    return p


@pytest.fixture(scope="module")
def client(region: Region) -> Iterator[TestClient]:
    api = FastAPI()
    api.state.region = region
    api.include_router(router)
    with TestClient(api, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("case", PAIRS, ids=[p[0] for p in PAIRS])
def test_cli_json_is_the_api_document(
    case: tuple[str, list[str], str, dict[str, Any]], fac_file: Path, client: TestClient
) -> None:
    name, args, path, body = case
    r = runner.invoke(app, [*(a.replace("{f}", str(fac_file)) for a in args), "--json"])
    assert r.exit_code == 0, r.output
    cli_doc = json.loads(r.stdout)
    resp = client.post(f"/api/coverage{path}", json=body)
    assert resp.status_code == 200, resp.text
    api_doc = resp.json()
    assert list(cli_doc) == list(api_doc)  # same keys, same order
    assert cli_doc == api_doc  # same rows
    # the document is not empty: the question was answered
    assert cli_doc["scenario"] == "base"
    rows = cli_doc.get("units") or cli_doc.get("selected")
    assert rows, name


def test_unknown_scenario_is_refused_by_both(fac_file: Path, client: TestClient) -> None:
    r = runner.invoke(
        app, ["coverage", "rescue", "--facilities", str(fac_file), "--scenario", "nope"]
    )
    assert r.exit_code == 2 and "unknown scenario 'nope'" in r.stderr
    resp = client.post("/api/coverage/rescue", json={"facilities": FAC, "scenario": "nope"})
    assert resp.status_code == 404 and "unknown scenario 'nope'" in resp.json()["detail"]


def test_table_speaks_both_languages(fac_file: Path) -> None:
    zh = runner.invoke(app, ["coverage", "nth", "--facilities", str(fac_file), "--lang", "zh"])
    en = runner.invoke(app, ["coverage", "nth", "--facilities", str(fac_file), "--lang", "en"])
    assert zh.exit_code == en.exit_code == 0, zh.output + en.output
    assert "至第 2 近设施的时间" in zh.stdout and "渝中区" in zh.stdout
    assert "time to facility #2 of 2" in en.stdout and "Yuzhong District" in en.stdout
    bad = runner.invoke(app, ["coverage", "nth", "--facilities", str(fac_file), "--lang", "fr"])
    assert bad.exit_code == 2 and "--lang" in bad.stderr
