"""Registered sector indicators: the good-air-day ratio computed from station data (HJ 663)."""

from __future__ import annotations

from pathlib import Path

from metrocircle.indicators.computed import ComputeContext, ComputedValue, IndicatorSet

__all__ = ["AIR_HOURLY_DIR", "AIR_STATIONS_FILE", "INDICATORS", "good_day_ratio_indicator"]

INDICATORS = IndicatorSet()
"""The computed indicators this module provides (listed in :mod:`metrocircle.extensions`)."""

#: Station registry inside a dataset folder.
AIR_STATIONS_FILE = "sectors/air_stations.csv"
#: Folder of CNEMC-style hourly files inside a dataset folder (user-supplied; none shipped).
AIR_HOURLY_DIR = "sectors/air_hourly"


@INDICATORS.register(
    "air.good_day_ratio",
    name_zh="空气质量优良天数比率",
    name_en="Share of days with good air quality",
    unit="pct",
    description=(
        "HJ 663: days with daily AQI <= 100 / valid monitoring days; unit and area daily values "
        "are station means before the AQI; each day under the HJ 633 edition in force "
        "(break 2026-03-01) unless params['standard'] fixes one"
    ),
    needs="CNEMC-style hourly station files in <dataset>/sectors/air_hourly/ (or params['hourly_files'])",
)
def good_day_ratio_indicator(ctx: ComputeContext) -> list[ComputedValue]:
    """Good-air-day ratio per unit and for the area (scope ``region``) per year, percent.

    ``ctx.params`` may give ``hourly_files`` (paths), ``stations`` (registry path) and
    ``standard`` (``"HJ633-2012"`` or ``"HJ633-2026"`` for every day: dual computation).
    Without station data, returns no values.
    """
    from metrocircle.sectors.air_eval import (
        evaluate_good_days,
        load_air_stations,
        load_hj663_rules,
        read_cnemc_hourly,
    )

    root = Path(ctx.region.dataset_path)
    files = [Path(p) for p in ctx.params.get("hourly_files", ())]
    if not files and (root / AIR_HOURLY_DIR).is_dir():
        files = sorted((root / AIR_HOURLY_DIR).glob("*.csv"))
    if not files:
        return []
    stations = load_air_stations(ctx.params.get("stations", root / AIR_STATIONS_FILE))
    rules = load_hj663_rules()
    standard = ctx.params.get("standard")
    hourly = read_cnemc_hourly(files)
    known = set(stations["station_code"])
    hourly = hourly[hourly["station"].isin(known)]
    result = evaluate_good_days(hourly, stations, standard=standard, rules=rules)
    out: list[ComputedValue] = []
    data_version = str(getattr(ctx.region, "data_version", ""))
    for rec in result["ratio"].to_dict("records"):
        if rec["level"] == "station":
            continue
        std = str(rec["standard"])
        out.append(
            ComputedValue(
                scope=str(rec["scope"]),
                period=int(rec["year"]),
                value=None if rec["ratio_pct"] is None else float(rec["ratio_pct"]),
                provenance={
                    "model": "HJ 663 good-day ratio from station hourly data",
                    "data_version": data_version,
                    "standard": std,
                    "series_break": rules.break_date if "+" in std or std == "HJ633-2026" else "",
                    "valid_days": str(rec["valid_days"]),
                    "good_days": str(rec["good_days"]),
                    "stations": str(len(known)),
                    "area_method": rules.area_method,
                },
            )
        )
    return out
