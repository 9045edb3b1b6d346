"""GCJ-02 ↔ WGS84 round trips and offsets; the metric CRS comes from the data and is checked."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocircle.geo import (
    MetricProjection,
    gcj02_to_wgs84,
    in_china,
    metric_crs_for,
    wgs84_to_gcj02,
)
from metrocircle.network.model import load_network
from metrocircle.region import load_region

UTM48N = MetricProjection("EPSG:32648")


@given(st.floats(100.0, 115.0), st.floats(20.0, 40.0))
def test_inverse_round_trips(lon: float, lat: float) -> None:
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert abs(float(w_lon) - lon) < 1e-8
    assert abs(float(w_lat) - lat) < 1e-8


def test_offset_in_chongqing_is_a_few_hundred_metres() -> None:
    lon, lat = 106.5652, 29.5556
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    x0, y0 = UTM48N.forward(lon, lat)
    x1, y1 = UTM48N.forward(g_lon, g_lat)
    shift = float(np.hypot(x1 - x0, y1 - y0))
    assert 200 < shift < 700


def test_no_offset_outside_china() -> None:
    g_lon, g_lat = wgs84_to_gcj02(2.35, 48.85)
    assert float(g_lon) == 2.35
    assert float(g_lat) == 48.85
    assert not bool(in_china(2.35, 48.85))


def test_vectorised() -> None:
    lon = np.array([106.5, 107.0])
    lat = np.array([29.5, 30.0])
    w_lon, w_lat = gcj02_to_wgs84(lon, lat)
    assert w_lon.shape == (2,)
    assert np.all(w_lon < lon)  # GCJ-02 is shifted east of WGS84 in Chongqing


@pytest.mark.parametrize(
    ("lon", "lat", "crs"),
    [(106.55, 29.56, "EPSG:32648"), (116.4, 39.9, "EPSG:32650"), (-43.2, -22.9, "EPSG:32723")],
)
def test_metric_crs_is_the_utm_zone_of_the_centre(lon: float, lat: float, crs: str) -> None:
    assert metric_crs_for([lon], [lat]) == crs


def test_projection_round_trips() -> None:
    x, y = UTM48N.forward([106.2, 107.4], [29.1, 30.3])
    lon, lat = UTM48N.inverse(x, y)
    np.testing.assert_allclose(lon, [106.2, 107.4], atol=1e-9)
    np.testing.assert_allclose(lat, [29.1, 30.3], atol=1e-9)


def test_a_crs_of_another_zone_is_refused_with_the_right_one_named() -> None:
    with pytest.raises(ValueError, match=r"EPSG:32648 covers .*\(here EPSG:32650\)"):
        UTM48N.check([116.3, 116.5], [39.8, 40.0], what="test points")
    UTM48N.check([106.3, 107.9], [29.0, 30.5], what="test points")  # no error inside its zone


def test_a_geographic_crs_is_not_a_metric_crs() -> None:
    with pytest.raises(ValueError, match="not a projected"):
        MetricProjection("EPSG:4326").forward([106.0], [29.0])


def test_network_measures_in_its_own_zone_and_refuses_a_wrong_manifest_crs() -> None:
    net = load_network(load_region("chongqing"))
    assert net.metric_crs == "EPSG:32648"
    # the same network moved by whole degrees into UTM zone 50 (Beijing): without a named CRS
    # it measures in its own zone, and its access minutes match the original's
    moved_nodes = net.nodes.assign(lon=net.nodes["lon"] + 10.2, lat=net.nodes["lat"] + 0.0)
    moved = replace(net, nodes=moved_nodes, metric_crs="")
    assert moved.projection.crs == "EPSG:32650"
    pts_lon, pts_lat = np.array([106.40, 106.90]), np.array([29.40, 29.80])
    _, m0 = net.join(pts_lon, pts_lat)
    _, m1 = moved.join(pts_lon + 10.2, pts_lat)
    np.testing.assert_allclose(m1[:, 0], m0[:, 0], rtol=5e-3)
    # named as zone 48 in its manifest, the moved network is refused instead of mis-measured
    wrong = replace(net, nodes=moved_nodes)
    with pytest.raises(ValueError, match="EPSG:32648"):
        wrong.join(pts_lon + 10.2, pts_lat)
