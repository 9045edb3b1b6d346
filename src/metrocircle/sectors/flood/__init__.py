"""River-basin flood warning: gauge stations, water-level readings and national warning grades.

The grades follow 水利部《水情预警发布管理办法（试行）》(2013), whose 水情预警信号 are blue,
yellow, orange and red.  Each grade has a level criterion (approaching the warning level, at
or above the warning level, the guarantee level, the highest level on record) and a
return-period criterion (5, 20, 50 years).  Frequency curves of the stations are not
published, so only the level criteria are evaluated, and every warning says so.  A station
without a published level cannot reach the grades that need it.

A warning at a station alerts the governments along the reach below it at once, and those of
the reaches further downstream after a flood-wave travel time computed from a named,
fitted parameter (``flood_rules.toml``): those times are parameterised, never a forecast.
Each reach is drawn as the straight line between its stations and labelled ``schematic`` (no
open river geometry is available); the townships of its units within a named distance of
that line are listed as exposed.
"""

from __future__ import annotations

from metrocircle.sectors.flood._exposure import SCHEMATIC, Reach, Township, reaches, townships_along
from metrocircle.sectors.flood._load import (
    load_flood_rules,
    load_flood_sources,
    load_flood_stations,
    read_levels,
)
from metrocircle.sectors.flood._model import (
    MAX_LEVEL_ROWS,
    RULES_FILE,
    SOURCES_FILE,
    STATIONS_FILE,
    FloodRules,
    FloodSource,
    FloodStation,
    FloodWarning,
    FloodWarnings,
    Grade,
    LevelReading,
    ReachAlert,
)
from metrocircle.sectors.flood._warn import (
    ZONES_FILE,
    dataset_stations,
    dataset_zones,
    flood_warnings,
    grade_level,
    layer_document,
    stations_document,
    warnings_document,
)

__all__ = [
    "MAX_LEVEL_ROWS",
    "RULES_FILE",
    "SCHEMATIC",
    "SOURCES_FILE",
    "STATIONS_FILE",
    "ZONES_FILE",
    "FloodRules",
    "FloodSource",
    "FloodStation",
    "FloodWarning",
    "FloodWarnings",
    "Grade",
    "LevelReading",
    "Reach",
    "ReachAlert",
    "Township",
    "dataset_stations",
    "dataset_zones",
    "flood_warnings",
    "grade_level",
    "layer_document",
    "load_flood_rules",
    "load_flood_sources",
    "load_flood_stations",
    "reaches",
    "read_levels",
    "stations_document",
    "townships_along",
    "warnings_document",
]
