"""`access od` by mode: oracle against the reference engine, and the invariants of scenarios."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from metrocircle.access.commute import commute_table, seats
from metrocircle.access.od import MODE_LINKS, mode_network, od, trace_trips
from metrocircle.network.engine import DijkstraEngine
from metrocircle.network.model import load_network, make_engine, points_cost_matrix
from metrocircle.network.scenarios import (
    Scenario,
    apply,
    flatten,
    load_region_scenarios,
    scenario_network,
)
from metrocircle.region import Region


@pytest.fixture(scope="module")
def plan(region: Region):  # type: ignore[no-untyped-def]
    return scenario_network(region, "plan-2035")


@pytest.mark.parametrize("mode", sorted(MODE_LINKS))
def test_traced_trips_match_the_reference_and_the_fast_engine(
    region: Region, plan, mode: str
) -> None:  # type: ignore[no-untyped-def]
    net = mode_network(plan, mode)
    st = seats(region)
    pts = st[["lon", "lat"]].to_numpy(dtype=float)
    for dest_code in ("500103", "500120", "511602"):
        u = region.units.loc[dest_code]
        dest = (float(u["seat_lon"]), float(u["seat_lat"]))
        traced = np.array([t.minutes for t in trace_trips(net, pts, dest)])
        ref = points_cost_matrix(net, pts, np.array([dest]), engine=DijkstraEngine(net.graph))[:, 0]
        fast = points_cost_matrix(net, pts, np.array([dest]), engine=make_engine(net.graph))[:, 0]
        assert np.array_equal(np.isfinite(traced), np.isfinite(ref))
        ok = np.isfinite(ref)
        assert ok.sum() >= 10
        np.testing.assert_allclose(traced[ok], ref[ok], atol=0.01)
        np.testing.assert_allclose(fast[ok], ref[ok], atol=0.01)
        # the legs add up to the trip
        for t in trace_trips(net, pts[:5], dest):
            if t.reached:
                assert abs(sum(x.minutes for x in t.legs) - t.minutes) < 0.1 * len(t.legs) + 0.05


def test_od_document(region: Region) -> None:
    r = od(region, "璧山", "渝中区", "plan-2025").to_dict()
    assert set(r) >= {"from", "to", "scenario", "minutes", "mode", "by_mode", "path"}
    assert set(r["by_mode"]) == {"road", "rail"}
    finite = [v for v in r["by_mode"].values() if v is not None]
    assert r["minutes"] == min(finite)
    assert r["by_mode"][r["mode"]] == r["minutes"]
    assert r["path"] and all(isinstance(x, str) and ":" not in x for x in r["path"])
    assert r["value_kind"] == "modelled"
    # rail path is named by lines, not ids
    rail_legs = r["legs_by_mode"]["rail"]
    assert all("rail:" not in leg["name_zh"] and "stn:" not in leg["name_zh"] for leg in rail_legs)


def test_commute_minutes_are_the_faster_mode(region: Region, plan) -> None:  # type: ignore[no-untyped-def]
    t = commute_table(region, plan).table
    best = np.fmin(t["minutes_road"].to_numpy(float), t["minutes_rail"].to_numpy(float))
    np.testing.assert_allclose(t["minutes_to_centre"].to_numpy(float), best)
    u = od(region, "500118", region.manifest.centre.unit, "plan-2035")
    assert u.mode in ("road", "rail")


def _times(region: Region, net) -> np.ndarray:  # type: ignore[no-untyped-def]
    t = commute_table(region, net).table
    return np.column_stack([t["minutes_road"].to_numpy(float), t["minutes_rail"].to_numpy(float)])


def test_adding_a_project_never_lengthens_a_trip(region: Region) -> None:
    sc = load_region_scenarios(region)
    base = load_network(region)
    before = _times(region, base)
    keys: dict[str, list] = {}  # type: ignore[type-arg]
    for m in flatten(sc, "plan-2035"):
        keys.setdefault(m.key, []).append(m)
    assert len(keys) >= 20
    for key, ms in keys.items():
        after = _times(region, apply(base, ms, strict=False))
        worse = after > before + 1e-3
        assert not worse.any(), f"{key} lengthens a trip"


def test_a_project_opening_after_the_scenario_year_has_no_effect(region: Region) -> None:
    sc = load_region_scenarios(region)
    late = [m for m in flatten(sc, "plan-2035") if (m.in_service_year or 0) > 2025]
    assert late
    p25 = sc["plan-2025"]
    with_late = replace(p25, id="plan-2025-with-late", modifications=(*p25.modifications, *late))
    scenarios = {**sc, with_late.id: with_late}
    base = load_network(region)
    a = apply(base, p25, scenarios=sc)
    b = apply(base, with_late, scenarios=scenarios)
    assert (a.link_active == b.link_active).all()
    np.testing.assert_array_equal(_times(region, a), _times(region, b))
    # the same projects do act in a scenario whose year they are in service by
    c = apply(base, Scenario("later", "", "", 2035, "", "", tuple(late)))
    assert c.link_active.sum() > base.link_active.sum()


def test_road_legs_carry_their_length_and_ride_the_expressway_corridor(region: Region) -> None:
    """涪陵 → 渝中 by car: every road leg has its km, and the trip rides expressways end to end."""
    r = od(region, "涪陵", "渝中", "baseline-2020").to_dict()
    legs = r["legs_by_mode"]["road"]
    ex = [x for x in legs if x["category"] == "expressway"]
    assert ex and all(x["km"] > 0 for x in ex)
    a, b = region.units.loc["500102"], region.units.loc["500103"]
    straight = _km(a["seat_lon"], a["seat_lat"], b["seat_lon"], b["seat_lat"])
    km = sum(x["km"] for x in legs)
    assert straight < km < 1.8 * straight
    # modelled local roads only at the two ends: less than a third of the minutes
    local = sum(x["minutes"] for x in legs if x["category"] == "local")
    assert local < r["by_mode"]["road"] / 3


def _km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle km (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6371.0 * np.arcsin(np.sqrt(a)))


@pytest.mark.parametrize("scenario", ["baseline-2020", "plan-2025", "plan-2035"])
def test_no_rail_trip_to_the_centre_takes_a_detour(region: Region, scenario: str) -> None:
    """Every unit's rail trip to 渝中 stays within 2.5 times the straight line (plus 5 km).

    南川 in plan-2025 once rode 渝厦 away to 黔江 and 渝怀 back (460 km, 5 hours) because
    重庆东, where 渝厦 ends, had no way on to the metro; a trip like that is no rail
    connection a planner would recognise.
    """
    net = mode_network(scenario_network(region, scenario), "rail")
    st = seats(region)
    b = region.units.loc["500103"]
    dest = (float(b["seat_lon"]), float(b["seat_lat"]))
    trips = trace_trips(net, st[["lon", "lat"]].to_numpy(dtype=float), dest)
    checked = 0
    for (_, u), t in zip(st.iterrows(), trips, strict=True):
        if not t.reached:
            continue
        straight = _km(u["lon"], u["lat"], *dest)
        km = sum(x.km for x in t.legs)
        assert km < 2.5 * straight + 5.0, (u["name_zh"], scenario, round(km), round(straight))
        checked += 1
    assert checked >= 20
