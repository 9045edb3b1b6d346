"""What a warning reaches: the reach below each station and the townships along it.

No open river-centreline geometry of the area is available to the project (the shared data
hold none, and OpenStreetMap extracts cannot be fetched here), so each reach is drawn as the
straight station-to-station line and labelled ``schematic`` wherever it is shown.  The
townships of a reach are the township points (``network/zones.csv``) of the reach's units
that lie within the named distance ``township_distance_km`` of that line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import LineString, Point

from metrocircle.geo import MetricProjection, metric_crs_for
from metrocircle.sectors.flood._model import FloodStation

__all__ = ["SCHEMATIC", "Reach", "Township", "reaches", "townships_along"]

SCHEMATIC = "schematic"
"""The kind of every reach geometry here: straight lines between station points."""


@dataclass(frozen=True, slots=True)
class Reach:
    """The reach below a station: to the next station down, or the station point alone."""

    station_id: str
    downstream_id: str | None
    coordinates: tuple[tuple[float, float], ...]
    units: tuple[str, ...]
    geometry: str = SCHEMATIC

    def to_feature(self, **props: Any) -> dict[str, Any]:
        """A GeoJSON feature (LineString, or Point for a last station)."""
        coords = [list(c) for c in self.coordinates]
        geom = (
            {"type": "LineString", "coordinates": coords}
            if len(coords) > 1
            else {"type": "Point", "coordinates": coords[0]}
        )
        return {
            "type": "Feature",
            "geometry": geom,
            "properties": {
                "kind": "reach",
                "station_id": self.station_id,
                "downstream_id": self.downstream_id,
                "units": list(self.units),
                "geometry_kind": self.geometry,
                **props,
            },
        }


@dataclass(frozen=True, slots=True)
class Township:
    """A township point near a reach: its zone id, name, unit and distance to the line."""

    zone_id: str
    name_zh: str
    unit: str
    distance_km: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "zone_id": self.zone_id,
            "name_zh": self.name_zh,
            "unit": self.unit,
            "distance_km": round(self.distance_km, 1),
        }


def reaches(stations: Sequence[FloodStation]) -> dict[str, Reach]:
    """The schematic reach below each placed station, by station id.

    A station without a point has no reach geometry; a station whose downstream neighbour has
    no point, or that has none, gets its point alone.
    """
    by_id = {s.id: s for s in stations}
    out: dict[str, Reach] = {}
    for s in stations:
        if s.lon is None or s.lat is None:
            continue
        coords: list[tuple[float, float]] = [(s.lon, s.lat)]
        nxt = by_id.get(s.downstream) if s.downstream else None
        if nxt is not None and nxt.lon is not None and nxt.lat is not None:
            coords.append((nxt.lon, nxt.lat))
        out[s.id] = Reach(
            station_id=s.id,
            downstream_id=s.downstream,
            coordinates=tuple(coords),
            units=s.reach_units,
        )
    return out


def townships_along(
    reach: Reach, zones: Sequence[Mapping[str, Any]], distance_km: float
) -> tuple[Township, ...]:
    """The township points of the reach's units within ``distance_km`` of its line, nearest first.

    ``zones`` are rows with ``zone_id``, ``code`` (the unit), ``name_zh``, ``lon``, ``lat``.
    """
    units = set(reach.units)
    rows = [z for z in zones if str(z["code"]) in units]
    if not rows:
        return ()
    lons = [c[0] for c in reach.coordinates] + [float(z["lon"]) for z in rows]
    lats = [c[1] for c in reach.coordinates] + [float(z["lat"]) for z in rows]
    proj = MetricProjection(metric_crs_for(lons, lats))
    x, y = proj.forward(lons, lats)
    n = len(reach.coordinates)
    line = LineString(list(zip(x[:n], y[:n], strict=True))) if n > 1 else Point(x[0], y[0])
    out = []
    for i, z in enumerate(rows, start=n):
        d = line.distance(Point(x[i], y[i])) / 1000.0
        if d <= distance_km:
            out.append(Township(str(z["zone_id"]), str(z["name_zh"]), str(z["code"]), d))
    out.sort(key=lambda t: (t.distance_km, t.zone_id))
    return tuple(out)
