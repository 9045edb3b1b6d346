"""The region adapter and the registered indicators on the embedded Chongqing dataset.

The shipped facility layers are partial (see sectors/facility_gaps.toml), so these tests
build layers from the dataset's own sourced points (county seats) and label them as test sites.
"""

from __future__ import annotations

import numpy as np
import pytest

from metrocircle._errors import MetrocircleError
from metrocircle.coverage.facilities import FacilityLayer
from metrocircle.coverage.measures import Coverage
from metrocircle.coverage.service import (
    builtin_candidates,
    coverage_from_region,
    facility_costs,
    nth_nearest_from_region,
    scenario_year,
    sites_geojson,
    siting_from_region,
    two_step_fca_from_region,
    zone_table,
    zones_geojson,
)
from metrocircle.indicators.registry import ComputeContext, compute, get_indicator
from metrocircle.region import Region

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:spopt"),
]


@pytest.fixture(scope="module")
def seats(region: Region) -> FacilityLayer:
    return builtin_candidates(region, "seats")


@pytest.fixture(scope="module")
def seat_costs(region: Region, seats: FacilityLayer) -> object:
    return facility_costs(region, seats)


def _subset(layer: FacilityLayer, ids: list[str]) -> FacilityLayer:
    t = layer.table[layer.table["id"].isin(ids)].reset_index(drop=True)
    return FacilityLayer(t, layer.origin)


def test_zones_carry_estimated_population(region: Region) -> None:
    z = zone_table(region)
    assert len(z) > 500
    assert z["method"].str.startswith("estimate").all()
    assert set(z["unit"]) <= set(region.county_codes)
    assert (z["population"] >= 0).all()


def test_builtin_candidates(region: Region, seats: FacilityLayer) -> None:
    assert len(seats) >= 25  # units without a seat point are left out
    assert all(s.startswith("candidate site") for s in seats.table["source"])
    twp = builtin_candidates(region, "townships")
    assert len(twp) == len(zone_table(region))
    with pytest.raises(ValueError, match="`name`"):
        builtin_candidates(region, "hospitals")


def test_coverage_matches_pure_core(
    region: Region, seats: FacilityLayer, seat_costs: object
) -> None:
    cov, zc = coverage_from_region(region, seats, minutes=60)
    assert zc.cost.shape == (len(zc.zones), len(seats))
    ref = Coverage.from_cost_matrix(zc.cost, zc.zones, minutes=60)
    assert cov.covered_population == ref.covered_population
    # the seat of 渝中区 is in 渝中区: every 渝中 zone is covered
    assert cov.by_unit.loc["500103", "share"] == 1.0
    assert 0 < cov.share <= 1  # type: ignore[operator]


def test_adding_a_site_never_lowers_region_coverage(region: Region, seats: FacilityLayer) -> None:
    few = _subset(seats, seats.ids[:3])
    more = _subset(seats, seats.ids[:6])
    a, _ = coverage_from_region(region, few, minutes=60)
    b, _ = coverage_from_region(region, more, minutes=60)
    assert b.covered_population >= a.covered_population
    assert (b.by_unit["covered_population"] >= a.by_unit["covered_population"]).all()


def test_nth_nearest_and_2sfca(region: Region, seats: FacilityLayer) -> None:
    first = nth_nearest_from_region(region, seats, n=1)
    second = nth_nearest_from_region(region, seats, n=2)
    assert (second["minutes"] >= first["minutes"]).all()
    with pytest.raises(MetrocircleError, match="capacity"):
        two_step_fca_from_region(region, seats)
    t = seats.table.assign(capacity=100.0, capacity_unit="beds")
    zones, units = two_step_fca_from_region(region, FacilityLayer(t, "test"), catchment_min=60)
    assert (zones["accessibility"] >= 0).all()
    # supply is conserved over served facilities: Σ P·A ≤ Σ S
    assert float((zones["population"] * zones["accessibility"]).sum()) <= 100.0 * len(seats) + 1e-6
    assert set(units.index) <= set(region.county_codes)


def test_siting_run_matches_spopt(region: Region, seats: FacilityLayer, seat_costs: object) -> None:
    spopt_locate = pytest.importorskip("spopt.locate")
    pulp = pytest.importorskip("pulp")
    run = siting_from_region(region, seats, model="pmedian", p=3)
    assert run.sites["selected"].sum() == 3
    cost = seat_costs.cost  # type: ignore[attr-defined]
    w = seat_costs.zones["population"].to_numpy()  # type: ignore[attr-defined]
    ref = spopt_locate.PMedian.from_cost_matrix(cost, w, p_facilities=3).solve(
        pulp.PULP_CBC_CMD(msg=False)
    )
    assert run.result.objective == pytest.approx(ref.problem.objective.value(), rel=1e-6)
    gj = sites_geojson(run)
    assert len(gj["features"]) == 3
    d = run.to_dict()
    assert set(d["assignment"].values()) <= set(d["selected"])


def test_lscp_with_existing_sites(region: Region, seats: FacilityLayer) -> None:
    existing = _subset(seats, [seats.ids[0]])
    cands = _subset(seats, seats.ids[1:])
    run = siting_from_region(region, cands, model="lscp", existing=existing, service_min=60)
    assert bool(run.sites.loc[0, "selected"]) and bool(run.sites.loc[0, "existing"])
    with pytest.raises(MetrocircleError, match="both as existing and as candidate"):
        siting_from_region(region, seats, model="lscp", existing=existing)
    with pytest.raises(ValueError, match="`p`"):
        siting_from_region(region, seats, model="mclp")


def test_zones_geojson_only_masked(region: Region) -> None:
    z = zone_table(region)
    gj = zones_geojson(z, mask=np.arange(len(z)) < 2)
    assert len(gj["features"]) == 2
    assert gj["features"][0]["geometry"]["type"] == "Point"


def test_scenario_year_and_unknown_scenario(region: Region, seats: FacilityLayer) -> None:
    assert scenario_year(region, None) is None
    assert scenario_year(region, "baseline-2020") == 2020
    with pytest.raises(MetrocircleError, match="unknown scenario"):
        facility_costs(region, seats, scenario="no-such-scenario")


# --- registered indicators ---------------------------------------------------------------


def test_indicator_without_facilities_says_what_is_needed(region: Region) -> None:
    # the shipped emergency layer is declared incomplete: no value, the missing list instead
    spec = get_indicator("coverage.rescue_circle_1h")
    assert spec.unit == "minutes"
    assert "emergency reserve" in spec.needs
    with pytest.raises(
        MetrocircleError,
        match=r"the shipped emergency_sites layer is incomplete .*missing: .*中央救灾物资重庆储备库.*; "
        "needed: a facility layer of emergency reserve",
    ):
        compute("coverage.rescue_circle_1h", ComputeContext(region))


def test_indicator_rejects_layer_without_that_type(region: Region, seats: FacilityLayer) -> None:
    t = seats.table.assign(type="fire_station")
    with pytest.raises(MetrocircleError, match="no facility of type 'emergency_reserve'"):
        compute(
            "coverage.rescue_circle_1h",
            ComputeContext(region, params={"facilities": FacilityLayer(t, "x")}),
        )


def test_indicator_values_per_unit_and_area(region: Region, seats: FacilityLayer) -> None:
    ctx = ComputeContext(region, params={"facilities": seats})
    worst = {v.scope: v for v in compute("coverage.rescue_circle_1h", ctx)}
    share = {v.scope: v for v in compute("coverage.rescue_circle_1h_share", ctx)}
    cov, _ = coverage_from_region(region, seats, minutes=60)
    assert set(worst) == set(share) == {"region", *region.county_codes, "511600"}
    assert worst["region"].period == region.manifest.plan_year
    z = cov.zones[cov.zones["population"] > 0]
    assert worst["region"].value == pytest.approx(round(float(z["nearest_min"].max()), 1))
    assert share["region"].value == pytest.approx(round(100 * cov.share, 2))  # type: ignore[operator]
    assert share["500103"].value == 100.0
    # the area's worst time is the worst of its units'
    unit_worst = [worst[c].value for c in region.county_codes if worst[c].value is not None]
    assert worst["region"].value == max(unit_worst)
    assert worst["region"].provenance["scenario"] == "base"


def test_fitness_circle_needs_fine_network(region: Region, seats: FacilityLayer) -> None:
    with pytest.raises(MetrocircleError, match="no walking links"):
        compute(
            "coverage.fitness_circle_15min", ComputeContext(region, params={"facilities": seats})
        )


def test_indicator_on_scenarios(region: Region, seats: FacilityLayer) -> None:
    from metrocircle.coverage.service import scenario_ids

    ids = scenario_ids(region)
    assert "baseline-2020" in ids
    for sc in [s for s in ids if s in ("baseline-2020", "plan-2035")]:
        vals = compute(
            "coverage.rescue_circle_1h_share",
            ComputeContext(region, scenario=sc, params={"facilities": seats}),
        )
        by = {v.scope: v for v in vals}
        assert by["region"].period == scenario_year(region, sc)
        assert by["region"].provenance["scenario"] == sc
        assert by["region"].value is not None and 0 < by["region"].value <= 100


def test_plan_target_binds_to_the_minutes_indicator(region: Region, seats: FacilityLayer) -> None:
    from metrocircle.indicators.service import evaluate_region

    target = region.target("rescue_circle_1h")
    assert target.computed_by == "coverage.rescue_circle_1h"
    assert target.unit == get_indicator("coverage.rescue_circle_1h").unit
    (none,) = evaluate_region(region, targets=[target])
    assert none.latest_value is None
    assert none.status == "no_data"
    # the reason says in words what is missing; the exact list of missing sites is a warning
    assert "rescue circle" in none.reason.en
    assert any("中央救灾物资重庆储备库" in w.en for w in none.warnings)
    (ev,) = evaluate_region(region, targets=[target], params={"facilities": seats})
    worst = {
        v.scope: v.value
        for v in compute(
            "coverage.rescue_circle_1h", ComputeContext(region, params={"facilities": seats})
        )
    }
    assert ev.latest_value == worst["region"]
