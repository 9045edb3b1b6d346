"""Records of the flood-warning layer: stations, sources, grades, readings and warnings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyproj import Geod

__all__ = [
    "MAX_LEVEL_ROWS",
    "RULES_FILE",
    "SOURCES_FILE",
    "STATIONS_FILE",
    "FloodRules",
    "FloodSource",
    "FloodStation",
    "FloodWarning",
    "FloodWarnings",
    "Grade",
    "LevelReading",
    "ReachAlert",
]

STATIONS_FILE = "sectors/flood_stations.csv"
SOURCES_FILE = "sectors/flood_sources.csv"
RULES_FILE = "sectors/flood_rules.toml"
#: Upper bound on rows of one water-level file (keeps API and CLI memory bounded).
MAX_LEVEL_ROWS = 200_000
_BASES = frozenset({"stated", "derived"})
_PLACEMENTS = frozenset({"published_coordinate", "township_point", "unit_seat"})
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class FloodSource:
    """Where a station's figure was read: the publisher, the publication and its words."""

    id: str
    publisher: str
    publication: str
    published_date: str
    url: str
    statement: str


@dataclass(frozen=True, slots=True)
class FloodStation:
    """A hydrological gauge station with its published levels (metres, in ``datum``).

    ``*_basis`` is ``stated`` when the level is printed in the source, ``derived`` when it is a
    reported level minus the reported excess over it (both printed in the same source).
    """

    id: str
    name_zh: str
    name_en: str
    river_zh: str
    river_en: str
    unit: str | None
    lon: float | None
    lat: float | None
    placed_by: str | None
    datum: str | None
    warning_level_m: float | None
    warning_basis: str | None
    warning_source: str | None
    guarantee_level_m: float | None
    guarantee_basis: str | None
    guarantee_source: str | None
    highest_level_m: float | None
    highest_year: int | None
    highest_source: str | None
    downstream: str | None
    reach_units: tuple[str, ...]
    notes: str

    def to_dict(self, sources: Mapping[str, FloodSource] | None = None) -> dict[str, Any]:
        """JSON-ready item: the issue's fields first, then bases, sources and placement."""

        def cite(key: str | None) -> dict[str, str] | None:
            if key is None:
                return None
            src = (sources or {}).get(key)
            if src is None:
                return {"id": key}
            return {
                "id": key,
                "publisher": src.publisher,
                "publication": src.publication,
                "published_date": src.published_date,
                "url": src.url,
            }

        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "river": self.river_zh,
            "river_en": self.river_en,
            "lon": self.lon,
            "lat": self.lat,
            "unit": self.unit,
            "warning_level_m": self.warning_level_m,
            "guarantee_level_m": self.guarantee_level_m,
            "highest_level_m": self.highest_level_m,
            "highest_year": self.highest_year,
            "datum": self.datum,
            "source": {
                "warning": cite(self.warning_source),
                "guarantee": cite(self.guarantee_source),
                "highest": cite(self.highest_source),
            },
            "warning_basis": self.warning_basis,
            "guarantee_basis": self.guarantee_basis,
            "placed_by": self.placed_by,
            "downstream": self.downstream,
            "reach_units": list(self.reach_units),
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class Grade:
    """One national warning grade: its level rule and its return-period rule."""

    grade: str
    name_zh: str
    name_en: str
    level_rule: str
    rule_zh: str
    return_period_years: int
    return_period_rule: str


@dataclass(frozen=True, slots=True)
class FloodRules:
    """Grades (lowest first) and the named parameters of the warning layer."""

    grades: tuple[Grade, ...]
    blue_margin_m: float
    wave_speed_straight_kmh: float
    horizon_hours: float
    publisher: str
    publication: str
    why: Mapping[str, str] = field(default_factory=dict)
    exposure_project_types: tuple[str, ...] = ()
    related_targets: tuple[str, ...] = ()
    township_distance_km: float = 5.0
    """Townships within this distance of a reach's line are listed as exposed (named in data)."""

    def grade(self, key: str) -> Grade:
        """The grade called ``key`` (blue, yellow, orange, red)."""
        for g in self.grades:
            if g.grade == key:
                return g
        msg = f"unknown flood grade {key!r}; expected one of {[g.grade for g in self.grades]}"
        raise KeyError(msg)


@dataclass(frozen=True, slots=True)
class LevelReading:
    """One water-level reading of a station: an aware time and the level in metres."""

    station_id: str
    time: datetime
    level_m: float
    line: int = field(default=0, compare=False)
    """The reading's row in its file (0: not from a file)."""


@dataclass(frozen=True, slots=True)
class ReachAlert:
    """An alert to the governments of a reach downstream of a warned station."""

    station_id: str
    name_zh: str
    name_en: str
    units: tuple[str, ...]
    travel_hours: float
    expected_time: datetime
    travel_kind: str = "parameterised"
    townships: tuple[Mapping[str, Any], ...] = ()
    reach_geometry: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "station_id": self.station_id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "units": list(self.units),
            "travel_hours": round(self.travel_hours, 1),
            "expected_time": self.expected_time.isoformat(),
            "travel_kind": self.travel_kind,
            "townships": [dict(t) for t in self.townships],
            "reach_geometry": self.reach_geometry,
        }


@dataclass(frozen=True, slots=True)
class FloodWarning:
    """The warning of one station at its latest reading."""

    station_id: str
    name_zh: str
    name_en: str
    river: str
    time: datetime
    level_m: float
    above_warning_m: float | None
    above_guarantee_m: float | None
    grade: str
    grade_zh: str
    criterion: str
    units: tuple[str, ...]
    downstream: tuple[ReachAlert, ...]
    projects: tuple[Mapping[str, str], ...] = ()
    townships: tuple[Mapping[str, Any], ...] = ()
    reach_geometry: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the issue's fields first."""

        def rnd(v: float | None) -> float | None:
            return None if v is None else round(v, 2)

        return {
            "station_id": self.station_id,
            "time": self.time.isoformat(),
            "level_m": self.level_m,
            "above_warning_m": rnd(self.above_warning_m),
            "grade": self.grade,
            "units": list(self.units),
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "river": self.river,
            "above_guarantee_m": rnd(self.above_guarantee_m),
            "grade_zh": self.grade_zh,
            "criterion": self.criterion,
            "downstream": [a.to_dict() for a in self.downstream],
            "projects": [dict(p) for p in self.projects],
            "townships": [dict(t) for t in self.townships],
            "reach_geometry": self.reach_geometry,
        }


@dataclass(frozen=True, slots=True)
class FloodWarnings:
    """Every warning of one set of readings, with the rule that graded them."""

    warnings: tuple[FloodWarning, ...]
    stations_read: int
    rule: str
    limitation: str
    limitation_zh: str
    related_targets: tuple[str, ...] = ()
    township_distance_km: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON document: ``{"warnings": [...], "stations_read", "rule", "limitation"}``."""
        return {
            "warnings": [w.to_dict() for w in self.warnings],
            "stations_read": self.stations_read,
            "rule": self.rule,
            "limitation": self.limitation,
            "limitation_zh": self.limitation_zh,
            "related_targets": list(self.related_targets),
            "township_distance_km": self.township_distance_km,
        }
