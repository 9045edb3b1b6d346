"""Exact siting models: hand-checked cases, invariants, and PySAL spopt as the oracle."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle.coverage.siting import SitingError, lscp, mclp, p_median

pulp = pytest.importorskip("pulp")
spopt_locate = pytest.importorskip("spopt.locate")

# PuLP 3.3 warns about its own 4.0 API change inside spopt's model building
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:spopt"),
]


def _cbc() -> object:
    return pulp.PULP_CBC_CMD(msg=False)


# A line of five towns, 10 min apart:   A --10-- B --10-- C --10-- D --10-- E
# candidates are the towns themselves; cost = 10 × |i - j| minutes.
LINE = 10.0 * np.abs(np.subtract.outer(np.arange(5), np.arange(5)))
POP = np.array([100.0, 200.0, 50.0, 400.0, 250.0])


def test_lscp_line_by_hand() -> None:
    # within 10 min each town reaches its neighbours: {B, D} covers A..E; one site cannot.
    r = lscp(LINE, service_min=10)
    assert r.objective == 2.0
    assert r.selected == (1, 3)
    assert all(r.covered)


def test_lscp_fixed_site_counts_and_stays_open() -> None:
    # A is open already and covers A, B; D then covers C, D, E: two sites in all
    r = lscp(LINE, service_min=10, fixed=[0])
    assert r.selected == (0, 3)
    assert r.objective == 2.0


def test_lscp_uncoverable_raises_names_rows() -> None:
    cost = np.array([[5.0, 80.0], [90.0, 95.0]])
    with pytest.raises(SitingError, match=r"row indices \[1\]"):
        lscp(cost, service_min=60)
    r = lscp(cost, service_min=60, uncoverable="ignore")
    assert r.selected == (0,)
    assert r.covered == (True, False)


def test_mclp_line_by_hand() -> None:
    # p=1, S=10: site D covers C, D, E = 50 + 400 + 250 = 700 (best single site)
    r = mclp(LINE, POP, service_min=10, p=1)
    assert r.selected == (3,)
    assert r.objective == 700.0
    assert r.covered == (False, False, True, True, True)


def test_p_median_line_by_hand() -> None:
    # p=1: weighted median of the line is D (cumulative weight passes half at D):
    # 100·30 + 200·20 + 50·10 + 0 + 250·10 = 10000 person-minutes
    r = p_median(LINE, POP, p=1)
    assert r.selected == (3,)
    assert r.objective == pytest.approx(10000.0)
    assert r.mean_minutes == pytest.approx(10000.0 / POP.sum())
    assert set(r.assignment) == {3}


def test_capacitated_p_median_splits_when_capacity_binds() -> None:
    # each site serves at most 600 persons: D alone cannot take all 1000
    r = p_median(LINE, POP, p=2, capacity=np.full(5, 600.0))
    served = np.zeros(5)
    for i, j in enumerate(r.assignment):
        served[j] += POP[i]
    assert served.max() <= 600.0
    assert len(r.selected) == 2
    assert r.capacitated


def test_infeasible_capacity_raises() -> None:
    with pytest.raises(SitingError, match="infeasible"):
        p_median(LINE, POP, p=1, capacity=np.full(5, 500.0))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": 0}, "`p`"),
        ({"p": 6}, "`p`"),
        ({"p": 1, "fixed": [0, 1]}, "`p`"),
        ({"p": 1, "fixed": [9]}, "`fixed`"),
        ({"p": 1, "capacity": [1.0]}, "`capacity`"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        p_median(LINE, POP, **kwargs)  # type: ignore[arg-type]


def test_bad_matrix() -> None:
    with pytest.raises(ValueError, match="NaN"):
        lscp([[np.nan]], service_min=1)
    with pytest.raises(ValueError, match="negative"):
        mclp([[-1.0]], [1.0], service_min=1, p=1)
    with pytest.raises(ValueError, match="`weights`"):
        mclp([[1.0]], [1.0, 2.0], service_min=1, p=1)


# --- PySAL spopt as the oracle, on the same cost matrices --------------------------------


def _random_case(seed: int, n: int = 14, m: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    zones = rng.uniform(0, 100, (n, 2))
    sites = rng.uniform(0, 100, (m, 2))
    cost = np.round(np.hypot(*(zones[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)), 1)
    weights = rng.integers(1, 50, n).astype(float)
    return cost, weights


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lscp_matches_spopt(seed: int) -> None:
    cost, _ = _random_case(seed)
    s = float(np.max(cost.min(axis=1))) + 5.0  # every zone coverable
    ours = lscp(cost, service_min=s)
    ref = spopt_locate.LSCP.from_cost_matrix(cost, s).solve(_cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value())


@pytest.mark.parametrize("seed", [4, 5])
def test_capacitated_lscp_matches_spopt(seed: int) -> None:
    cost, w = _random_case(seed)
    s = float(np.max(cost.min(axis=1))) + 25.0
    cap = np.full(cost.shape[1], w.sum() / 3.0)
    ours = lscp(cost, service_min=s, capacity=cap, demand=w)
    ref = spopt_locate.LSCP.from_cost_matrix(
        cost, s, demand_quantity_arr=w, facility_capacity_arr=cap
    ).solve(_cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value())
    assert ours.capacitated


@pytest.mark.parametrize(("seed", "p"), [(6, 1), (7, 2), (8, 3)])
def test_mclp_matches_spopt(seed: int, p: int) -> None:
    cost, w = _random_case(seed)
    ours = mclp(cost, w, service_min=35.0, p=p)
    ref = spopt_locate.MCLP.from_cost_matrix(cost, w, 35.0, p_facilities=p).solve(_cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value())


@pytest.mark.parametrize(("seed", "p"), [(9, 1), (10, 2), (11, 3)])
def test_p_median_matches_spopt(seed: int, p: int) -> None:
    cost, w = _random_case(seed)
    ours = p_median(cost, w, p=p)
    ref = spopt_locate.PMedian.from_cost_matrix(cost, w, p_facilities=p).solve(_cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value())


def test_p_median_with_fixed_matches_spopt() -> None:
    cost, w = _random_case(12)
    fixed = np.zeros(cost.shape[1], dtype=int)
    fixed[0] = 1
    ours = p_median(cost, w, p=2, fixed=[0])
    ref = spopt_locate.PMedian.from_cost_matrix(
        cost, w, p_facilities=2, predefined_facilities_arr=fixed
    ).solve(_cbc())
    assert 0 in ours.selected
    assert ours.objective == pytest.approx(ref.problem.objective.value())


def test_capacitated_p_median_matches_spopt() -> None:
    cost, w = _random_case(13, n=10, m=5)
    cap = np.full(cost.shape[1], np.ceil(w.sum() / 2.0) + 5.0)
    ours = p_median(cost, w, p=3, capacity=cap)
    ref = spopt_locate.PMedian.from_cost_matrix(
        cost, w, p_facilities=3, facility_capacities=cap
    ).solve(_cbc())
    assert ours.objective == pytest.approx(ref.problem.objective.value())


# --- invariants -------------------------------------------------------------------------

costs = st.integers(min_value=1, max_value=6).flatmap(
    lambda m: st.integers(min_value=1, max_value=7).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(st.integers(0, 60), min_size=m, max_size=m), min_size=n, max_size=n),
            st.lists(st.integers(1, 20), min_size=n, max_size=n),
        )
    )
)


@settings(max_examples=25, deadline=None)
@given(costs)
def test_more_sites_never_worsen_p_median(case: tuple[list[list[int]], list[int]]) -> None:
    cost = np.asarray(case[0], dtype=float)
    w = np.asarray(case[1], dtype=float)
    m = cost.shape[1]
    objs = [p_median(cost, w, p=p).objective for p in range(1, m + 1)]
    assert all(b <= a + 1e-9 for a, b in itertools.pairwise(objs))
    # p = m opens every site: each zone goes to its nearest
    assert objs[-1] == pytest.approx(float((w * cost.min(axis=1)).sum()))


@settings(max_examples=25, deadline=None)
@given(costs, st.integers(0, 60))
def test_mclp_monotone_in_p_and_bounded(case: tuple[list[list[int]], list[int]], s: int) -> None:
    cost = np.asarray(case[0], dtype=float)
    w = np.asarray(case[1], dtype=float)
    m = cost.shape[1]
    objs = [mclp(cost, w, service_min=s, p=p).objective for p in range(1, m + 1)]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(objs))
    assert objs[-1] == pytest.approx(float(w[(cost <= s).any(axis=1)].sum()))


@settings(max_examples=25, deadline=None)
@given(costs, st.integers(0, 60))
def test_lscp_equals_brute_force(case: tuple[list[list[int]], list[int]], s: int) -> None:
    cost = np.asarray(case[0], dtype=float)
    m = cost.shape[1]
    reach = cost <= s
    r = lscp(cost, service_min=s, uncoverable="ignore")
    assert list(r.covered) == reach.any(axis=1).tolist()
    need = reach.any(axis=1)
    best = min(
        len(sub)
        for k in range(m + 1)
        for sub in itertools.combinations(range(m), k)
        if np.array_equal(reach[:, list(sub)].any(axis=1) if sub else np.zeros_like(need), need)
    )
    assert r.objective == best


@settings(max_examples=25, deadline=None)
@given(costs)
def test_p_median_equals_brute_force(case: tuple[list[list[int]], list[int]]) -> None:
    cost = np.asarray(case[0], dtype=float)
    w = np.asarray(case[1], dtype=float)
    m = cost.shape[1]
    p = max(1, m // 2)
    best = min(
        float((w * cost[:, list(sub)].min(axis=1)).sum())
        for sub in itertools.combinations(range(m), p)
    )
    assert p_median(cost, w, p=p).objective == pytest.approx(best)
