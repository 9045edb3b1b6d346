"""The air/water/tourism/fiscal typer apps: JSON output and exit status 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle.cli.sectors import air_app, fiscal_app, tourism_app, water_app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _ok(app: object, args: list[str]) -> object:
    res = runner.invoke(app, args)  # type: ignore[arg-type]
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout) if "--json" in args else res.stdout


def _bad(app: object, args: list[str], needle: str) -> None:
    res = runner.invoke(app, args)  # type: ignore[arg-type]
    assert res.exit_code == 2, res.output
    assert needle in res.stderr
    assert "Traceback" not in res.output


def test_air_aqi_daily_and_hourly() -> None:
    out = _ok(air_app, ["aqi", "--pm25", "80", "--pm10", "120", "--json"])
    assert (
        out["aqi"] == 107
        and out["primary_pollutants"] == ["pm2_5"]
        and out["standard"] == "HJ633-2012"
    )
    out26 = _ok(air_app, ["aqi", "--pm25", "80", "--standard", "HJ633-2026", "--json"])
    assert out26["aqi"] == 119
    hr = _ok(air_app, ["aqi", "--hourly", "--so2", "900", "--so2-24h", "300", "--json"])
    assert hr["iaqi"]["so2"] == 124 and hr["report"] == "hourly"
    text = _ok(air_app, ["aqi", "--pm25", "80"])
    assert "轻度污染" in str(text)


def test_air_aqi_bad_input() -> None:
    _bad(air_app, ["aqi", "--pm25", "-3"], "pm2_5")
    _bad(air_app, ["aqi"], "at least one")
    _bad(air_app, ["aqi", "--pm25", "3", "--standard", "X"], "standard")
    _bad(air_app, ["aqi", "--so2-24h", "3"], "--hourly")
    _bad(
        air_app,
        ["aqi", "--o3-8h", "900", "--o3-1h", "900", "--standard", "HJ633-2026"],
        "unconfirmed",
    )


def test_air_import_good_days_stations() -> None:
    sample = str(DATA / "cnemc_2022-01-01T00_cq_ga_rows.csv")
    rows = _ok(air_app, ["import", sample, "--json"])
    assert len(rows) == 34 and not any(r["valid"] for r in rows)  # one hour is not a valid day
    ratio = _ok(air_app, ["good-days", sample, "--json"])
    assert {r["level"] for r in ratio} == {"station", "unit", "area"}
    assert all(r["valid_days"] == 0 and r["ratio_pct"] is None for r in ratio)
    st = _ok(air_app, ["stations", "--json"])
    assert len(st) == 34
    _bad(air_app, ["import", sample, "--level", "city"], "--level")
    _bad(air_app, ["import", str(DATA / "missing.csv")], "cannot be read")


def test_air_warnings_from_files(tmp_path: Path) -> None:
    import csv

    with (DATA / "cnemc_2022-01-01T00_cq_ga_rows.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    yz = next(r for r in rows if r["stationcode"] == "3133A")  # 渝中
    jb = next(r for r in rows if r["stationcode"] == "1420A")  # 江北
    out = []
    for day in ("2025-01-01", "2025-01-02"):
        for h in range(24):
            for r in (yz, jb):
                out.append(dict(r) | {"timepoint": f"{day}T{h:02d}:00:00", "pm2_5": "200"})
    path = tmp_path / "h.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(out)
    eps = _ok(air_app, ["warnings", str(path), "--json"])
    assert len(eps) == 1
    assert eps[0]["tier"] == "yellow" and {u["unit"] for u in eps[0]["units"]} == {
        "500103",
        "500105",
    }
    assert eps[0]["ongoing"]


def test_water_cli(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("section_id,do,nh3_n\nA,7.6,0.1\nB,4,0.1\n", encoding="utf-8")
    out = _ok(water_app, ["classify", str(p), "--json"])
    assert [s["label"] for s in out["sections"]] == ["I", "IV"]
    assert out["share_iii_or_better_pct"] == 50.0
    p.write_text("section_id,do\nA,x\n", encoding="utf-8")
    _bad(water_app, ["classify", str(p)], ":2:do")
    lim = _ok(water_app, ["limits", "--json"])
    assert len(lim) == 23


def test_tourism_cli(tmp_path: Path) -> None:
    areas = _ok(tourism_app, ["areas", "--json"])
    assert len(areas) == 36
    cap = _ok(
        tourism_app,
        [
            "capacity",
            "--area-m2",
            "20000",
            "--m2-per-visitor",
            "20",
            "--open-hours",
            "10",
            "--visit-hours",
            "3",
            "--json",
        ],
    )
    assert cap == {"instantaneous": 1000.0, "daily": 3000.0}
    _bad(
        tourism_app,
        ["capacity", "--area-m2", "1", "--area-m2", "2", "--m2-per-visitor", "1"],
        "--area-m2",
    )
    caps = tmp_path / "caps.csv"
    caps.write_text(
        "scenic_id,capacity_instantaneous,capacity_daily,method,source\nurban_hongyadong,1000,,spatial,test approval\n",
        encoding="utf-8",
    )
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "scenic_id,time,in_park,cumulative_today\nurban_hongyadong,2025-10-01T11:00,920,\n",
        encoding="utf-8",
    )
    w = _ok(tourism_app, ["warnings", str(counts), "--capacities", str(caps), "--json"])
    assert [(x["scenic_id"], x["tier"], x["name_zh"]) for x in w] == [
        ("urban_hongyadong", "orange", "洪崖洞")
    ]
    counts.write_text(
        "scenic_id,time,in_park,cumulative_today\nnowhere,2025-10-01T11:00,920,\n", encoding="utf-8"
    )
    _bad(tourism_app, ["warnings", str(counts), "--capacities", str(caps)], "no capacity")
    tiers = _ok(tourism_app, ["tiers", "--json"])
    assert [t["threshold"] for t in tiers] == [0.8, 0.9, 1.0]


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    p = tmp_path / "ledger.csv"
    p.write_text(
        "area_id,item,year,jurisdiction,amount\n"
        "chuanyu_gaozhu,tax,2020,500112,100.00\nchuanyu_gaozhu,tax,2020,511623,60.00\n"
        "chuanyu_gaozhu,tax,2021,500112,130.00\nchuanyu_gaozhu,tax,2021,511623,75.50\n",
        encoding="utf-8",
    )
    return p


def test_fiscal_cli(ledger: Path) -> None:
    out = _ok(fiscal_app, ["split", str(ledger), "--base-year", "2020", "--json"])
    assert [(r["jurisdiction"], r["allocated"], r["transfer"]) for r in out] == [
        ("500112", "122.75", "-7.25"),
        ("511623", "82.75", "7.25"),
    ]
    out2 = _ok(
        fiscal_app,
        [
            "split",
            str(ledger),
            "--base-year",
            "2020",
            "--shares",
            "500112=0.6,511623=0.4",
            "--json",
        ],
    )
    assert out2[0]["increment_share"] == "27.30"
    _bad(fiscal_app, ["split", str(ledger), "--base-year", "2019"], "base year 2019 missing")
    _bad(
        fiscal_app,
        ["split", str(ledger), "--base-year", "2020", "--shares", "500112=0.6,511623=0.6"],
        "sum to exactly 1",
    )
    areas = _ok(fiscal_app, ["areas", "--json"])
    assert areas[0]["shares"] == {"500112": "0.5", "511623": "0.5"}


def test_tables_wrap_and_print_data_as_written(tmp_path: Path) -> None:
    """Issue 14 item 5: the sector tables are Rich tables that fold a long cell onto more
    lines instead of cutting it at 80 columns, and a section id with brackets in it is shown
    as written (never read as Rich markup); ``--json`` is unchanged."""
    long_id = "S-" + "长江干流寸滩断面" * 6  # far wider than an 80-column table
    p = tmp_path / "s.csv"
    p.write_text(
        f"section_id,do,nh3_n\n[bold]A[/bold],7.6,0.1\n{long_id},4,0.1\n", encoding="utf-8"
    )
    res = runner.invoke(water_app, ["classify", str(p), "--lang", "en"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "\t" not in out and "┃" in out  # a table, not tab-separated lines
    assert "[bold]A[/bold]" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    cells = "".join(
        part.strip() for line in out.splitlines() for part in line.split("│")[1:2]
    )  # the first column, read top to bottom
    assert long_id in cells  # folded over several lines, nothing cut
    again = _ok(water_app, ["classify", str(p), "--json"])
    assert [s["section_id"] for s in again["sections"]] == ["[bold]A[/bold]", long_id]  # type: ignore[index]
    areas = runner.invoke(fiscal_app, ["areas", "--lang", "en"])
    assert areas.exit_code == 0 and "500112 0.5, 511623 0.5" in areas.stdout
