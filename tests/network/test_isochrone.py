"""Isochrone polygons: the raster construction against the exact disc union it replaces.

The raster must stay within ``ISO_AREA_TOLERANCE`` of the discs' area, keep every reached
node inside, and be a valid polygon, on the embedded Chongqing network and on a medium
synthetic grid; the bounded search must give the engine's times.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from metrocircle.access.od import mode_network
from metrocircle.network.engine import DijkstraEngine
from metrocircle.network.isochrone import (
    ISO_AREA_TOLERANCE,
    _power_distance,
    disc_union,
    isochrone,
    raster_union,
    reach,
)
from metrocircle.region import Region


@pytest.fixture(scope="module")
def road(region: Region):  # type: ignore[no-untyped-def]
    from metrocircle.network.scenarios import scenario_network

    return mode_network(scenario_network(region, "baseline-2020"), "road")


def _seat(region: Region, code: str) -> tuple[float, float]:
    u = region.units.loc[code]
    return float(u["seat_lon"]), float(u["seat_lat"])


def _check(x: np.ndarray, y: np.ndarray, r: np.ndarray) -> float:
    exact = disc_union(x, y, r)
    geom, _ = raster_union(x, y, r)
    assert geom.is_valid
    assert shapely.covers(geom, shapely.points(x, y)).all(), "a disc centre fell outside"
    diff = (geom.area - exact.area) / exact.area
    assert abs(diff) <= ISO_AREA_TOLERANCE, diff
    # the shapes agree, not only the areas
    assert geom.symmetric_difference(exact).area / exact.area <= 2 * ISO_AREA_TOLERANCE
    return diff


@pytest.mark.parametrize(("code", "minutes"), [("500103", 30), ("500118", 45), ("500120", 120)])
def test_raster_matches_the_disc_union_on_chongqing(
    region: Region,
    road,  # type: ignore[no-untyped-def]
    code: str,
    minutes: float,
) -> None:
    lon, lat = _seat(region, code)
    rc = reach(road, lon, lat, minutes)
    assert rc.nodes.size > 5
    _check(rc.x, rc.y, rc.r)


def test_raster_matches_on_a_medium_synthetic_grid() -> None:
    """A 70 × 70 jittered grid (370 m, as gen_osm.py) reached at 40 km/h with 12 % removed."""
    rng = np.random.default_rng(7)
    gx, gy = np.meshgrid(np.arange(70) * 370.0, np.arange(70) * 370.0)
    x = gx.ravel() + rng.uniform(-60, 60, gx.size)
    y = gy.ravel() + rng.uniform(-60, 60, gy.size)
    keep = rng.uniform(size=x.size) > 0.12
    x, y = x[keep], y[keep]
    o = np.array([x.mean(), y.mean()])
    # Manhattan driving at 40 km/h, 30 min; 320 m of access per minute left
    t = (np.abs(x - o[0]) + np.abs(y - o[1])) / (40_000 / 60)
    live = t <= 30
    r = (30 - t[live]) * 320.0
    assert live.sum() > 2000
    diff = _check(
        np.concatenate([[o[0]], x[live]]),
        np.concatenate([[o[1]], y[live]]),
        np.concatenate([[30 * 320.0], r]),
    )
    assert diff > -0.01  # the raster errs outward (frontier floor), never loses area


def test_holes_are_kept() -> None:
    """Discs on a ring: the union has a hole, and so must the raster."""
    a = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    x, y = 10_000 * np.cos(a), 10_000 * np.sin(a)
    r = np.full(a.size, 1500.0)
    geom, _ = raster_union(x, y, r)
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1
    assert not geom.covers(shapely.Point(0, 0))
    _check(x, y, r)


def test_power_distance_is_exact() -> None:
    rng = np.random.default_rng(1)
    g = np.full((30, 41), np.inf)
    ii, jj = rng.integers(0, 30, 9), rng.integers(0, 41, 9)
    g[ii, jj] = -rng.uniform(0, 60, 9)
    yy, xx = np.mgrid[0:30, 0:41]
    brute = np.min(
        [(yy - i) ** 2 + (xx - j) ** 2 + g[i, j] for i, j in zip(ii, jj, strict=True)], axis=0
    )
    np.testing.assert_allclose(_power_distance(g), brute)


def test_bounded_search_gives_the_engines_times(region: Region, road) -> None:  # type: ignore[no-untyped-def]
    lon, lat = _seat(region, "500118")
    own = reach(road, lon, lat, 60)
    ref = reach(road, lon, lat, 60, engine=DijkstraEngine(road.graph))
    np.testing.assert_array_equal(own.nodes, ref.nodes)
    np.testing.assert_allclose(own.r, ref.r, atol=0.05)  # metres: float32 vs float64 sums


def test_small_network_output_stays_close_to_the_discs(region: Region, road) -> None:  # type: ignore[no-untyped-def]
    """What the dashboard shows: the raster polygon in WGS84 next to the exact one."""
    lon, lat = _seat(region, "500103")
    new = isochrone(road, lon, lat, 45)
    old = isochrone(road, lon, lat, 45, method="discs")
    assert new.symmetric_difference(old).area / old.area <= 2 * ISO_AREA_TOLERANCE
    assert shapely.get_num_coordinates(new) < shapely.get_num_coordinates(old)


def test_bad_arguments_are_named(region: Region, road) -> None:  # type: ignore[no-untyped-def]
    lon, lat = _seat(region, "500103")
    with pytest.raises(ValueError, match="`minutes`"):
        isochrone(road, lon, lat, 0)
    with pytest.raises(ValueError, match="`method`"):
        isochrone(road, lon, lat, 10, method="hull")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`cell_m`"):
        isochrone(road, lon, lat, 10, cell_m=-1.0)
