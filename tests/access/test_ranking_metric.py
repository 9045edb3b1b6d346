"""The ranking's one-search metric answers what the traced trips answer (oracle)."""

from __future__ import annotations

import numpy as np

from metrocircle.access.commute import centre_lonlat, seats
from metrocircle.access.od import MODE_LINKS, mode_network, trace_trips
from metrocircle.access.ranking import minutes_to_point
from metrocircle.network.scenarios import scenario_network
from metrocircle.region import Region


def test_backward_search_equals_traced_trips(region: Region) -> None:
    net = scenario_network(region, "plan-2025")
    pts = seats(region)[["lon", "lat"]].to_numpy(dtype=float)
    c = centre_lonlat(region)
    for m in MODE_LINKS:
        mn = mode_network(net, m)
        fast = minutes_to_point(mn, pts, c)
        traced = np.array([t.minutes for t in trace_trips(mn, pts, c)])
        assert np.isfinite(traced).sum() >= len(pts) // 2
        np.testing.assert_allclose(fast, traced, rtol=1e-5, atol=1e-3, err_msg=m)
