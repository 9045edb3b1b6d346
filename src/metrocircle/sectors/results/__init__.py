"""Sector workflows as library results: one function per question, one document for both faces.

Each function answers one question the command line (``metrocircle air|water|tourism|fiscal …``)
and the API (``/api/sectors/…``) both ask, and returns a frozen result whose
:meth:`to_json` is what ``--json`` prints and the API returns (same keys, same rows). The
faces parse their input (files, request bodies) and render; they compute nothing.

Dataset files are found under the region's folder: ``sectors/air_stations.csv``, the hourly
station files ``sectors/air_hourly/*.csv``, ``sectors/scenic_areas.csv``, an optional
``sectors/scenic_capacities.csv`` and ``sectors/shared_areas.toml``.

The results live by sector in :mod:`.air`, :mod:`.water`, :mod:`.tourism` and :mod:`.fiscal`;
every public name is re-exported here, the path both faces import from.
"""

from __future__ import annotations

from metrocircle.sectors.results._base import ReferenceRows
from metrocircle.sectors.results.air import (
    AIR_LEVELS,
    AirDaily,
    AirQualityIndex,
    AirWarnings,
    GoodAirDays,
    air_daily,
    air_quality_index,
    air_station_list,
    air_warnings,
    air_warnings_from_days,
    dataset_air_files,
    good_air_days,
    unit_adjacency,
)
from metrocircle.sectors.results.fiscal import (
    FiscalSplit,
    fiscal_split,
    shared_area_list,
)
from metrocircle.sectors.results.tourism import (
    CheckedCount,
    Reporter,
    ScenicAreaList,
    SpatialCapacity,
    TourismWarnings,
    check_visitor_counts,
    crowd_tiers,
    scenic_area_list,
    scenic_areas,
    scenic_capacities,
    tourism_capacity,
    tourism_warnings,
)
from metrocircle.sectors.results.water import (
    WaterClassification,
    water_classification,
    water_classification_file,
    water_limit_table,
)

__all__ = [
    "AIR_LEVELS",
    "AirDaily",
    "AirQualityIndex",
    "AirWarnings",
    "CheckedCount",
    "FiscalSplit",
    "GoodAirDays",
    "ReferenceRows",
    "Reporter",
    "ScenicAreaList",
    "SpatialCapacity",
    "TourismWarnings",
    "WaterClassification",
    "air_daily",
    "air_quality_index",
    "air_station_list",
    "air_warnings",
    "air_warnings_from_days",
    "check_visitor_counts",
    "crowd_tiers",
    "dataset_air_files",
    "fiscal_split",
    "good_air_days",
    "scenic_area_list",
    "scenic_areas",
    "scenic_capacities",
    "shared_area_list",
    "tourism_capacity",
    "tourism_warnings",
    "unit_adjacency",
    "water_classification",
    "water_classification_file",
    "water_limit_table",
]
