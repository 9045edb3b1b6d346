"""Isochrones as polygons: reached nodes buffered by the remaining time at the access speed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from metrocircle.network.model import JOINABLE_KINDS, Network, make_engine

if TYPE_CHECKING:
    from metrocircle.network.engine import TravelTimeEngine

__all__ = ["isochrone", "isochrone_geojson"]


def isochrone(
    network: Network,
    lon: float,
    lat: float,
    minutes: float,
    *,
    engine: TravelTimeEngine | None = None,
) -> Any:
    """The area reachable from a point within ``minutes``, as a shapely geometry in EPSG:4326.

    Every reached node (seat, township, station) contributes a disc whose radius is the
    distance coverable in the remaining time at ``access.speed_kmh`` over
    ``access.circuity``; the discs are unioned in the network's metric CRS and projected back.

    Parameters
    ----------
    network
        The (scenario) network.
    lon, lat
        Origin in WGS84 degrees.
    minutes
        Time budget in minutes (> 0).
    engine
        Engine on ``network.graph`` (default :func:`metrocircle.network.model.make_engine`).
    """
    import shapely

    if not np.isfinite(minutes) or minutes <= 0:
        msg = f"`minutes` was {minutes!r} but is expected to be a positive number of minutes"
        raise ValueError(msg)
    p = network.params
    eng = engine if engine is not None else make_engine(network.graph)
    jn, jm = network.join(np.array([lon]), np.array([lat]))
    ok = np.isfinite(jm[0])
    rows = eng.one_to_many(jn[0][ok], None, cutoff=float(minutes))
    t = np.min(rows + jm[0][ok][:, None], axis=0)
    kinds = network.nodes["kind"].isin(JOINABLE_KINDS).to_numpy()
    reached = np.flatnonzero(kinds & (t <= minutes))
    speed_m_per_min = p["access.speed_kmh"] * 1000.0 / 60.0 / p["access.circuity"]
    proj = network.projection
    x, y = proj.forward(
        network.nodes["lon"].to_numpy()[reached], network.nodes["lat"].to_numpy()[reached]
    )
    radii = (minutes - t[reached]) * speed_m_per_min
    ox, oy = proj.forward([lon], [lat])
    discs = [shapely.Point(float(ox[0]), float(oy[0])).buffer(float(minutes * speed_m_per_min), 16)]
    live = radii > 0
    # one vectorised buffer call (the same discs as Point.buffer one by one, 5x faster)
    rest = shapely.buffer(shapely.points(x[live], y[live]), radii[live], quad_segs=16)
    geom = shapely.union_all([*discs, *rest])

    def to_wgs84(xy: np.ndarray) -> np.ndarray:
        lo, la = proj.inverse(xy[:, 0], xy[:, 1])
        return np.column_stack([lo, la])

    return shapely.transform(geom, to_wgs84)


def isochrone_geojson(
    network: Network,
    lon: float,
    lat: float,
    minutes: float,
    *,
    properties: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The isochrone as a GeoJSON FeatureCollection (one Feature, EPSG:4326)."""
    import shapely

    geom = isochrone(network, lon, lat, minutes)
    props = {
        "minutes": float(minutes),
        "scenario": network.scenario,
        "data_version": network.data_version,
        "method": "reached nodes buffered by remaining time × access speed (parameters access.*)",
    }
    props.update(properties or {})
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        ],
    }
