"""GCJ-02 ↔ WGS84: the inverse reproduces the forward transform; the offset is the known size."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from metrocircle.geo import gcj02_to_wgs84, in_china, project_utm48n, wgs84_to_gcj02


@given(st.floats(100.0, 115.0), st.floats(20.0, 40.0))
def test_inverse_round_trips(lon: float, lat: float) -> None:
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert abs(float(w_lon) - lon) < 1e-8
    assert abs(float(w_lat) - lat) < 1e-8


def test_offset_in_chongqing_is_a_few_hundred_metres() -> None:
    lon, lat = 106.5652, 29.5556
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    x0, y0 = project_utm48n(lon, lat)
    x1, y1 = project_utm48n(g_lon, g_lat)
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
