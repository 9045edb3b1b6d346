"""Coverage measures on hand-checkable cost matrices, and their invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.coverage.measures import (
    MIN_CATCHMENT_DEMAND,
    Coverage,
    covered,
    decay_weights,
    load_parameters,
    nearest_minutes,
    nth_nearest_minutes,
    two_step_fca,
)

INF = np.inf

# three zones in two units, two reserve centres
#   zone  unit  pop    to F1  to F2
#   z1    U     100    20     90
#   z2    U     300    75     61
#   z3    V     600    inf    60
COST = np.array([[20.0, 90.0], [75.0, 61.0], [INF, 60.0]])
ZONES = pd.DataFrame(
    {"zone_id": ["z1", "z2", "z3"], "unit": ["U", "U", "V"], "population": [100.0, 300.0, 600.0]}
)


def test_coverage_by_hand() -> None:
    cov = Coverage.from_cost_matrix(COST, ZONES, minutes=60, facility_ids=["F1", "F2"])
    assert cov.zones["covered"].tolist() == [True, False, True]
    assert cov.zones["nearest_facility"].tolist() == ["F1", "F2", "F2"]
    assert cov.zones["nearest_min"].tolist() == [20.0, 61.0, 60.0]
    assert cov.by_unit.loc["U", "share"] == 0.25
    assert cov.by_unit.loc["V", "share"] == 1.0
    assert cov.share == pytest.approx(0.7)
    assert cov.covered_population == 700.0


def test_threshold_is_inclusive_and_none_reachable() -> None:
    assert covered(COST, minutes=61).tolist() == [True, True, True]
    c = Coverage.from_cost_matrix(np.full((3, 1), INF), ZONES, minutes=60, facility_ids=["F"])
    assert c.share == 0.0
    assert c.zones["nearest_facility"].tolist() == [None, None, None]
    empty = Coverage.from_cost_matrix(np.zeros((3, 0)), ZONES, minutes=60)
    assert empty.share == 0.0
    assert np.isinf(empty.zones["nearest_min"]).all()


def test_unit_without_population_has_no_share() -> None:
    z = ZONES.assign(population=[100.0, 300.0, 0.0])
    cov = Coverage.from_cost_matrix(COST, z, minutes=60)
    assert np.isnan(cov.by_unit.loc["V", "share"])


def test_nth_nearest() -> None:
    assert nearest_minutes(COST).tolist() == [20.0, 61.0, 60.0]
    assert nth_nearest_minutes(COST, 2).tolist() == [90.0, 75.0, INF]
    assert np.isinf(nth_nearest_minutes(COST, 3)).all()
    with pytest.raises(ValueError, match="`n`"):
        nth_nearest_minutes(COST, 0)


@pytest.mark.parametrize(
    ("cost", "match"),
    [
        ([1.0, 2.0], "2-D"),
        ([[np.nan]], "NaN"),
        ([[-1.0]], "negative"),
    ],
)
def test_bad_cost(cost: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        nearest_minutes(cost)  # type: ignore[arg-type]


def test_bad_zones_and_minutes() -> None:
    with pytest.raises(ValueError, match="'population'"):
        Coverage.from_cost_matrix(COST, ZONES.drop(columns="population"), minutes=60)
    with pytest.raises(ValueError, match="3 zones"):
        Coverage.from_cost_matrix(COST[:2], ZONES, minutes=60)
    with pytest.raises(ValueError, match="`minutes`"):
        Coverage.from_cost_matrix(COST, ZONES, minutes=-1)
    with pytest.raises(ValueError, match="`facility_ids`"):
        Coverage.from_cost_matrix(COST, ZONES, minutes=60, facility_ids=["F1"])


def test_2sfca_by_hand() -> None:
    # F1 (supply 50) reaches z1 only within 60 → R1 = 50/100 = 0.5
    # F2 (supply 90) reaches z3 (60) only (61 > 60) → R2 = 90/600 = 0.15
    a, r = two_step_fca(COST, ZONES["population"], [50.0, 90.0], catchment_min=60)
    assert r.tolist() == [0.5, 0.15]
    assert a.tolist() == [0.5, 0.0, 0.15]


def test_2sfca_gaussian_decay_weights() -> None:
    w = decay_weights(np.array([[0.0, 30.0, 60.0, 61.0]]), catchment_min=60, decay="gaussian")
    assert w[0, 0] == pytest.approx(1.0)
    e = np.exp(-0.5)
    assert w[0, 1] == pytest.approx((np.exp(-0.125) - e) / (1 - e))
    assert w[0, 2] == pytest.approx(0.0)
    assert w[0, 3] == 0.0
    lin = decay_weights(np.array([[15.0]]), catchment_min=60, decay="linear")
    assert lin[0, 0] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="`decay`"):
        decay_weights(COST, catchment_min=60, decay="cubic")


def test_parameters_are_justified() -> None:
    p = load_parameters()
    assert p["rescue_circle"]["minutes"] == 60
    assert "1 小时应急救援圈" in p["rescue_circle"]["why"]
    assert p["fitness_circle"]["minutes"] == 15
    for section in p.values():
        assert any(k.startswith("why") for k in section)


# --- invariants -------------------------------------------------------------------------

times = st.one_of(st.floats(0, 180, allow_nan=False), st.just(float("inf")))


@st.composite
def cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 8))
    m = draw(st.integers(0, 5))
    cost = np.array([[draw(times) for _ in range(m)] for _ in range(n)]).reshape(n, m)
    extra = np.array([draw(times) for _ in range(n)])
    pop = np.array([draw(st.floats(0, 1e5, allow_nan=False)) for _ in range(n)])
    return cost, extra, pop


def _zones(pop: np.ndarray) -> pd.DataFrame:
    n = pop.size
    return pd.DataFrame(
        {
            "zone_id": [f"z{i}" for i in range(n)],
            "unit": [f"u{i % 3}" for i in range(n)],
            "population": pop,
        }
    )


@settings(max_examples=60, deadline=None)
@given(cases(), st.floats(0, 180, allow_nan=False))
def test_adding_a_facility_never_lowers_coverage(
    case: tuple[np.ndarray, np.ndarray, np.ndarray], t: float
) -> None:
    cost, extra, pop = case
    z = _zones(pop)
    before = Coverage.from_cost_matrix(cost, z, minutes=t)
    after = Coverage.from_cost_matrix(np.column_stack([cost, extra]), z, minutes=t)
    assert after.covered_population >= before.covered_population
    assert (after.by_unit["covered_population"] >= before.by_unit["covered_population"]).all()
    assert (after.zones["nearest_min"] <= before.zones["nearest_min"]).all()


@settings(max_examples=60, deadline=None)
@given(cases(), st.floats(0, 90, allow_nan=False), st.floats(0, 90, allow_nan=False))
def test_coverage_monotone_in_threshold(
    case: tuple[np.ndarray, np.ndarray, np.ndarray], t1: float, dt: float
) -> None:
    cost, _, pop = case
    z = _zones(pop)
    lo = Coverage.from_cost_matrix(cost, z, minutes=t1)
    hi = Coverage.from_cost_matrix(cost, z, minutes=t1 + dt)
    assert hi.covered_population >= lo.covered_population
    assert 0.0 <= lo.covered_population <= lo.population


@settings(max_examples=60, deadline=None)
@given(cases(), st.floats(1, 120, allow_nan=False), st.sampled_from(["none", "gaussian", "linear"]))
def test_2sfca_conserves_supply(
    case: tuple[np.ndarray, np.ndarray, np.ndarray], d0: float, decay: str
) -> None:
    cost, _, pop = case
    supply = np.arange(1, cost.shape[1] + 1, dtype=float) * 10.0
    a, r = two_step_fca(cost, pop, supply, catchment_min=d0, decay=decay)
    w = decay_weights(cost, catchment_min=d0, decay=decay)
    served = (pop @ w) > MIN_CATCHMENT_DEMAND
    assert float(pop @ a) == pytest.approx(float(supply[served].sum()), rel=1e-9, abs=1e-9)
    assert (a >= 0).all()
    assert (r[~served] == 0).all()


@settings(max_examples=40, deadline=None)
@given(cases())
def test_nth_nearest_is_sorted(case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    cost, _, _ = case
    ranks = [nth_nearest_minutes(cost, k) for k in range(1, cost.shape[1] + 2)]
    for a, b in itertools.pairwise(ranks):
        assert (b >= a).all()
    assert np.isinf(ranks[-1]).all()
