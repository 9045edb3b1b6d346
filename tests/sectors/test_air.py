"""HJ 633 IAQI/AQI: worked values, every breakpoint, switching rules, CNEMC reproduction, properties."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle._errors import DataValidationError
from metrocircle.sectors._air_tables import CATEGORIES, IAQI_LEVELS, STANDARDS
from metrocircle.sectors.air import (
    Pollutant,
    UnconfirmedStandardError,
    category,
    daily_aqi,
    hourly_aqi,
    iaqi,
    standard_in_force,
)

DATA = Path(__file__).parent / "data"

# anchors-and-standards.md §5.1.2 worked values (HJ 633-2012).
WORKED = [
    ("PM2.5", 80, "24h", 106.25),
    ("PM2.5", 75, "24h", 100.0),
    ("PM2.5", 35, "24h", 50.0),
    ("PM10", 120, "24h", 85.0),
    ("SO2", 300, "24h", 123.077),
    ("NO2", 100, "24h", 110.0),
    ("CO", 1.2, "24h", 30.0),
    ("O3", 180, "8h", 118.182),
    ("O3", 250, "1h", 125.0),
    ("NO2", 250, "1h", 105.0),
]


@pytest.mark.parametrize(("pollutant", "value", "averaging", "expected"), WORKED)
def test_worked_values_2012(pollutant: str, value: float, averaging: str, expected: float) -> None:
    assert iaqi(pollutant, value, averaging=averaging) == pytest.approx(expected, abs=5e-4)


def test_so2_24h_table_is_not_the_1h_table() -> None:
    # The bug of caiyunapp/aqi-hub (SO2 24 h = 300 gives 71.43 there) must not be here.
    assert iaqi("SO2", 300, averaging="24h") != pytest.approx(71.43, abs=0.01)
    assert STANDARDS["HJ633-2012"].tables[("SO2", "24h")][:4] == (0, 50, 150, 475)


def test_2026_changes_only_pm_iaqi100() -> None:
    t12, t26 = STANDARDS["HJ633-2012"].tables, STANDARDS["HJ633-2026"].tables
    changed = {k for k in t12 if t12[k] != t26[k]}
    assert changed == {("PM2.5", "24h"), ("PM10", "24h")}
    assert t26[("PM2.5", "24h")] == (0, 35, 60, 115, 150, 250, 350, 500)
    assert t26[("PM10", "24h")] == (0, 50, 120, 250, 350, 420, 500, 600)
    assert iaqi("PM2.5", 60, averaging="24h", standard="HJ633-2026") == 100.0
    assert iaqi("PM10", 120, averaging="24h", standard="HJ633-2026") == 100.0
    # 2026 worked value: 100 + (80 - 60) / (115 - 60) * 50
    assert iaqi("PM2.5", 80, averaging="24h", standard="HJ633-2026") == pytest.approx(
        118.1818, abs=1e-4
    )


TABLE_CASES = [
    (std, pol, avg, i, bp)
    for std, s in STANDARDS.items()
    for (pol, avg), table in s.tables.items()
    for i, bp in enumerate(table)
]


@pytest.mark.parametrize(("std", "pol", "avg", "i", "bp"), TABLE_CASES)
def test_every_breakpoint_gives_its_level(std: str, pol: str, avg: str, i: int, bp: int) -> None:
    assert iaqi(pol, bp, averaging=avg, standard=std) == IAQI_LEVELS[i]
    if i + 1 < len(STANDARDS[std].tables[(pol, avg)]):
        above = iaqi(pol, bp + 0.1, averaging=avg, standard=std)
        assert IAQI_LEVELS[i] < above < IAQI_LEVELS[i + 1]
    if i > 0:
        below = iaqi(pol, bp - 0.1, averaging=avg, standard=std)
        assert IAQI_LEVELS[i - 1] < below < IAQI_LEVELS[i]


@pytest.mark.parametrize(
    ("std", "pol", "avg"), [(s, p, a) for s, t in STANDARDS.items() for (p, a) in t.tables]
)
def test_above_top_breakpoint_is_an_error(std: str, pol: str, avg: str) -> None:
    top = STANDARDS[std].tables[(pol, avg)][-1]
    with pytest.raises(DataValidationError):
        iaqi(pol, top + 1, averaging=avg, standard=std)


@pytest.mark.parametrize("bad", [-1, -0.001, math.nan, math.inf])
def test_bad_concentration(bad: float) -> None:
    with pytest.raises(DataValidationError, match=r"PM2\.5_24h"):
        iaqi("PM2.5", bad, averaging="24h")


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="standard"):
        iaqi("PM2.5", 10, averaging="24h", standard="HJ633-1999")
    with pytest.raises(ValueError, match="averaging"):
        iaqi("PM2.5", 10, averaging="2h")
    with pytest.raises(ValueError, match="no 8h table"):
        iaqi("SO2", 10, averaging="8h")
    with pytest.raises(ValueError):
        Pollutant("H2S")


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("pm25", Pollutant.PM25),
        ("PM2_5", Pollutant.PM25),
        ("so2", Pollutant.SO2),
        ("o3", Pollutant.O3),
    ],
)
def test_pollutant_spellings(text: str, member: Pollutant) -> None:
    assert Pollutant(text) is member


@pytest.mark.parametrize(
    ("aqi", "level", "name"),
    [(0, 1, "优"), (50, 1, "优"), (51, 2, "良"), (100, 2, "良"), (101, 3, "轻度污染"), (150, 3, "轻度污染"),
     (151, 4, "中度污染"), (200, 4, "中度污染"), (201, 5, "重度污染"), (300, 5, "重度污染"), (301, 6, "严重污染"),
     (500, 6, "严重污染")],
)  # fmt: skip
def test_category_edges(aqi: int, level: int, name: str) -> None:
    c = category(aqi)
    assert (c.level, c.name_zh) == (level, name)
    assert c in CATEGORIES


def test_daily_aqi_rounds_up_and_names_primary() -> None:
    r = daily_aqi(
        {"pm2_5": 80, "pm10": 120, "so2": 10, "no2": 30, "co": 1.2, "o3_1h": 90, "o3_8h": 70}
    )
    assert r.aqi == 107  # ceil(106.25)
    assert r.iaqi["pm2_5"] == 107 and r.iaqi["pm10"] == 85
    assert r.primary_pollutants == ("pm2_5",)
    assert r.exceeding == ("pm2_5",)
    assert r.category.name_en == "lightly polluted"
    assert r.standard == "HJ633-2012" and r.report == "daily"


def test_no_primary_pollutant_at_or_below_50() -> None:
    r = daily_aqi({"pm2_5": 35, "pm10": 50})
    assert r.aqi == 50
    assert r.primary_pollutants == ()


def test_tied_primary_pollutants() -> None:
    # PM2.5 75 and PM10 150 both give IAQI 100.
    r = daily_aqi({"pm2_5": 75, "pm10": 150, "no2": 20})
    assert r.aqi == 100
    assert set(r.primary_pollutants) == {"pm2_5", "pm10"}
    assert r.exceeding == ()


def test_daily_uses_both_o3_values() -> None:
    r = daily_aqi({"o3_1h": 250, "o3_8h": 150})
    assert r.iaqi == {"o3_1h": 125, "o3_8h": 92}
    assert r.primary_pollutants == ("o3_1h",)


def test_o3_8h_above_800_switches_to_1h() -> None:
    r = daily_aqi({"o3_1h": 900, "o3_8h": 850, "pm2_5": 30})
    assert "o3_8h" not in r.iaqi
    assert r.iaqi["o3_1h"] == 350  # 300 + (900-800)/(1000-800)*100
    assert r.notes
    with pytest.raises(DataValidationError, match="o3_1h"):
        daily_aqi({"o3_8h": 850})
    with pytest.raises(UnconfirmedStandardError, match="unconfirmed"):
        daily_aqi({"o3_1h": 900, "o3_8h": 850}, standard="HJ633-2026")


def test_o3_8h_at_800_is_still_rated() -> None:
    r = daily_aqi({"o3_8h": 800, "o3_1h": 300})
    assert r.iaqi["o3_8h"] == 300


def test_so2_1h_above_800_switches_to_24h() -> None:
    r = hourly_aqi({"so2": 900, "so2_24h": 300, "pm2_5": 20})
    assert r.iaqi["so2"] == 124  # ceil(123.08) from the 24-h table
    assert r.notes
    with pytest.raises(DataValidationError, match="so2_24h"):
        hourly_aqi({"so2": 900})
    with pytest.raises(UnconfirmedStandardError):
        hourly_aqi({"so2": 900, "so2_24h": 300}, standard="HJ633-2026")
    assert hourly_aqi({"so2": 800}).iaqi["so2"] == 200
    with pytest.raises(DataValidationError, match="note 2"):
        iaqi("SO2", 801, averaging="1h")


def test_hourly_pm_uses_24h_scale() -> None:
    assert hourly_aqi({"pm2_5": 80}).iaqi_exact["pm2_5"] == 106.25


def test_unknown_or_duplicate_items() -> None:
    with pytest.raises(DataValidationError, match="nh3"):
        daily_aqi({"nh3": 3})
    with pytest.raises(DataValidationError, match="twice"):
        daily_aqi({"pm2_5": 3, "PM2.5": 4})
    with pytest.raises(DataValidationError, match="at least one"):
        daily_aqi({})
    with pytest.raises(DataValidationError):
        daily_aqi({"so2_24h": 3})  # hourly-only item


def test_standard_in_force() -> None:
    assert standard_in_force("2026-02-28") == "HJ633-2012"
    assert standard_in_force("2026-03-01") == "HJ633-2026"


_CNEMC_NAMES = {
    "细颗粒物(PM2.5)": "pm2_5",
    "颗粒物(PM10)": "pm10",
    "臭氧8小时": "o3_8h",
    "臭氧1小时": "o3_1h",
    "二氧化氮": "no2",
    "二氧化硫": "so2",
    "一氧化碳": "co",
}


def test_reproduces_published_cnemc_hourly_aqi() -> None:
    """All 41 published real-time AQIs and primary pollutants of 2022-01-01 00:00 (CQ + Guang'an)."""
    with (DATA / "cnemc_2022-01-01T00_cq_ga_rows.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 41
    for r in rows:
        res = hourly_aqi(
            {
                "so2": float(r["so2"]),
                "no2": float(r["no2"]),
                "co": float(r["co"]),
                "pm10": float(r["pm10"]),
                "pm2_5": float(r["pm2_5"]),
                "o3_1h": float(r["o3_24h"]),  # swapped column: latest 1-h O3
                "o3_8h": float(r["o3_8h_24h"]),  # swapped column: latest 8-h moving mean
            }
        )
        assert res.aqi == int(r["aqi"]), r["stationcode"]
        assert res.primary_pollutants == (_CNEMC_NAMES[r["primarypollutant"]],), r["stationcode"]


_VALID = [(s, p, a) for s, t in STANDARDS.items() for (p, a) in t.tables]


@settings(deadline=None)
@given(st.sampled_from(_VALID), st.floats(0, 1), st.floats(0, 1))
def test_iaqi_is_monotone(key: tuple[str, str, str], u: float, v: float) -> None:
    std, pol, avg = key
    top = STANDARDS[std].tables[(pol, avg)][-1]
    a, b = sorted((u * top, v * top))
    assert iaqi(pol, a, averaging=avg, standard=std) <= iaqi(pol, b, averaging=avg, standard=std)


@settings(deadline=None)
@given(st.sampled_from(TABLE_CASES), st.floats(1e-9, 1e-3))
def test_iaqi_is_continuous_at_breakpoints(
    case: tuple[str, str, str, int, int], eps: float
) -> None:
    std, pol, avg, i, bp = case
    table = STANDARDS[std].tables[(pol, avg)]
    at = iaqi(pol, bp, averaging=avg, standard=std)
    slope = max(
        (IAQI_LEVELS[j] - IAQI_LEVELS[j - 1]) / (table[j] - table[j - 1])
        for j in range(1, len(table))
    )
    for x in (bp - eps, bp + eps):
        if 0 <= x <= table[-1]:
            assert abs(iaqi(pol, x, averaging=avg, standard=std) - at) <= slope * eps * 1.0001


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["so2", "no2", "pm10", "pm2_5", "co", "o3_1h", "o3_8h"]),
        st.floats(0, 1),
        min_size=1,
    )
)
def test_aqi_is_max_of_published_iaqi(fracs: dict[str, float]) -> None:
    from metrocircle.sectors.air import DAILY_ITEMS

    conc = {}
    for k, f in fracs.items():
        pol, avg = DAILY_ITEMS[k]
        top = STANDARDS["HJ633-2012"].tables[(pol.value, avg)][-1]
        conc[k] = f * min(top, 800)
    r = daily_aqi(conc)
    assert r.aqi == max(r.iaqi.values())
    assert all(
        r.iaqi[k] == math.ceil(r.iaqi_exact[k] - 1e-9) or r.iaqi[k] == math.ceil(r.iaqi_exact[k])
        for k in r.iaqi
    )
    assert (r.aqi > 50) == bool(r.primary_pollutants)


def test_above_scale_cap_or_error() -> None:
    with pytest.raises(DataValidationError, match="top breakpoint"):
        daily_aqi({"pm10": 700})
    r = daily_aqi({"pm10": 700, "pm2_5": 40}, above_scale="cap")
    assert r.aqi == 500 and r.iaqi["pm10"] == 500 and r.primary_pollutants == ("pm10",)
    assert any("pm10" in n for n in r.notes)
    assert hourly_aqi({"co": 151}, above_scale="cap").aqi == 500
    with pytest.raises(ValueError, match="above_scale"):
        daily_aqi({"pm10": 7}, above_scale="clip")  # type: ignore[arg-type]
