"""Zones finer than units: township points with an ESTIMATED population (network/zones.csv)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from metrocircle._errors import DataValidationError, Problem

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = ["ZONE_COLUMNS", "load_zones", "read_zones"]

ZONE_COLUMNS = ("zone_id", "code", "name_zh", "lon", "lat", "population_est", "method")
"""Columns every zones.csv has (``source`` may follow)."""


def read_zones(
    path: Path, *, unit_codes: set[str] | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and check a zones.csv; return the table or the problems (file:row:field)."""
    f = path.name
    if not path.is_file():
        return None, [Problem(f, 0, "*", "file not found")]
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = [
        Problem(f, 1, c, "required column is missing") for c in ZONE_COLUMNS if c not in df.columns
    ]
    if problems:
        return None, problems
    dup = df["zone_id"].duplicated()
    for i in df.index[dup]:
        problems.append(
            Problem(f, int(i) + 2, "zone_id", f"duplicate zone id {df.at[i, 'zone_id']!r}")
        )
    lon = pd.to_numeric(df["lon"], errors="coerce")
    lat = pd.to_numeric(df["lat"], errors="coerce")
    pop = pd.to_numeric(df["population_est"], errors="coerce")
    for i in df.index:
        if pd.isna(lon[i]) or not -180 <= lon[i] <= 180:
            problems.append(
                Problem(f, int(i) + 2, "lon", f"{df.at[i, 'lon']!r} is not a WGS84 longitude")
            )
        if pd.isna(lat[i]) or not -90 <= lat[i] <= 90:
            problems.append(
                Problem(f, int(i) + 2, "lat", f"{df.at[i, 'lat']!r} is not a WGS84 latitude")
            )
        if pd.isna(pop[i]) or pop[i] < 0:
            problems.append(
                Problem(f, int(i) + 2, "population_est", "must be a non-negative number")
            )
        if not str(df.at[i, "method"]).startswith("estimate"):
            problems.append(
                Problem(f, int(i) + 2, "method", "a split population must be labelled 'estimate:…'")
            )
        if unit_codes is not None and df.at[i, "code"] not in unit_codes:
            problems.append(
                Problem(f, int(i) + 2, "code", f"unknown unit code {df.at[i, 'code']!r}")
            )
    if problems:
        return None, problems
    out = df.copy()
    out["lon"] = lon.astype(float)
    out["lat"] = lat.astype(float)
    out["population_est"] = pop.astype(float)
    return out, []


def load_zones(region: Region) -> pd.DataFrame:
    """The township zones of a region with their ESTIMATED population.

    The population of a zone is an estimate: no open source gives township population,
    so the 2020 census totals of each unit are split across its township points by the
    method named in the ``method`` column (for the embedded dataset,
    ``estimate:urban_rural_equal_split``: urban population equally over the unit's
    街道, rural population equally over its 镇/乡). Sums per unit equal the census totals.

    Parameters
    ----------
    region
        A loaded :class:`metrocircle.region.Region` whose dataset has ``network/zones.csv``
        (manifest key ``network_zones``).

    Returns
    -------
    pandas.DataFrame
        Columns ``zone_id, code, name_zh, lon, lat, population_est, method`` (+ ``source``);
        lon/lat in WGS84 degrees, population in persons (estimate).

    Raises
    ------
    DataValidationError
        When the file is missing or invalid (problems as file:row:field).

    Examples
    --------
    >>> from metrocircle.region import load_region
    >>> z = load_zones(load_region("chongqing"))
    >>> bool(z["method"].str.startswith("estimate").all())
    True
    """
    from metrocircle.network.model import network_paths

    path = network_paths(region.path, region.manifest)["network_zones"]
    df, problems = read_zones(path, unit_codes=set(region.unit_codes))
    if df is None:
        raise DataValidationError(problems, summary=f"zones file {path} is invalid")
    return df.reset_index(drop=True)
