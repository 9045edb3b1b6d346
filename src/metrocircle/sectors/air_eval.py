"""HJ 663 evaluation from station data: CNEMC hourly import, daily statistics, good-air-day ratio.

The flow is hourly station values → daily statistics per station (validity rules) →
daily statistics per unit and for the area (mean over stations, pollutant by pollutant) →
daily AQI (:func:`metrocircle.sectors.air.daily_aqi`) → good-day ratio per year.
Rules live in ``sectors/data/hj663_rules.toml``.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from metrocircle._errors import DataValidationError, Problem
from metrocircle.sectors.air import DAILY_ITEMS, daily_aqi

__all__ = [
    "CNEMC_COLUMNS",
    "STATION_COLUMNS",
    "HJ663Rules",
    "aggregate_daily",
    "assign_units",
    "daily_aqi_table",
    "daily_statistics",
    "evaluate_good_days",
    "good_day_ratio",
    "load_air_stations",
    "load_hj663_rules",
    "read_cnemc_hourly",
]

#: Columns of a CNEMC hourly file (HeQinWill/CNEMC archive layout).
CNEMC_COLUMNS: tuple[str, ...] = (
    "timepoint", "stationcode", "longitude", "latitude", "area", "positionname",
    "primarypollutant", "aqi", "pm10", "pm10_24h", "pm2_5", "pm2_5_24h", "o3", "o3_24h",
    "o3_8h", "o3_8h_24h", "no2", "no2_24h", "so2", "so2_24h", "co", "co_24h",
)  # fmt: skip

# In the CNEMC files the O3 columns are swapped (archive README; PROVENANCE of air-stations):
# `o3_24h` holds the latest 1-hour O3 and `o3_8h_24h` the latest 8-hour moving mean.
_CNEMC_MAP: Mapping[str, str] = {
    "so2": "so2",
    "no2": "no2",
    "co": "co",
    "pm10": "pm10",
    "pm2_5": "pm2_5",
    "o3_24h": "o3",
    "o3_8h_24h": "o3_8h_moving",
    "so2_24h": "so2_24h",
    "aqi": "aqi_published",
}
_MISSING = {"", "—", "-", "--", "NA", "nan", "NaN"}
_HOURLY_POLLUTANTS = ("so2", "no2", "co", "pm10", "pm2_5", "o3")

#: Columns of the station registry (``data/<region>/sectors/air_stations.csv``).
STATION_COLUMNS: tuple[str, ...] = (
    "station_code", "name_zh", "city_zh", "lon", "lat", "unit_code", "control_point", "source",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class HJ663Rules:
    """Validity and aggregation parameters (see ``hj663_rules.toml`` for each one's source)."""

    min_hours_24h_mean: int
    min_hours_o3_1h_max: int
    min_hours_8h_mean: int
    o3_8h_window_end_hours: tuple[int, ...]
    min_valid_8h_windows: int
    require_all_items: bool
    above_scale: str
    exclude_control_points: bool
    area_method: str
    break_date: str
    good_aqi_max: int


def load_hj663_rules(path: Path | None = None) -> HJ663Rules:
    """Read the HJ 663 rules file (the packaged one by default) and check its values."""
    if path is None:
        text = (
            resources.files("metrocircle.sectors")
            .joinpath("data/hj663_rules.toml")
            .read_text("utf-8")
        )
        name = "hj663_rules.toml"
    else:
        text, name = Path(path).read_text("utf-8"), str(path)
    raw = tomllib.loads(text)
    try:
        v, a, s = raw["validity"], raw["aggregation"], raw["series"]
        rules = HJ663Rules(
            min_hours_24h_mean=int(v["min_hours_24h_mean"]),
            min_hours_o3_1h_max=int(v["min_hours_o3_1h_max"]),
            min_hours_8h_mean=int(v["min_hours_8h_mean"]),
            o3_8h_window_end_hours=tuple(int(h) for h in v["o3_8h_window_end_hours"]),
            min_valid_8h_windows=int(v["min_valid_8h_windows"]),
            require_all_items=bool(v["require_all_items"]),
            above_scale=str(v["above_scale"]),
            exclude_control_points=bool(a["exclude_control_points"]),
            area_method=str(a["area_method"]),
            break_date=str(s["break_date"]),
            good_aqi_max=int(s["good_aqi_max"]),
        )
    except KeyError as exc:
        msg = f"{name}: missing parameter {exc.args[0]!r}"
        raise DataValidationError(
            [Problem(name, 0, str(exc.args[0]), "missing")], summary=msg
        ) from None
    problems: list[Problem] = []
    if not all(7 <= h <= 23 for h in rules.o3_8h_window_end_hours):
        problems.append(
            Problem(name, 0, "o3_8h_window_end_hours", "each must be 7..23 (window inside the day)")
        )
    if rules.above_scale not in ("error", "cap"):
        problems.append(Problem(name, 0, "above_scale", "expected 'error' or 'cap'"))
    if rules.area_method not in ("stations", "units"):
        problems.append(Problem(name, 0, "area_method", "expected 'stations' or 'units'"))
    if not 1 <= rules.min_hours_24h_mean <= 24 or not 1 <= rules.min_hours_8h_mean <= 8:
        problems.append(Problem(name, 0, "validity", "hour counts out of range"))
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid rules")
    return rules


def _number(text: str, file: str, row: int, col: str, problems: list[Problem]) -> float:
    t = text.strip()
    if t in _MISSING:
        return math.nan
    try:
        x = float(t)
    except ValueError:
        problems.append(Problem(file, row, col, f"not a number: {text!r}"))
        return math.nan
    if not math.isfinite(x) or x < 0:
        problems.append(Problem(file, row, col, f"must be a finite number >= 0, got {text!r}"))
        return math.nan
    return x


def read_cnemc_hourly(paths: Iterable[Path | str]) -> pd.DataFrame:
    """Read CNEMC-style hourly station files into one long table, all or nothing.

    Parameters
    ----------
    paths
        CSV files with the columns of :data:`CNEMC_COLUMNS` (extra columns are ignored).

    Returns
    -------
    pandas.DataFrame
        Columns ``station``, ``time`` (naive local time, China Standard Time), ``so2``,
        ``no2``, ``pm10``, ``pm2_5``, ``o3`` (1-hour values, µg/m³), ``co`` (mg/m³),
        ``o3_8h_moving``, ``so2_24h`` and ``aqi_published``.  The swapped O3 columns of
        the CNEMC files are put right: ``o3`` comes from ``o3_24h``.

    Raises
    ------
    DataValidationError
        Listing every problem (file:row:field): missing columns, bad times or numbers,
        negative values, duplicate station-hours.
    """
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], str] = {}
    files = [Path(p) for p in paths]
    if not files:
        msg = "no input file given"
        raise DataValidationError([Problem("<input>", 0, "paths", msg)], summary=msg)
    for path in files:
        name = str(path)
        try:
            handle = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            problems.append(Problem(name, 0, "file", f"cannot be read: {exc.strerror}"))
            continue
        with handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            need = ("timepoint", "stationcode", *_CNEMC_MAP)
            missing = [c for c in need if c not in header]
            if missing:
                problems.append(Problem(name, 1, ",".join(missing), "missing column(s)"))
                continue
            for row_no, row in enumerate(reader, start=2):
                code = (row["stationcode"] or "").strip()
                if not code:
                    problems.append(Problem(name, row_no, "stationcode", "empty"))
                    continue
                try:
                    t = pd.Timestamp(row["timepoint"].strip())
                except (ValueError, AttributeError):
                    problems.append(
                        Problem(name, row_no, "timepoint", f"not a date-time: {row['timepoint']!r}")
                    )
                    continue
                if t.tzinfo is not None:
                    t = t.tz_convert("Asia/Shanghai").tz_localize(None)
                key = (code, t.isoformat())
                if key in seen:
                    problems.append(
                        Problem(
                            name, row_no, "timepoint", f"station {code} at {t} also in {seen[key]}"
                        )
                    )
                    continue
                seen[key] = f"{name}:{row_no}"
                rec: dict[str, Any] = {"station": code, "time": t}
                for src, dst in _CNEMC_MAP.items():
                    rec[dst] = _number(row[src] or "", name, row_no, src, problems)
                records.append(rec)
    if problems:
        raise DataValidationError(
            problems, summary=f"CNEMC import failed: {len(problems)} problem(s)"
        )
    cols = ["station", "time", *_CNEMC_MAP.values()]
    return pd.DataFrame.from_records(records, columns=cols)


def _valid_mean(arr: np.ndarray, min_n: int) -> np.ndarray:
    n = np.sum(~np.isnan(arr), axis=1)
    with np.errstate(invalid="ignore"):
        s = np.nansum(arr, axis=1)
        out = np.where(n >= min_n, s / np.maximum(n, 1), np.nan)
    return out


def daily_statistics(hourly: pd.DataFrame, *, rules: HJ663Rules | None = None) -> pd.DataFrame:
    """Daily statistics per station (HJ 663 items) from hourly values.

    Parameters
    ----------
    hourly
        Columns ``station``, ``time`` and the 1-hour values ``so2``, ``no2``, ``co``,
        ``pm10``, ``pm2_5``, ``o3`` (as returned by :func:`read_cnemc_hourly`).
    rules
        Validity rules; the packaged ``hj663_rules.toml`` by default.

    Returns
    -------
    pandas.DataFrame
        One row per station and calendar day: ``station``, ``date`` (ISO string) and the
        items of :data:`~metrocircle.sectors.air.DAILY_ITEMS` (NaN where not valid).
    """
    rules = rules or load_hj663_rules()
    missing = [c for c in ("station", "time", *_HOURLY_POLLUTANTS) if c not in hourly.columns]
    if missing:
        msg = f"hourly table lacks column(s) {missing}"
        raise DataValidationError(
            [Problem("<hourly>", 0, ",".join(missing), "missing")], summary=msg
        )
    if hourly.empty:
        return pd.DataFrame(columns=["station", "date", *DAILY_ITEMS])
    df = hourly.copy()
    df["date"] = df["time"].dt.strftime("%Y-%m-%d")
    df["hour"] = df["time"].dt.hour
    keys = df[["station", "date"]].drop_duplicates().sort_values(["station", "date"])
    index = pd.MultiIndex.from_frame(keys)
    out = keys.reset_index(drop=True)
    cubes: dict[str, np.ndarray] = {}
    for p in _HOURLY_POLLUTANTS:
        wide = df.pivot_table(index=["station", "date"], columns="hour", values=p, aggfunc="first")
        wide = wide.reindex(index=index, columns=range(24))
        cubes[p] = wide.to_numpy(dtype=float)
    for p in ("so2", "no2", "co", "pm10", "pm2_5"):
        out[p] = _valid_mean(cubes[p], rules.min_hours_24h_mean)
    o3 = cubes["o3"]
    n_o3 = np.sum(~np.isnan(o3), axis=1)
    with np.errstate(invalid="ignore"):
        mx = np.where(
            n_o3 >= rules.min_hours_o3_1h_max,
            np.nanmax(np.where(np.isnan(o3), -np.inf, o3), axis=1),
            np.nan,
        )
    out["o3_1h"] = mx
    windows = np.column_stack(
        [
            _valid_mean(o3[:, e - 7 : e + 1], rules.min_hours_8h_mean)
            for e in rules.o3_8h_window_end_hours
        ]
    )
    n_win = np.sum(~np.isnan(windows), axis=1)
    best = np.max(np.where(np.isnan(windows), -np.inf, windows), axis=1)
    out["o3_8h"] = np.where(n_win >= rules.min_valid_8h_windows, best, np.nan)
    return out


def daily_aqi_table(
    daily: pd.DataFrame,
    *,
    scope_column: str = "station",
    standard: str | None = None,
    rules: HJ663Rules | None = None,
) -> pd.DataFrame:
    """Daily AQI for each row of a daily-statistics table.

    Parameters
    ----------
    daily
        Output of :func:`daily_statistics` or :func:`aggregate_daily`.
    scope_column
        Column naming the scope (``station``, ``unit`` or ``scope``).
    standard
        ``"HJ633-2012"`` or ``"HJ633-2026"`` for every day; None rates each day under the
        edition in force that day (break at ``rules.break_date``).
    rules
        HJ 663 rules (validity of a day).

    Returns
    -------
    pandas.DataFrame
        ``scope``, ``date``, ``valid``, ``aqi``, ``category_level``, ``primary`` (``;``-joined),
        ``good`` and ``standard``.
    """
    rules = rules or load_hj663_rules()
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for rec in daily.to_dict("records"):
        values = {k: rec.get(k) for k in DAILY_ITEMS}
        present = {k: float(v) for k, v in values.items() if v is not None and not pd.isna(v)}
        std = standard or ("HJ633-2026" if str(rec["date"]) >= rules.break_date else "HJ633-2012")
        valid = len(present) == len(DAILY_ITEMS) if rules.require_all_items else bool(present)
        row: dict[str, Any] = {
            "scope": str(rec[scope_column]),
            "date": str(rec["date"]),
            "valid": valid,
        }
        if valid:
            try:
                res = daily_aqi(present, standard=std, above_scale=rules.above_scale)  # type: ignore[arg-type]
            except DataValidationError as exc:
                problems.extend(
                    Problem(
                        "<daily>", 0, p.field, f"{rec[scope_column]} {rec['date']}: {p.message}"
                    )
                    for p in exc.problems
                )
                continue
            row |= {
                "aqi": res.aqi,
                "category_level": res.category.level,
                "primary": ";".join(res.primary_pollutants),
                "good": res.aqi <= rules.good_aqi_max,
                "standard": res.standard,
            }
        else:
            row |= {
                "aqi": None,
                "category_level": None,
                "primary": "",
                "good": None,
                "standard": std,
            }
        rows.append(row)
    if problems:
        raise DataValidationError(problems, summary="daily AQI cannot be computed")
    cols = ["scope", "date", "valid", "aqi", "category_level", "primary", "good", "standard"]
    return pd.DataFrame(rows, columns=cols)


def aggregate_daily(
    daily: pd.DataFrame,
    stations: pd.DataFrame,
    *,
    level: str = "unit",
    rules: HJ663Rules | None = None,
) -> pd.DataFrame:
    """Daily statistics of units or of the whole area: mean over stations, item by item.

    Parameters
    ----------
    daily
        Station daily statistics (:func:`daily_statistics`).
    stations
        Station registry with ``station_code``, ``unit_code`` and ``control_point``.
    level
        ``"unit"`` (one row per unit and day) or ``"area"`` (scope ``"region"``; method
        from ``rules.area_method``).
    rules
        HJ 663 rules.

    Returns
    -------
    pandas.DataFrame
        ``scope``, ``date``, the daily items and ``n_stations``.
    """
    rules = rules or load_hj663_rules()
    if level not in ("unit", "area"):
        msg = f"`level` was {level!r} but is expected to be 'unit' or 'area'"
        raise ValueError(msg)
    reg = stations.set_index("station_code")
    unknown = sorted(set(daily["station"]) - set(reg.index))
    if unknown:
        msg = f"station(s) not in the station registry: {unknown[:10]}"
        raise DataValidationError([Problem("<stations>", 0, "station_code", msg)], summary=msg)
    d = daily.copy()
    d["unit"] = d["station"].map(reg["unit_code"].astype(str))
    if rules.exclude_control_points:
        d = d[~d["station"].map(reg["control_point"].astype(bool))]
    items = list(DAILY_ITEMS)
    if level == "unit" or rules.area_method == "units":
        g = d.groupby(["unit", "date"], sort=True)
        out = g[items].mean().reset_index().rename(columns={"unit": "scope"})
        out["n_stations"] = g.size().to_numpy()
        if level == "area":
            g2 = out.groupby("date", sort=True)
            area = g2[items].mean().reset_index()
            area["n_stations"] = g2["n_stations"].sum().to_numpy()
            area.insert(0, "scope", "region")
            return area
        return out
    g3 = d.groupby("date", sort=True)
    area = g3[items].mean().reset_index()
    area["n_stations"] = g3.size().to_numpy()
    area.insert(0, "scope", "region")
    return area


def good_day_ratio(aqi_table: pd.DataFrame) -> pd.DataFrame:
    """Good-air-day ratio (优良天数比率) per scope and year.

    ratio = days with AQI <= 100 ÷ valid monitoring days × 100 %.

    Returns
    -------
    pandas.DataFrame
        ``scope``, ``year``, ``valid_days``, ``good_days``, ``ratio_pct`` (None without valid
        days) and ``standard`` (the editions used, ``+``-joined, in date order).
    """
    if aqi_table.empty:
        return pd.DataFrame(
            columns=["scope", "year", "valid_days", "good_days", "ratio_pct", "standard"]
        )
    t = aqi_table.copy()
    t["year"] = t["date"].str[:4].astype(int)
    rows = []
    for (scope, year), g in t.groupby(["scope", "year"], sort=True):
        v = g[g["valid"]]
        good = int(v["good"].astype(bool).sum())
        stds = list(dict.fromkeys(g.sort_values("date")["standard"]))
        rows.append(
            {
                "scope": scope,
                "year": int(str(year)),
                "valid_days": len(v),
                "good_days": good,
                "ratio_pct": 100.0 * good / len(v) if len(v) else None,
                "standard": "+".join(stds),
            }
        )
    return pd.DataFrame(rows)


def evaluate_good_days(
    hourly: pd.DataFrame,
    stations: pd.DataFrame,
    *,
    standard: str | None = None,
    rules: HJ663Rules | None = None,
) -> dict[str, pd.DataFrame]:
    """Daily AQI and good-day ratio per station, per unit and for the area.

    Returns
    -------
    dict
        ``{"station_daily", "unit_daily", "area_daily", "ratio"}``; ``ratio`` stacks the
        per-year ratios of all three levels with a ``level`` column.
    """
    rules = rules or load_hj663_rules()
    sd = daily_statistics(hourly, rules=rules)
    st = daily_aqi_table(sd, scope_column="station", standard=standard, rules=rules)
    ud = daily_aqi_table(
        aggregate_daily(sd, stations, level="unit", rules=rules),
        scope_column="scope",
        standard=standard,
        rules=rules,
    )
    ad = daily_aqi_table(
        aggregate_daily(sd, stations, level="area", rules=rules),
        scope_column="scope",
        standard=standard,
        rules=rules,
    )
    parts = []
    for level, tab in (("station", st), ("unit", ud), ("area", ad)):
        r = good_day_ratio(tab)
        r.insert(0, "level", level)
        parts.append(r)
    return {
        "station_daily": st,
        "unit_daily": ud,
        "area_daily": ad,
        "ratio": pd.concat(parts, ignore_index=True),
    }


def load_air_stations(path: Path | str) -> pd.DataFrame:
    """Read and validate a station registry (``air_stations.csv``), all or nothing."""
    name = str(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        msg = f"{name}: cannot be read ({exc})"
        raise DataValidationError([Problem(name, 0, "file", str(exc))], summary=msg) from None
    missing = [c for c in STATION_COLUMNS if c not in df.columns]
    if missing:
        msg = f"{name}: missing column(s) {missing}"
        raise DataValidationError([Problem(name, 1, ",".join(missing), "missing")], summary=msg)
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, rec in enumerate(df.to_dict("records"), start=2):
        code = rec["station_code"].strip()
        if not code or code in seen:
            problems.append(Problem(name, i, "station_code", "empty or duplicate"))
        seen.add(code)
        for col, lo, hi in (("lon", 73.0, 136.0), ("lat", 3.0, 54.0)):
            try:
                x = float(rec[col])
                if not lo <= x <= hi:
                    problems.append(Problem(name, i, col, f"{x} outside China ({lo}..{hi})"))
            except ValueError:
                problems.append(Problem(name, i, col, f"not a number: {rec[col]!r}"))
        if not (rec["unit_code"].isdigit() and len(rec["unit_code"]) == 6):
            problems.append(Problem(name, i, "unit_code", "expected a 6-digit GB/T 2260 code"))
        if rec["control_point"] not in ("true", "false"):
            problems.append(Problem(name, i, "control_point", "expected true or false"))
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid station registry")
    df["lon"] = df["lon"].astype(float)
    df["lat"] = df["lat"].astype(float)
    df["control_point"] = df["control_point"] == "true"
    return df


def assign_units(lon: Sequence[float], lat: Sequence[float], units: Any) -> list[str | None]:
    """Unit code containing each point (point-in-polygon), None outside every unit.

    Parameters
    ----------
    lon, lat
        WGS84 coordinates, degrees.
    units
        GeoDataFrame of unit polygons in EPSG:4326 indexed by unit code (``Region.units``)
        or with a ``code`` column; only county-level polygons should be passed, so that
        prefecture polygons do not shadow their counties.

    Returns
    -------
    list of str or None
    """
    import shapely

    if units.crs is not None and units.crs.to_epsg() != 4326:
        from metrocircle._errors import CrsError

        msg = f"unit polygons must be EPSG:4326, got {units.crs}"
        raise CrsError(msg)
    codes = [str(c) for c in (units["code"] if "code" in units.columns else units.index)]
    pts = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    tree = shapely.STRtree(np.asarray(units.geometry.values))
    pt_idx, poly_idx = tree.query(pts, predicate="within")
    out: list[str | None] = [None] * len(pts)
    for p, g in zip(pt_idx.tolist(), poly_idx.tolist(), strict=True):
        if out[p] is None:
            out[p] = codes[g]
    return out
