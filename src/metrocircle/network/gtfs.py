"""Read a GTFS feed (zip of CSV files) into transit stops and stop-to-stop links with timetable minutes."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from metrocircle._errors import DataValidationError, Problem

__all__ = ["GtfsNetwork", "read_gtfs"]

REQUIRED = {
    "stops.txt": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
}


@dataclass(frozen=True)
class GtfsNetwork:
    """Stops and directed stop-to-stop links of a feed.

    ``links`` columns: ``from_stop, to_stop, route_id, route_type, minutes`` (the fastest
    scheduled time of the hop over all trips) and ``trips`` (number of trips making it).
    ``headways`` gives, per route, the mean minutes between trips over the service span.
    """

    stops: pd.DataFrame
    links: pd.DataFrame
    headways: dict[str, float]


def _seconds(t: str) -> int:
    h, m, s = (int(x) for x in t.strip().split(":"))
    return h * 3600 + m * 60 + s


def read_gtfs(path: Path) -> GtfsNetwork:
    """Read a GTFS zip; raise DataValidationError naming file:row:field on bad input.

    Parameters
    ----------
    path
        A GTFS feed (.zip) with at least stops, routes, trips and stop_times.
    """
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DataValidationError(
            [Problem(path.name, 0, "*", f"not a readable zip: {exc}")]
        ) from None
    tables: dict[str, list[dict[str, str]]] = {}
    problems: list[Problem] = []
    names = {Path(n).name: n for n in zf.namelist()}
    for fname, cols in REQUIRED.items():
        if fname not in names:
            problems.append(Problem(fname, 0, "*", "required GTFS file is missing"))
            continue
        with zf.open(names[fname]) as fh:
            r = csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig"))
            header = list(r.fieldnames or [])
            problems += [
                Problem(fname, 1, c, "required column is missing") for c in cols if c not in header
            ]
            tables[fname] = [dict(x) for x in r]
    if problems:
        raise DataValidationError(problems, summary=f"GTFS feed {path} is invalid")
    stops = pd.DataFrame(tables["stops.txt"])
    for i, r in stops.iterrows():
        try:
            lat, lon = float(r["stop_lat"]), float(r["stop_lon"])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError
        except ValueError:
            problems.append(Problem("stops.txt", int(i) + 2, "stop_lat", "not WGS84 degrees"))
    st = pd.DataFrame(tables["stop_times.txt"])
    secs_arr, secs_dep = [], []
    for i, r in st.iterrows():
        try:
            secs_arr.append(_seconds(r["arrival_time"]))
            secs_dep.append(_seconds(r["departure_time"]))
        except ValueError:
            problems.append(
                Problem(
                    "stop_times.txt",
                    int(i) + 2,
                    "arrival_time",
                    f"{r['arrival_time']!r} is not HH:MM:SS",
                )
            )
            secs_arr.append(0)
            secs_dep.append(0)
    unknown = set(st["stop_id"]) - set(stops["stop_id"])
    if unknown:
        problems.append(
            Problem("stop_times.txt", 0, "stop_id", f"unknown stops {sorted(unknown)[:5]}")
        )
    if problems:
        raise DataValidationError(problems, summary=f"GTFS feed {path} is invalid")
    stops["lat"] = stops["stop_lat"].astype(float)
    stops["lon"] = stops["stop_lon"].astype(float)
    st["arr"] = secs_arr
    st["dep"] = secs_dep
    st["seq"] = st["stop_sequence"].astype(int)
    trips = pd.DataFrame(tables["trips.txt"])
    routes = pd.DataFrame(tables["routes.txt"])
    st = st.merge(trips[["trip_id", "route_id"]], on="trip_id").merge(
        routes[["route_id", "route_type"]], on="route_id"
    )
    st = st.sort_values(["trip_id", "seq"])
    nxt = st.groupby("trip_id").shift(-1)
    hop = st.assign(to_stop=nxt["stop_id"], arr_next=nxt["arr"]).dropna(subset=["to_stop"])
    hop = hop.assign(minutes=(hop["arr_next"] - hop["dep"]) / 60.0)
    bad = hop[hop["minutes"] < 0]
    if len(bad):
        raise DataValidationError(
            [
                Problem(
                    "stop_times.txt",
                    0,
                    "arrival_time",
                    f"trip {bad['trip_id'].iloc[0]} goes back in time",
                )
            ]
        )
    links = (
        hop.groupby(["stop_id", "to_stop", "route_id", "route_type"], as_index=False)
        .agg(minutes=("minutes", "min"), trips=("trip_id", "nunique"))
        .rename(columns={"stop_id": "from_stop"})
    )
    first = st.groupby("trip_id").agg(route_id=("route_id", "first"), start=("dep", "min"))
    headways: dict[str, float] = {}
    for rid, g in first.groupby("route_id"):
        s = g["start"].sort_values().to_numpy()
        if len(s) >= 2:
            headways[str(rid)] = float((s[-1] - s[0]) / (len(s) - 1) / 60.0)
    return GtfsNetwork(
        stops[["stop_id", "stop_name", "lon", "lat"]].reset_index(drop=True), links, headways
    )
