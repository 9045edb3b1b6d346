"""One library, two faces: ``metrocircle air|water|tourism|fiscal … --json`` and ``/api/sectors/…``.

For every sector question both faces answer, the CLI on files and the API on the same
values (a request body, or the same files placed in the dataset) give one document:
same keys, same rows. The data are test fixtures built from the CNEMC sample in
``tests/sectors/data`` and made-up ledgers, counts and sections.
"""

from __future__ import annotations

import csv
import json
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from metrocircle.cli.sectors import air_app, fiscal_app, tourism_app, water_app

DATA = Path(__file__).parent / "data"
runner = CliRunner()
PASSWORD = "Jialing-river-bridge-2026"


def _hourly(path: Path) -> Path:
    """Two days of 24 hours at 渝中 and 江北 with PM2.5 at 200 µg/m³ (a joint episode)."""
    with (DATA / "cnemc_2022-01-01T00_cq_ga_rows.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    pick = [r for r in rows if r["stationcode"] in ("3133A", "1420A")]
    assert len(pick) == 2
    out = [
        dict(r) | {"timepoint": f"{day}T{h:02d}:00:00", "pm2_5": "200"}
        for day in ("2025-01-01", "2025-01-02")
        for h in range(24)
        for r in pick
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(out)
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Path, Path]]:
    """A full app on a dataset copy holding hourly air files, with an admin's token."""
    from metrocircle.api.app import create_app
    from metrocircle.data import get_path
    from metrocircle.settings import Settings
    from metrocircle.store import Store

    tmp = tmp_path_factory.mktemp("sector-parity")
    dataset = tmp / "dataset"
    shutil.copytree(get_path("chongqing"), dataset)
    hourly = _hourly(dataset / "sectors" / "air_hourly" / "h.csv")
    url = f"sqlite:///{tmp / 'store.sqlite'}"
    with Store(url) as store:
        store.add_user("joint-office", role="admin", password=PASSWORD, actor="test")
    app = create_app(Settings(environment="test", db=url, dataset=str(dataset)))
    with TestClient(app, raise_server_exceptions=False) as c:
        token = c.post(
            "/api/auth/token", data={"username": "joint-office", "password": PASSWORD}
        ).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        yield c, dataset, hourly


Pair = Callable[[TestClient, Path, Path, Path], tuple[Any, Any]]


def _cli(app: Any, args: list[str]) -> Any:
    r = runner.invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _api(c: TestClient, method: str, path: str, body: Any = None) -> Any:
    r = c.request(method, f"/api/sectors{path}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _aqi_daily(c: TestClient, _d: Path, _h: Path, _t: Path) -> tuple[Any, Any]:
    cli = _cli(air_app, ["aqi", "--pm25", "80", "--pm10", "120", "--no2", "50"])
    api = _api(c, "POST", "/air/aqi", {"concentrations": {"pm2_5": 80, "pm10": 120, "no2": 50}})
    return cli, api


def _aqi_hourly(c: TestClient, _d: Path, _h: Path, _t: Path) -> tuple[Any, Any]:
    cli = _cli(air_app, ["aqi", "--hourly", "--no2", "250", "--o3-1h", "300"])
    body = {"report": "hourly", "concentrations": {"no2": 250, "o3_1h": 300}}
    return cli, _api(c, "POST", "/air/aqi", body)


def _good_days(c: TestClient, d: Path, h: Path, _t: Path) -> tuple[Any, Any]:
    cli = _cli(air_app, ["good-days", str(h), "--dataset", str(d)])
    return cli, _api(c, "GET", "/air/good-days")


def _air_daily(level: str) -> Pair:
    def pair(c: TestClient, d: Path, h: Path, _t: Path) -> tuple[Any, Any]:
        cli = _cli(air_app, ["import", str(h), "--dataset", str(d), "--level", level])
        return cli, _api(c, "GET", f"/air/daily?level={level}")

    return pair


def _air_warnings(c: TestClient, d: Path, h: Path, _t: Path) -> tuple[Any, Any]:
    cli = _cli(air_app, ["warnings", str(h), "--dataset", str(d)])
    return cli, _api(c, "GET", "/air/warnings")


def _air_warnings_days(c: TestClient, d: Path, h: Path, _t: Path) -> tuple[Any, Any]:
    """The unit daily AQI the CLI computed, posted to the API, give the CLI's episodes."""
    days = _cli(air_app, ["import", str(h), "--dataset", str(d), "--level", "unit"])
    cli = _cli(air_app, ["warnings", str(h), "--dataset", str(d), "--all"])
    body = {
        "days": [
            {"unit": r["scope"], "date": r["date"], "aqi": r["aqi"]} for r in days if r["valid"]
        ],
        "ongoing_only": False,
    }
    return cli, _api(c, "POST", "/air/warnings", body)


SECTIONS = [
    ("A", "river", {"do": 7.6, "nh3_n": 0.1}),
    ("B", "river", {"do": 4.0, "nh3_n": 0.1, "tn": 1.2}),
    ("C", "lake", {"tp": 0.05, "cod": 25.0}),
]


def _water(c: TestClient, _d: Path, _h: Path, tmp: Path) -> tuple[Any, Any]:
    p = tmp / "sections.csv"
    keys = ["do", "nh3_n", "tn", "tp", "cod"]
    lines = ["section_id,water_body," + ",".join(keys)]
    lines += [f"{s},{b}," + ",".join(str(m.get(k, "")) for k in keys) for s, b, m in SECTIONS]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    body = {
        "sections": [{"section_id": s, "water_body": b, "measurements": m} for s, b, m in SECTIONS]
    }
    return _cli(water_app, ["classify", str(p)]), _api(c, "POST", "/water/classify", body)


def _tourism(c: TestClient, d: Path, _h: Path, tmp: Path) -> tuple[Any, Any]:
    p = tmp / "counts.csv"
    p.write_text(
        "scenic_id,time,in_park,cumulative_today\nurban_hongyadong,2025-10-01T11:00,,50000\n",
        encoding="utf-8",
    )
    count = {"scenic_id": "urban_hongyadong", "time": "2025-10-01T11:00", "cumulative_today": 50000}
    _api(c, "POST", "/tourism/counts", {"counts": [count]})
    return _cli(tourism_app, ["warnings", str(p), "--dataset", str(d)]), _api(
        c, "GET", "/tourism/warnings"
    )


LEDGER = [
    ("tax", 2020, "500112", "100.00"),
    ("tax", 2020, "511623", "60.00"),
    ("tax", 2021, "500112", "130.00"),
    ("tax", 2021, "511623", "75.50"),
    ("fees", 2020, "500112", "10"),
    ("fees", 2020, "511623", "10"),
    ("fees", 2021, "500112", "9"),
    ("fees", 2021, "511623", "14"),
]


def _fiscal(c: TestClient, d: Path, _h: Path, tmp: Path) -> tuple[Any, Any]:
    p = tmp / "ledger.csv"
    p.write_text(
        "area_id,item,year,jurisdiction,amount\n"
        + "".join(f"chuanyu_gaozhu,{i},{y},{j},{a}\n" for i, y, j, a in LEDGER),
        encoding="utf-8",
    )
    cli = _cli(fiscal_app, ["split", str(p), "--base-year", "2020", "--dataset", str(d)])
    body = {
        "area_id": "chuanyu_gaozhu",
        "base_year": 2020,
        "entries": [
            {"item": i, "year": y, "jurisdiction": j, "amount": a} for i, y, j, a in LEDGER
        ],
    }
    return cli, _api(c, "POST", "/fiscal/split", body)


def _fiscal_shares(c: TestClient, d: Path, _h: Path, tmp: Path) -> tuple[Any, Any]:
    p = tmp / "ledger.csv"
    p.write_text(
        "area_id,item,year,jurisdiction,amount\n"
        + "".join(f"chuanyu_gaozhu,{i},{y},{j},{a}\n" for i, y, j, a in LEDGER[:4]),
        encoding="utf-8",
    )
    cli = _cli(
        fiscal_app,
        ["split", str(p), "--base-year", "2020", "--shares", "500112=0.6,511623=0.4"],
    )
    body = {
        "area_id": "chuanyu_gaozhu",
        "base_year": 2020,
        "shares": {"500112": "0.6", "511623": "0.4"},
        "decimals": 2,
        "entries": [
            {"item": i, "year": y, "jurisdiction": j, "amount": a} for i, y, j, a in LEDGER[:4]
        ],
    }
    return cli, _api(c, "POST", "/fiscal/split", body)


def _capacity(c: TestClient, _d: Path, _h: Path, _t: Path) -> tuple[Any, Any]:
    args = ["capacity", "--area-m2", "20000", "--m2-per-visitor", "20"]
    args += [
        "--area-m2",
        "5000",
        "--m2-per-visitor",
        "10",
        "--open-hours",
        "10",
        "--visit-hours",
        "3",
    ]
    body = {
        "attractions": [
            {"area_m2": 20000, "m2_per_visitor": 20},
            {"area_m2": 5000, "m2_per_visitor": 10},
        ],
        "open_hours": 10,
        "visit_hours": 3,
    }
    cli, api = _cli(tourism_app, args), _api(c, "POST", "/tourism/capacity", body)
    assert api == {"instantaneous": 1500.0, "daily": 4500.0}
    return cli, api


def _scenic_areas(c: TestClient, d: Path, _h: Path, _t: Path) -> tuple[Any, Any]:
    return _cli(tourism_app, ["areas", "--dataset", str(d)]), _api(c, "GET", "/tourism/areas")


def _reference(app: Any, args: list[str], path: str) -> Pair:
    def pair(c: TestClient, d: Path, _h: Path, _t: Path) -> tuple[Any, Any]:
        extra = ["--dataset", str(d)] if args[0] in ("stations", "areas") else []
        return _cli(app, [*args, *extra]), _api(c, "GET", path)

    return pair


PAIRS: dict[str, Pair] = {
    "air-aqi-daily": _aqi_daily,
    "air-aqi-hourly": _aqi_hourly,
    "air-good-days": _good_days,
    "air-daily-station": _air_daily("station"),
    "air-daily-unit": _air_daily("unit"),
    "air-daily-area": _air_daily("area"),
    "air-warnings": _air_warnings,
    "air-warnings-days": _air_warnings_days,
    "water-classify": _water,
    "tourism-areas": _scenic_areas,
    "tourism-capacity": _capacity,
    "tourism-warnings": _tourism,
    "fiscal-split": _fiscal,
    "fiscal-split-shares": _fiscal_shares,
    "air-stations": _reference(air_app, ["stations"], "/air/stations"),
    "water-limits": _reference(water_app, ["limits"], "/water/limits"),
    "tourism-tiers": _reference(tourism_app, ["tiers"], "/tourism/tiers"),
    "fiscal-areas": _reference(fiscal_app, ["areas"], "/fiscal/areas"),
}


@pytest.mark.parametrize("name", list(PAIRS))
def test_cli_json_is_the_api_document(
    name: str, env: tuple[TestClient, Path, Path], tmp_path: Path
) -> None:
    client, dataset, hourly = env
    cli, api = PAIRS[name](client, dataset, hourly, tmp_path)
    assert cli == api
    assert cli, f"{name}: an empty answer proves nothing"
    if isinstance(cli, dict):
        assert list(cli) == list(api)  # same keys, same order
    else:
        assert [list(r) for r in cli] == [list(r) for r in api]


def test_the_answers_are_the_expected_ones(env: tuple[TestClient, Path, Path]) -> None:
    """The shared documents say what the fixtures imply (so equal is not equally wrong)."""
    client, _dataset, _hourly = env
    eps = _api(client, "GET", "/air/warnings")
    assert [e["tier"] for e in eps] == ["yellow"]
    assert {u["unit"] for u in eps[0]["units"]} == {"500103", "500105"}
    good = _api(client, "GET", "/air/good-days")
    unit_rows = [r for r in good if r["level"] == "unit" and r["scope"] == "500103"]
    assert [(r["valid_days"], r["good_days"]) for r in unit_rows] == [(2, 0)]


def test_water_classify_refuses_like_the_cli(env: tuple[TestClient, Path, Path]) -> None:
    client, _d, _h = env
    body = {"sections": [{"section_id": "A", "measurements": {"do": 4}}] * 2}
    r = client.post("/api/sectors/water/classify", json=body)
    assert r.status_code == 422 and "duplicate" in r.text
    r = client.post(
        "/api/sectors/water/classify",
        json={"sections": [{"section_id": "A", "measurements": {"bogus": 1}}]},
    )
    assert r.status_code == 422 and "bogus" in r.text


@pytest.mark.parametrize(
    ("app", "args", "zh", "en"),
    [
        (air_app, ["aqi", "--pm25", "80"], "首要污染物", "primary:"),
        (
            tourism_app,
            ["capacity", "--area-m2", "100", "--m2-per-visitor", "1"],
            "瞬时承载量",
            "instantaneous capacity",
        ),
    ],
)
def test_commands_speak_both_languages(app: Any, args: list[str], zh: str, en: str) -> None:
    a = runner.invoke(app, [*args, "--lang", "zh"])
    b = runner.invoke(app, [*args, "--lang", "en"])
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert zh in a.stdout and en not in a.stdout
    assert en in b.stdout
    bad = runner.invoke(app, [*args, "--lang", "fr"])
    assert bad.exit_code == 2 and "--lang" in bad.stderr
