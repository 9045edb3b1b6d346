"""Water levels in the store: `flood import` (all or nothing, audited), warnings from the store, the API."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from tests.multiuser.harness import Env, open_env
from typer.testing import CliRunner

from metrocircle.cli.flood import flood_app
from metrocircle.store import Store
from metrocircle.store.levels import latest_water_levels

runner = CliRunner()


def _csv(tmp: Path, rows: list[list[str]], name: str = "levels.csv") -> Path:
    p = tmp / name
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return p


HEAD = ["station_id", "time", "level_m"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def test_import_then_warnings_from_store(tmp_path: Path, db: str) -> None:
    p = _csv(
        tmp_path,
        [
            HEAD,
            ["cuntan", "2020-08-19T06:00+08:00", "179.0"],
            ["cuntan", "2020-08-19T08:00+08:00", "181.0"],  # the latest: 0.5 m over 180.50
            ["beibei", "2020-08-19T08:00+08:00", "192.5"],  # 2 m under 194.50
        ],
    )
    res = runner.invoke(flood_app, ["import", str(p), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["rows"] == 3
    with Store(db) as store:
        latest = {r.station_id: r for r in latest_water_levels(store)}
        assert latest["cuntan"].level_m == 181.0
        assert latest["cuntan"].time.utcoffset() == timedelta(hours=8)  # the zone it came in
        (entry,) = store.audit_entries(action="import_water_levels")
        assert entry.after["rows"] == 3 and entry.after["station_ids"] == ["beibei", "cuntan"]
        assert entry.entity_id == out["batch_id"]
        assert store.verify_audit().ok
    res = runner.invoke(flood_app, ["warnings", "--from-store", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["stations_read"] == 2
    (w,) = doc["warnings"]  # beibei, 2 m under, warns nobody
    assert (w["station_id"], w["grade"], w["above_warning_m"]) == ("cuntan", "yellow", 0.5)
    assert [a["station_id"] for a in w["downstream"]] == ["changshou", "qingxichang"]
    res = runner.invoke(flood_app, ["warnings", "--from-store", "--db", db, "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert (
        "Yellow" in res.stdout and "Cuntan" in res.stdout and "0.50 m above warning" in res.stdout
    )
    res = runner.invoke(flood_app, ["warnings", "--from-store", "--db", db])
    assert "黄色" in res.stdout and "超警戒 0.50 米" in res.stdout


def test_second_import_of_the_same_readings_is_refused_whole(tmp_path: Path, db: str) -> None:
    first = _csv(tmp_path, [HEAD, ["cuntan", "2020-08-19T08:00+08:00", "181.0"]], "a.csv")
    assert runner.invoke(flood_app, ["import", str(first), "--db", db]).exit_code == 0
    again = _csv(
        tmp_path,
        [
            HEAD,
            ["beibei", "2020-08-19T08:00+08:00", "190.0"],
            ["cuntan", "2020-08-19T00:00Z", "185.0"],  # the same instant, in UTC
        ],
        "b.csv",
    )
    res = runner.invoke(flood_app, ["import", str(again), "--db", db])
    assert res.exit_code == 2
    assert "b.csv:3:time" in res.stderr and "already" in res.stderr
    with Store(db) as store:
        assert [r.station_id for r in latest_water_levels(store)] == ["cuntan"]
        assert len(store.audit_entries(action="import_water_levels")) == 1


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        (["nowhere", "2020-08-19T08:00+08:00", "181.0"], "station_id", "unknown station"),
        (["cuntan", "2020-08-19T08:00", "181.0"], "time", "zone"),
        (["cuntan", "2020-08-19T08:00+08:00", "high"], "level_m", "not a finite number"),
        (["cuntan", "2020-08-19T08:00+08:00", "nan"], "level_m", "not a finite number"),
        (["cuntan", "FUTURE", "181.0"], "time", "in the future"),
        (["cuntan", "2020-08-19T08:00+08:00", "181.0"], "time", "second reading"),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    tmp_path: Path, db: str, row: list[str], field: str, words: str
) -> None:
    if row[1] == "FUTURE":
        row = [row[0], (datetime.now(UTC) + timedelta(hours=1)).isoformat(), row[2]]
    good = ["beibei", "2020-08-19T08:00+08:00", "190.0"]
    dup = ["cuntan", "2020-08-19T08:00+08:00", "180.0"]
    rows = [HEAD, good, dup, row] if words == "second reading" else [HEAD, good, row]
    p = _csv(tmp_path, rows)
    res = runner.invoke(flood_app, ["import", str(p), "--db", db, "--lang", "en"])
    assert res.exit_code == 2, res.output
    line = len(rows)
    assert f"levels.csv:{line}:{field}" in res.stderr and words in res.stderr, res.stderr
    assert "nothing was imported" in res.stderr
    assert "Traceback" not in res.output
    with Store(db) as store:
        assert latest_water_levels(store) == []
        assert store.audit_entries(action="import_water_levels") == []


def test_future_within_the_clock_skew_is_accepted(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METROCIRCLE_MAX_CLOCK_SKEW_SECONDS", "600")
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    later = (datetime.now(UTC) + timedelta(minutes=20)).isoformat()
    assert (
        runner.invoke(
            flood_app, ["import", str(_csv(tmp_path, [HEAD, ["cuntan", later, "1"]])), "--db", db]
        ).exit_code
        == 2
    )
    res = runner.invoke(
        flood_app, ["import", str(_csv(tmp_path, [HEAD, ["cuntan", soon, "1"]])), "--db", db]
    )
    assert res.exit_code == 0, res.output


def test_xlsx_import(tmp_path: Path, db: str) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    ws.append(["luduxi", "2021-09-06T08:00+08:00", 219.29])
    p = tmp_path / "levels.xlsx"
    wb.save(p)
    assert runner.invoke(flood_app, ["import", str(p), "--db", db]).exit_code == 0
    with Store(db) as store:
        (r,) = latest_water_levels(store)
    assert (r.station_id, r.level_m) == ("luduxi", 219.29)


def test_warnings_needs_a_file_or_the_store(db: str) -> None:
    res = runner.invoke(flood_app, ["warnings", "--db", db])
    assert res.exit_code == 2 and "--from-store" in res.stderr
    res = runner.invoke(flood_app, ["warnings", "--from-store", "--db", db])
    assert res.exit_code == 0 and "flood import" in res.stdout


# --------------------------------------------------------------------------- API


@pytest.fixture
def env(store_url: str) -> Iterator[Env]:
    e, client = open_env(store_url)
    e.add_user("joint-office", "admin")
    e.add_user("cuntan-officer", "officer", "500105")  # 江北区: 寸滩 lies in it
    e.add_user("beibei-officer", "officer", "500109")
    e.add_user("a-viewer", "viewer")
    yield e
    client.__exit__(None, None, None)


def _body(station: str = "cuntan", level: float = 181.0, time: str | None = None) -> Any:
    return {
        "readings": [
            {"station_id": station, "time": time or "2020-08-19T08:00+08:00", "level_m": level}
        ]
    }


def test_api_import_needs_a_login_and_a_role_for_the_station(env: Env) -> None:
    url = "/api/sectors/flood/levels"
    assert env.client.post(url, json=_body()).status_code == 401
    for who in ("a-viewer", "beibei-officer"):
        r = env.client.post(url, json=_body(), headers=env.headers(who))
        assert r.status_code == 403, (who, r.text)
    assert latest_water_levels(env.store) == []
    assert env.client.get("/api/sectors/flood/warnings").json()["warnings"] == []
    r = env.client.post(url, json=_body(), headers=env.headers("cuntan-officer"))
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1 and r.json()["stations_with_levels"] == 1
    (entry,) = env.store.audit_entries(action="import_water_levels")
    assert entry.actor == "cuntan-officer" and entry.origin == "api testclient"
    # 武隆 has no unit in the area: the joint office only
    wulong = _body("wulong", 190.0)
    assert (
        env.client.post(url, json=wulong, headers=env.headers("cuntan-officer")).status_code == 403
    )
    assert env.client.post(url, json=wulong, headers=env.headers("joint-office")).status_code == 200
    doc = env.client.get("/api/sectors/flood/warnings").json()
    (w,) = doc["warnings"]  # 武隆 at 190 m is 3 m under its 193 m warning level
    assert (w["station_id"], w["grade"], w["above_warning_m"]) == ("cuntan", "yellow", 0.5)
    assert doc["stations_read"] == 2
    cli = runner.invoke(flood_app, ["warnings", "--from-store", "--db", env.settings.db, "--json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.stdout) == doc  # one document, CLI and API
    # the same reading again: a conflict naming it, nothing written
    r = env.client.post(url, json=_body(), headers=env.headers("joint-office"))
    assert r.status_code == 409, r.text
    assert len(env.store.audit_entries(action="import_water_levels")) == 2


def test_api_import_refuses_the_future_and_unknown_stations(env: Env) -> None:
    url, h = "/api/sectors/flood/levels", env.headers("joint-office")
    ahead = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    r = env.client.post(url, json=_body(time=ahead), headers=h)
    assert r.status_code == 422 and "future" in r.text, r.text
    r = env.client.post(url, json=_body("nowhere"), headers=h)
    assert r.status_code == 422 and "unknown station" in r.text
    r = env.client.post(url, json=_body(time="2020-08-19T08:00"), headers=h)
    assert r.status_code == 422 and "time" in r.text
    assert latest_water_levels(env.store) == []


def test_stations_in_both_languages() -> None:
    en = runner.invoke(flood_app, ["stations", "--lang", "en"])
    zh = runner.invoke(flood_app, ["stations", "--lang", "zh"])
    assert en.exit_code == zh.exit_code == 0
    assert en.stdout.startswith("Station\tRiver\t") and "Cuntan\tYangtze\t180.50" in en.stdout
    assert zh.stdout.startswith("站点\t河流\t") and "寸滩\t长江\t180.50" in zh.stdout
    bad = runner.invoke(flood_app, ["stations", "--lang", "fr"])
    assert bad.exit_code == 2 and "zh 或 en" in bad.stderr  # refused in the default language


def _import(p: Path, db: str) -> Any:
    return runner.invoke(flood_app, ["import", str(p), "--db", db, "--lang", "en"])


def test_unreadable_files_are_named_and_nothing_is_stored(tmp_path: Path, db: str) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("station_id,time,level_m\n寸滩,2020-08-19T08:00+08:00,181\n".encode("gbk"))
    res = _import(gbk, db)
    assert res.exit_code == 2 and "gbk.csv:0:*: not UTF-8" in res.stderr, res.stderr
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    res = _import(bad, db)
    assert res.exit_code == 2 and "broken.xlsx:0:*: unreadable workbook" in res.stderr
    odd = tmp_path / "levels.json"
    odd.write_text("{}", encoding="utf-8")
    res = _import(odd, db)
    assert res.exit_code == 2 and "unsupported file type" in res.stderr
    head = _csv(tmp_path, [HEAD], "head.csv")
    res = _import(head, db)
    assert res.exit_code == 2 and "head.csv:2:*: the file has no readings" in res.stderr
    with Store(db) as store:
        assert latest_water_levels(store) == []


def test_rows_are_numbered_as_the_file_has_them(tmp_path: Path, db: str) -> None:
    p = tmp_path / "gaps.csv"
    p.write_text(
        "station_id,time,level_m\n"
        "cuntan,2020-08-19T08:00+08:00,181\n"
        "\n"
        "beibei,2020-08-19T08:00+08:00,190,extra\n"
        "beibei,2020-08-19T09:00+08:00,x\n",
        encoding="utf-8",
    )
    res = _import(p, db)
    assert res.exit_code == 2
    assert "gaps.csv:4:*: more fields than the header has" in res.stderr, res.stderr
    assert "gaps.csv:5:level_m" in res.stderr
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEAD)
    ws.append([None, None, None])
    ws.append(["cuntan", datetime(2020, 8, 19, 8), 181.0])  # an Excel date has no zone
    x = tmp_path / "gaps.xlsx"
    wb.save(x)
    res = _import(x, db)
    assert res.exit_code == 2 and "gaps.xlsx:3:time" in res.stderr, res.stderr


def test_a_level_edited_behind_the_log_is_found(tmp_path: Path, db: str) -> None:
    import sqlalchemy as sa

    p = _csv(tmp_path, [HEAD, ["cuntan", "2020-08-19T08:00+08:00", "181.0"]])
    assert _import(p, db).exit_code == 0
    with Store(db) as store:
        assert store.verify_audit().ok
        with store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE water_levels SET level_m = 175.0"))
        rep = store.verify_audit()
    assert not rep.ok
    assert any("water levels batch" in p and "differ" in p for p in rep.problems), rep.problems


def test_negative_zero_level_verifies_on_every_backend(store_url: str) -> None:
    from metrocircle.store.levels import WaterLevelIn, import_levels

    t = datetime(2020, 8, 19, 8, tzinfo=timezone(timedelta(hours=8)))
    with Store(store_url) as store:
        import_levels(store, [WaterLevelIn("cuntan", t, -0.0)], actor="test")
        assert store.verify_audit().ok, store.verify_audit().problems
