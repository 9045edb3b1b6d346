"""HJ 663 evaluation: CNEMC import, daily validity, station means, good-day ratio, indicator."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrocircle._errors import DataValidationError
from metrocircle.region import Region
from metrocircle.sectors.air_eval import (
    CNEMC_COLUMNS,
    aggregate_daily,
    assign_units,
    daily_aqi_table,
    daily_statistics,
    evaluate_good_days,
    good_day_ratio,
    load_air_stations,
    load_hj663_rules,
    read_cnemc_hourly,
)

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "cnemc_2022-01-01T00_cq_ga_rows.csv"


def _hourly(station: str, day: str, *, hours: range = range(24), **values: float) -> pd.DataFrame:
    base = {"so2": 10.0, "no2": 30.0, "co": 0.8, "pm10": 60.0, "pm2_5": 40.0, "o3": 50.0} | values
    return pd.DataFrame(
        [{"station": station, "time": pd.Timestamp(f"{day}T{h:02d}:00"), **base} for h in hours]
    )


def _stations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "station_code": ["A", "B", "C", "K"],
            "unit_code": ["500103", "500103", "500105", "500103"],
            "control_point": [False, False, False, True],
        }
    )


def test_read_sample_swaps_o3_columns() -> None:
    df = read_cnemc_hourly([SAMPLE])
    assert len(df) == 41
    row = df[df["station"] == "1414A"].iloc[0]
    # file: o3=69 (24-h max), o3_24h=53 (latest 1 h), o3_8h_24h=60 (latest 8-h moving)
    assert row["o3"] == 53 and row["o3_8h_moving"] == 60
    assert row["aqi_published"] == 68
    assert row["time"] == pd.Timestamp("2022-01-01T00:00")


def _write(tmp_path: Path, rows: list[dict[str, str]], name: str = "h.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CNEMC_COLUMNS))
        w.writeheader()
        w.writerows(rows)
    return path


def _sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_import_is_all_or_nothing_and_names_row_and_field(tmp_path: Path) -> None:
    rows = _sample_rows()[:3]
    rows[1]["pm2_5"] = "abc"
    rows[2]["so2"] = "-4"
    path = _write(tmp_path, rows)
    with pytest.raises(DataValidationError) as err:
        read_cnemc_hourly([path])
    text = str(err.value)
    assert f"{path}:3:pm2_5" in text and f"{path}:4:so2" in text


def test_import_missing_values_and_duplicates(tmp_path: Path) -> None:
    rows = _sample_rows()[:2]
    rows[0]["pm2_5"] = "—"
    ok = read_cnemc_hourly([_write(tmp_path, rows)])
    assert np.isnan(ok.iloc[0]["pm2_5"])
    dup = _write(tmp_path, [rows[1]], "dup.csv")
    with pytest.raises(DataValidationError, match="also in"):
        read_cnemc_hourly([_write(tmp_path, rows, "a.csv"), dup])


def test_import_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("timepoint,stationcode,pm2_5\n2022-01-01T00:00:00,1A,3\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="missing column"):
        read_cnemc_hourly([path])
    with pytest.raises(DataValidationError, match="no input"):
        read_cnemc_hourly([])


def test_24h_mean_needs_20_hours() -> None:
    rules = load_hj663_rules()
    ok = daily_statistics(_hourly("A", "2024-05-01", hours=range(20), pm2_5=80.0), rules=rules)
    short = daily_statistics(_hourly("A", "2024-05-01", hours=range(19), pm2_5=80.0), rules=rules)
    assert ok.iloc[0]["pm2_5"] == 80.0
    assert np.isnan(short.iloc[0]["pm2_5"])


def test_o3_daily_max_8h_windows() -> None:
    df = _hourly("A", "2024-07-01", o3=100.0)
    df.loc[df["time"].dt.hour.between(12, 19), "o3"] = 200.0  # one 8-h block at 200
    d = daily_statistics(df).iloc[0]
    assert d["o3_8h"] == 200.0
    assert d["o3_1h"] == 200.0
    # knock out all hours before 10:00: windows ending 07..16 have < 6 values for the first ones
    sparse = df[df["time"].dt.hour >= 12]
    d2 = daily_statistics(sparse).iloc[0]
    assert np.isnan(d2["o3_8h"])  # only windows ending 17..23 valid (7 < 14)


def test_valid_day_requires_all_items() -> None:
    d = daily_statistics(_hourly("A", "2024-05-01"))
    d.loc[0, "co"] = np.nan
    t = daily_aqi_table(d)
    assert not t.iloc[0]["valid"] and pd.isna(t.iloc[0]["aqi"])
    relaxed = replace(load_hj663_rules(), require_all_items=False)
    assert daily_aqi_table(d, rules=relaxed).iloc[0]["valid"]


def test_unit_mean_before_aqi_and_control_points_excluded() -> None:
    hourly = pd.concat(
        [
            _hourly("A", "2024-05-01", pm2_5=70.0),
            _hourly("B", "2024-05-01", pm2_5=90.0),
            _hourly("K", "2024-05-01", pm2_5=10.0),  # control point: left out
            _hourly("C", "2024-05-01", pm2_5=20.0),
        ]
    )
    sd = daily_statistics(hourly)
    ud = aggregate_daily(sd, _stations(), level="unit")
    yz = ud[ud["scope"] == "500103"].iloc[0]
    assert yz["pm2_5"] == 80.0 and yz["n_stations"] == 2
    t = daily_aqi_table(ud, scope_column="scope")
    # mean 80 -> IAQI 106.25 -> 107; averaging AQIs instead (94, 119) would give 106.5
    assert t[t["scope"] == "500103"].iloc[0]["aqi"] == 107
    area = aggregate_daily(sd, _stations(), level="area")
    assert area.iloc[0]["pm2_5"] == 60.0  # stations A, B, C
    by_units = aggregate_daily(
        sd, _stations(), level="area", rules=replace(load_hj663_rules(), area_method="units")
    )
    assert by_units.iloc[0]["pm2_5"] == 50.0  # (80 + 20) / 2
    with pytest.raises(DataValidationError, match="registry"):
        aggregate_daily(daily_statistics(_hourly("Z", "2024-05-01")), _stations())


def test_good_day_ratio_and_2026_break() -> None:
    hourly = pd.concat(
        [
            _hourly("A", "2026-02-27", pm2_5=70.0),  # 2012: IAQI 94 good
            _hourly("A", "2026-02-28", pm2_5=80.0),  # 2012: 107 not good
            _hourly("A", "2026-03-01", pm2_5=70.0),  # 2026: 100+(10/55)*50 -> 110 not good
            _hourly("A", "2026-03-02", pm2_5=50.0, hours=range(10)),  # invalid day
        ]
    )
    res = evaluate_good_days(hourly, _stations())
    st_ratio = res["ratio"][(res["ratio"]["level"] == "station")].iloc[0]
    assert (st_ratio["valid_days"], st_ratio["good_days"]) == (3, 1)
    assert st_ratio["ratio_pct"] == pytest.approx(100 / 3)
    assert st_ratio["standard"] == "HJ633-2012+HJ633-2026"
    fixed = evaluate_good_days(hourly, _stations(), standard="HJ633-2012")["ratio"]
    assert fixed[fixed["level"] == "station"].iloc[0]["good_days"] == 2
    assert set(res["ratio"]["level"]) == {"station", "unit", "area"}


def test_good_day_ratio_empty() -> None:
    assert good_day_ratio(
        daily_aqi_table(daily_statistics(_hourly("A", "2024-01-01").iloc[:0]))
    ).empty


def test_station_registry_is_valid_and_matches_boundaries(region: Region) -> None:
    st = load_air_stations(region.dataset_path / "sectors" / "air_stations.csv")
    assert len(st) == 34
    assert set(st["unit_code"]) <= set(region.county_codes)
    units = region.units.loc[list(region.county_codes)]
    assert assign_units(st["lon"], st["lat"], units) == list(st["unit_code"])
    # every Chongqing district of the area has a station (PROVENANCE: coverage)
    cq = {c for c in region.county_codes if c.startswith("50")}
    assert cq <= set(st["unit_code"])
    assert assign_units([116.4], [39.9], units) == [None]


def test_station_registry_errors(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text(
        "station_code,name_zh,city_zh,lon,lat,unit_code,control_point,source\n"
        "A,x,y,200,29,500103,false,s\nA,x,y,106,29,5001,maybe,s\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        load_air_stations(p)
    text = str(err.value)
    assert (
        ":2:lon" in text
        and ":3:station_code" in text
        and ":3:unit_code" in text
        and ":3:control_point" in text
    )


def test_indicator_registered_and_shows_the_2026_break(tmp_path: Path, region: Region) -> None:
    from metrocircle.indicators.registry import ComputeContext, get_indicator

    spec = get_indicator("air.good_day_ratio")
    assert spec.unit == "pct"
    assert spec.fn(ComputeContext(region=region)) == []  # no hourly data shipped
    base = next(r for r in _sample_rows() if r["stationcode"] == "3133A")  # 上清寺, 渝中区
    rows = [
        dict(base) | {"timepoint": f"{day}T{h:02d}:00:00", "pm2_5": "70", "pm10": "60"}
        for day in ("2025-12-31", "2026-03-01")
        for h in range(24)
    ]
    path = _write(tmp_path, rows)
    values = spec.fn(ComputeContext(region=region, params={"hourly_files": [str(path)]}))
    by = {(v.scope, v.period): v for v in values}
    assert set(by) == {("500103", 2025), ("500103", 2026), ("region", 2025), ("region", 2026)}
    assert by[("region", 2025)].provenance["standard"] == "HJ633-2012"
    assert by[("region", 2025)].value == 100.0  # PM2.5 70 -> IAQI 94 under 2012
    assert by[("region", 2026)].provenance["standard"] == "HJ633-2026"
    assert by[("region", 2026)].provenance["series_break"] == "2026-03-01"
    assert by[("region", 2026)].value == 0.0  # the same 70 -> IAQI 110 under 2026
    dual = spec.fn(
        ComputeContext(
            region=region, params={"hourly_files": [str(path)], "standard": "HJ633-2012"}
        )
    )
    assert {(v.scope, v.period): v.value for v in dual}[("region", 2026)] == 100.0


def test_indicator_value_from_one_city_station(tmp_path: Path, region: Region) -> None:
    from metrocircle.indicators.registry import ComputeContext, compute

    base = next(r for r in _sample_rows() if r["stationcode"] == "3133A")  # 上清寺, 渝中区
    rows = []
    for day, pm in (("2024-01-01", "40"), ("2024-01-02", "90")):
        for h in range(24):
            r = dict(base) | {"timepoint": f"{day}T{h:02d}:00:00", "pm2_5": pm, "pm10": "60"}
            rows.append(r)
    path = _write(tmp_path, rows)
    values = compute(
        "air.good_day_ratio", ComputeContext(region=region, params={"hourly_files": [str(path)]})
    )
    by = {(v.scope, v.period): v for v in values}
    assert by[("500103", 2024)].value == 50.0
    assert by[("region", 2024)].value == 50.0
    assert by[("region", 2024)].provenance["valid_days"] == "2"


def test_rules_file_validation(tmp_path: Path) -> None:
    p = tmp_path / "r.toml"
    p.write_text("[validity]\nmin_hours_24h_mean = 20\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="missing"):
        load_hj663_rules(p)


def test_dust_day_is_capped_by_rule_or_named_when_strict() -> None:
    sd = daily_statistics(_hourly("A", "2024-03-20", pm10=900.0))
    t = daily_aqi_table(sd)
    assert t.iloc[0]["aqi"] == 500 and not t.iloc[0]["good"]
    strict = replace(load_hj663_rules(), above_scale="error")
    with pytest.raises(DataValidationError, match="A 2024-03-20"):
        daily_aqi_table(sd, rules=strict)
