"""``metrocircle coverage …`` and ``metrocircle site …``: output, JSON, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from metrocircle.cli.coverage import coverage_app, site_app
from metrocircle.coverage.facilities import COLUMNS

app = typer.Typer()
app.add_typer(coverage_app, name="coverage")
app.add_typer(site_app, name="site")
runner = CliRunner()

# test sites only: the seat points of 渝中区 and 璧山区 as they appear in units.csv
ROWS = [
    "r1,渝中测试点,,emergency_reserve,,5000,persons,106.565198,29.555611,test fixture (units.csv seat of 500103)",
    "r2,璧山测试点,,emergency_reserve,,5000,persons,106.22353,29.59472,test fixture (units.csv seat of 500120)",
]


@pytest.fixture
def fac_file(tmp_path: Path) -> Path:
    p = tmp_path / "reserve.csv"
    p.write_text("\n".join([",".join(COLUMNS), *ROWS]) + "\n", encoding="utf-8")
    return p


def test_rescue_json(fac_file: Path) -> None:
    r = runner.invoke(app, ["coverage", "rescue", "--facilities", str(fac_file), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["minutes"] == 60.0
    assert d["facilities"] == 2
    by = {u["code"]: u for u in d["units"]}
    assert by["500103"]["share"] == 1.0
    assert 0 < d["share"] < 1
    n_unc = len(d["uncovered"]["features"])
    assert n_unc > 0
    assert all(not f["properties"]["covered"] for f in d["uncovered"]["features"])


def test_rescue_table_and_minutes(fac_file: Path) -> None:
    r = runner.invoke(
        app,
        ["coverage", "rescue", "--facilities", str(fac_file), "--minutes", "30", "--lang", "en"],
    )
    assert r.exit_code == 0, r.output
    assert "threshold 30 min" in r.stdout
    assert "Yuzhong District" in r.stdout


def test_nth_and_2sfca(fac_file: Path) -> None:
    r = runner.invoke(app, ["coverage", "nth", "--facilities", str(fac_file), "--n", "2", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["n"] == 2
    r = runner.invoke(
        app, ["coverage", "2sfca", "--facilities", str(fac_file), "--decay", "gaussian", "--json"]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["capacity_unit"] == ["persons"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["coverage", "rescue", "--facilities", "/nonexistent.csv"], "file not found"),
        (["coverage", "rescue", "--facilities", "{f}", "--minutes", "-5"], "--minutes"),
        (["coverage", "rescue", "--facilities", "{f}", "--scenario", "nope"], "unknown scenario"),
        (["coverage", "rescue", "--facilities", "{f}", "--type", "school"], "no facility of type"),
        (["coverage", "2sfca", "--facilities", "{f}", "--decay", "cubic"], "--decay"),
        (["site", "lscp"], "exactly one of"),
        (["site", "mclp", "--builtin-candidates", "seats"], "needs --p"),
        (["site", "lscp", "--builtin-candidates", "airports"], "--builtin-candidates"),
        (["site", "pmedian", "--builtin-candidates", "seats", "--p", "99"], "`p`"),
    ],
)
def test_bad_input_exits_2(fac_file: Path, args: list[str], message: str) -> None:
    r = runner.invoke(
        app, [a.replace("{f}", str(fac_file)) for a in args], env={"METROCIRCLE_LANG": "en"}
    )
    assert r.exit_code == 2, r.output
    assert message in r.stderr


def test_bad_file_lists_rows(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(",".join(COLUMNS) + "\nx,甲,,reserve,,,,106,29,s\n", encoding="utf-8")
    r = runner.invoke(app, ["coverage", "rescue", "--facilities", str(p)])
    assert r.exit_code == 2
    assert "bad.csv:2:type:" in r.stderr


def test_site_pmedian_with_existing(fac_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "sites.geojson"
    r = runner.invoke(
        app,
        [
            "site",
            "pmedian",
            "--builtin-candidates",
            "seats",
            "--existing",
            str(fac_file),
            "--p",
            "3",
            "--json",
            "--geojson",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert {"r1", "r2"} <= set(d["selected"])
    assert len(d["selected"]) == 3
    assert d["mean_minutes"] > 0
    gj = json.loads(out.read_text(encoding="utf-8"))
    assert len(gj["features"]) == 3


def test_site_lscp_table() -> None:
    r = runner.invoke(
        app, ["site", "lscp", "--builtin-candidates", "seats", "--minutes", "90", "--lang", "en"]
    )
    assert r.exit_code == 0, r.output
    assert "objective" in r.stdout and "service time 90 min" in r.stdout
