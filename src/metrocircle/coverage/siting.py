"""Exact facility siting on a cost matrix: set covering (LSCP), maximal covering (MCLP), p-median.

Each model is written as a mixed-integer programme and solved to proven optimality by
HiGHS through :func:`scipy.optimize.milp` (relative gap 0, see ``coverage/data/parameters.toml``).
Inputs are a demand × candidate matrix of travel times in minutes (``inf`` = unreachable),
demand weights (persons) and, where the model supports them, candidate capacities.
Candidates already in service are passed as ``fixed`` and are always open.

Formulations (i = demand zone, j = candidate, N_i = {j : d_ij ≤ S}):

* LSCP: min Σ x_j  s.t. Σ_{j∈N_i} x_j ≥ 1 ∀i. Capacitated: assignment shares z_ij ∈ [0, 1],
  j ∈ N_i, Σ_j z_ij = 1, z_ij ≤ x_j, Σ_i a_i z_ij ≤ C_j x_j (Church & ReVelle; as spopt's LSCP).
* MCLP: max Σ w_i y_i  s.t. y_i ≤ Σ_{j∈N_i} x_j, Σ x_j = p, y_i ∈ [0, 1] (integral at the optimum).
* p-median: min Σ w_i d_ij z_ij  s.t. Σ_j z_ij = 1, z_ij ≤ x_j, Σ x_j = p (z continuous: each zone
  goes to its nearest open site). Capacitated: z_ij binary (single sourcing) and
  Σ_i w_i z_ij ≤ C_j x_j, as spopt's capacitated PMedian.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from metrocircle._errors import MetrocircleError
from metrocircle.coverage.measures import load_parameters, validate_cost_matrix

__all__ = ["SitingError", "SitingResult", "lscp", "mclp", "p_median"]

F64 = npt.NDArray[np.float64]
SOLVER = "HiGHS (scipy.optimize.milp), relative gap 0"


class SitingError(ValueError, MetrocircleError):
    """A siting problem is infeasible, too large, or was not solved to proven optimality."""


@dataclass(frozen=True)
class SitingResult:
    """The optimal solution of one siting model.

    Attributes
    ----------
    model
        ``"lscp"``, ``"mclp"`` or ``"p_median"``.
    objective
        LSCP: number of open sites; MCLP: covered weight (persons); p-median: total
        weighted travel time (person-minutes).
    selected
        Column indices of the open candidates (fixed ones included), ascending.
    assignment
        Per demand zone, the index of the open site serving it (p-median, capacitated LSCP:
        the site with the largest share), or the nearest open site within the service
        time (LSCP, MCLP); -1 when none.
    covered
        Per demand zone, whether an open site lies within the service time (p-median:
        whether it is assigned).
    covered_weight
        Sum of weights of covered zones (persons).
    mean_minutes
        Weighted mean travel time to the serving site (p-median), minutes; else None.
    service_minutes
        The service time S of covering models, minutes; None for p-median.
    capacitated
        Whether capacity limits were part of the model.
    solver
        Solver and optimality criterion.
    """

    model: str
    objective: float
    selected: tuple[int, ...]
    assignment: tuple[int, ...]
    covered: tuple[bool, ...]
    covered_weight: float
    mean_minutes: float | None
    service_minutes: float | None
    capacitated: bool
    solver: str = SOLVER

    def to_dict(self, *, candidate_ids: Sequence[str] | None = None) -> dict[str, Any]:
        """A JSON-ready dict; ``candidate_ids`` names the columns."""

        def name(j: int) -> Any:
            return candidate_ids[j] if candidate_ids is not None and j >= 0 else j

        return {
            "model": self.model,
            "objective": self.objective,
            "selected": [name(j) for j in self.selected],
            "assignment": [name(j) if j >= 0 else None for j in self.assignment],
            "covered": list(self.covered),
            "covered_weight": self.covered_weight,
            "mean_minutes": self.mean_minutes,
            "service_minutes": self.service_minutes,
            "capacitated": self.capacitated,
            "solver": self.solver,
        }


def _prepare(
    cost: npt.ArrayLike, weights: npt.ArrayLike | None, fixed: Sequence[int] | npt.ArrayLike | None
) -> tuple[F64, F64, npt.NDArray[np.int64]]:
    c = validate_cost_matrix(cost)
    n, m = c.shape
    params = load_parameters()["siting"]
    if n == 0 or m == 0:
        msg = f"siting needs at least one demand zone and one candidate, got {n} × {m}"
        raise SitingError(msg)
    if n > params["max_zones"] or m > params["max_candidates"]:
        msg = (
            f"problem of {n} zones × {m} candidates exceeds the limits "
            f"({params['max_zones']} zones, {params['max_candidates']} candidates)"
        )
        raise SitingError(msg)
    if weights is None:
        w = np.ones(n)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            msg = f"`weights` must have one value per demand zone ({n}), got shape {w.shape}"
            raise ValueError(msg)
        if not np.all(np.isfinite(w)) or w.min() < 0:
            msg = "`weights` must be finite and non-negative"
            raise ValueError(msg)
    fx = np.unique(np.asarray([] if fixed is None else fixed, dtype=np.int64))
    if fx.size and (fx.min() < 0 or fx.max() >= m):
        msg = f"`fixed` must be candidate column indices in [0, {m})"
        raise ValueError(msg)
    return c, w, fx


def _check_service(service_min: float) -> float:
    s = float(service_min)
    if not np.isfinite(s) or s < 0:
        msg = f"`service_min` was {service_min!r} but is expected to be a non-negative number of minutes"
        raise ValueError(msg)
    return s


def _check_p(p: int, m: int, n_fixed: int) -> int:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        msg = f"`p` was {p!r} but is expected to be an integer"
        raise ValueError(msg)
    if not n_fixed <= p <= m or p < 1:
        msg = f"`p` was {p} but is expected to be between max(1, {n_fixed} fixed sites) and {m} candidates"
        raise ValueError(msg)
    return int(p)


def _check_capacity(capacity: npt.ArrayLike, m: int) -> F64:
    cap = np.asarray(capacity, dtype=np.float64)
    if cap.shape != (m,):
        msg = f"`capacity` must have one value per candidate ({m}), got shape {cap.shape}"
        raise ValueError(msg)
    if not np.all(np.isfinite(cap)) or cap.min() < 0:
        msg = "`capacity` must be finite and non-negative"
        raise ValueError(msg)
    return cap


def _solve(  # noqa: PLR0917 - internal: the MILP's arrays in their mathematical order
    obj: F64,
    integrality: npt.NDArray[np.int8],
    lb: F64,
    ub: F64,
    rows: list[tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]],
    row_lb: list[float] | F64,
    row_ub: list[float] | F64,
    what: str,
) -> F64:
    """Solve min obj·v with the rows given as (row index, column index, value) triplets."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    params = load_parameters()["siting"]
    r = (
        np.concatenate([np.asarray(t[0], dtype=np.int64) for t in rows])
        if rows
        else np.zeros(0, np.int64)
    )
    k = (
        np.concatenate([np.asarray(t[1], dtype=np.int64) for t in rows])
        if rows
        else np.zeros(0, np.int64)
    )
    v = np.concatenate([np.asarray(t[2], dtype=np.float64) for t in rows]) if rows else np.zeros(0)
    n_rows = len(row_lb)
    constraints = []
    if n_rows:
        a = coo_array((v, (r, k)), shape=(n_rows, obj.size)).tocsr()
        constraints.append(
            LinearConstraint(a, np.asarray(row_lb, float), np.asarray(row_ub, float))
        )
    res = milp(
        obj,
        integrality=integrality,
        bounds=Bounds(lb, ub),
        constraints=constraints,
        options={
            "time_limit": float(params["time_limit_seconds"]),
            "mip_rel_gap": float(params["mip_rel_gap"]),
            "presolve": True,
            "disp": False,
        },
    )
    if res.status == 2:
        msg = f"the {what} problem is infeasible: {res.message}"
        raise SitingError(msg)
    if res.status != 0 or res.x is None:
        msg = f"HiGHS did not prove the {what} solution optimal ({res.message}); no answer is returned"
        raise SitingError(msg)
    x: F64 = np.asarray(res.x, dtype=np.float64)
    return x


def _nearest_open(
    c: F64, selected: npt.NDArray[np.int64], service: float
) -> tuple[list[int], list[bool]]:
    if selected.size == 0:
        return [-1] * c.shape[0], [False] * c.shape[0]
    sub = c[:, selected]
    arg = np.argmin(sub, axis=1)
    best = sub[np.arange(c.shape[0]), arg]
    ok = best <= service
    assign = [int(selected[a]) if o else -1 for a, o in zip(arg, ok, strict=True)]
    return assign, [bool(o) for o in ok]


def _uncoverable(reach: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    out: npt.NDArray[np.int64] = np.flatnonzero(~reach.any(axis=1))
    return out


def lscp(
    cost: npt.ArrayLike,
    *,
    service_min: float,
    fixed: Sequence[int] | npt.ArrayLike | None = None,
    capacity: npt.ArrayLike | None = None,
    demand: npt.ArrayLike | None = None,
    uncoverable: Literal["raise", "ignore"] = "raise",
) -> SitingResult:
    """Location set covering: the fewest sites that put every zone within ``service_min``.

    Parameters
    ----------
    cost
        Demand zones × candidate sites travel times, minutes.
    service_min
        Service time S, minutes (inclusive).
    fixed
        Candidate indices that are open already (always selected, counted in the objective).
    capacity
        Capacity per candidate (same unit as ``demand``); makes the model capacitated.
    demand
        Demand per zone for the capacitated model (persons; default 1 per zone).
    uncoverable
        ``"raise"`` (default): a zone no candidate reaches within S makes the problem
        infeasible and raises :class:`SitingError` naming the zones. ``"ignore"``: such
        zones are left out (reported as not covered).

    Examples
    --------
    >>> lscp([[10, 90], [50, 40], [90, 20]], service_min=45).selected
    (0, 1)
    """
    c, dem, fx = _prepare(cost, demand, fixed)
    s = _check_service(service_min)
    n, m = c.shape
    if uncoverable not in ("raise", "ignore"):
        msg = f"`uncoverable` was {uncoverable!r} but is expected to be 'raise' or 'ignore'"
        raise ValueError(msg)
    reach = c <= s
    bad = _uncoverable(reach)
    if bad.size and uncoverable == "raise":
        msg = (
            f"{bad.size} demand zone(s) have no candidate within {s:g} min "
            f"(row indices {bad[:10].tolist()}{' ...' if bad.size > 10 else ''}); "
            "add candidates or pass uncoverable='ignore'"
        )
        raise SitingError(msg)
    active = np.flatnonzero(reach.any(axis=1))
    lb = np.zeros(m)
    lb[fx] = 1.0
    if capacity is None:
        ii, jj = np.nonzero(reach[active])
        x = _solve(
            np.ones(m),
            np.ones(m, dtype=np.int8),
            lb,
            np.ones(m),
            [(ii, jj, np.ones(ii.size))],
            np.ones(active.size),
            np.full(active.size, np.inf),
            "set covering",
        )
        selected = np.flatnonzero(x > 0.5)
        assign, cov = _nearest_open(c, selected, s)
        return SitingResult(
            "lscp",
            float(selected.size),
            tuple(int(j) for j in selected),
            tuple(assign),
            tuple(cov),
            float(dem[cov].sum()) if demand is not None else float(sum(cov)),
            None,
            s,
            False,
        )
    cap = _check_capacity(capacity, m)
    if dem[active].sum() > cap.sum():
        msg = f"capacitated set covering is infeasible: demand {dem[active].sum():g} exceeds total capacity {cap.sum():g}"
        raise SitingError(msg)
    pi, pj = np.nonzero(reach[active])
    zi = active[pi]
    nz = pi.size
    nv = m + nz
    zidx = m + np.arange(nz)
    rows: list[tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]] = []
    # Σ_j z_ij = 1 for every active zone (rows 0..len(active)-1)
    rows.append((pi, zidx, np.ones(nz)))
    r0 = active.size
    # z_ij - x_j ≤ 0
    link = r0 + np.arange(nz)
    rows.append((link, zidx, np.ones(nz)))
    rows.append((link, pj, -np.ones(nz)))
    r1 = r0 + nz
    # Σ_i a_i z_ij - C_j x_j ≤ 0
    rows.append((r1 + pj, zidx, dem[zi]))
    rows.append((r1 + np.arange(m), np.arange(m), -cap))
    n_rows = r1 + m
    row_lb = np.concatenate([np.ones(active.size), np.full(nz + m, -np.inf)])
    row_ub = np.concatenate([np.ones(active.size), np.zeros(nz + m)])
    obj = np.concatenate([np.ones(m), np.zeros(nz)])
    integ = np.concatenate([np.ones(m, dtype=np.int8), np.zeros(nz, dtype=np.int8)])
    lbv = np.concatenate([lb, np.zeros(nz)])
    x = _solve(
        obj,
        integ,
        lbv,
        np.ones(nv),
        rows,
        row_lb[:n_rows],
        row_ub[:n_rows],
        "capacitated set covering",
    )
    selected = np.flatnonzero(x[:m] > 0.5)
    share = np.zeros((n, m))
    share[zi, pj] = x[m:]
    assign = [int(np.argmax(share[i])) if share[i].max() > 1e-9 else -1 for i in range(n)]
    cov = [a >= 0 for a in assign]
    return SitingResult(
        "lscp",
        float(selected.size),
        tuple(int(j) for j in selected),
        tuple(assign),
        tuple(cov),
        float(dem[np.asarray(cov, bool)].sum()),
        None,
        s,
        True,
    )


def mclp(
    cost: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    service_min: float,
    p: int,
    fixed: Sequence[int] | npt.ArrayLike | None = None,
) -> SitingResult:
    """Maximal covering: the ``p`` sites that put the most weight within ``service_min``.

    Parameters
    ----------
    cost
        Demand zones × candidate sites travel times, minutes.
    weights
        Demand per zone, persons.
    service_min
        Service time S, minutes (inclusive).
    p
        Number of open sites in total, ``fixed`` ones included.
    fixed
        Candidate indices already open.

    Examples
    --------
    >>> r = mclp([[10, 90], [50, 40], [90, 20]], [2, 1, 3], service_min=45, p=1)
    >>> r.selected, r.objective
    ((1,), 4.0)
    """
    c, w, fx = _prepare(cost, weights, fixed)
    s = _check_service(service_min)
    n, m = c.shape
    pp = _check_p(p, m, fx.size)
    reach = c <= s
    ii, jj = np.nonzero(reach)
    # variables: x_0..x_{m-1}, y_0..y_{n-1}
    rows: list[tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]] = [
        (np.arange(n), m + np.arange(n), np.ones(n)),
        (ii, jj, -np.ones(ii.size)),
        (np.full(m, n), np.arange(m), np.ones(m)),
    ]
    row_lb = np.concatenate([np.full(n, -np.inf), [pp]])
    row_ub = np.concatenate([np.zeros(n), [pp]])
    lb = np.zeros(m + n)
    lb[fx] = 1.0
    ub = np.ones(m + n)
    ub[m + np.flatnonzero(~reach.any(axis=1))] = 0.0
    obj = np.concatenate([np.zeros(m), -w])
    integ = np.concatenate([np.ones(m, dtype=np.int8), np.zeros(n, dtype=np.int8)])
    x = _solve(obj, integ, lb, ub, rows, row_lb, row_ub, "maximal covering")
    selected = np.flatnonzero(x[:m] > 0.5)
    assign, cov = _nearest_open(c, selected, s)
    covered_w = float(w[np.asarray(cov, bool)].sum())
    return SitingResult(
        "mclp",
        covered_w,
        tuple(int(j) for j in selected),
        tuple(assign),
        tuple(cov),
        covered_w,
        None,
        s,
        False,
    )


def p_median(
    cost: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    p: int,
    fixed: Sequence[int] | npt.ArrayLike | None = None,
    capacity: npt.ArrayLike | None = None,
) -> SitingResult:
    """p-median: the ``p`` sites that minimise total weighted travel time to the serving site.

    Parameters
    ----------
    cost
        Demand zones × candidate sites travel times, minutes; ``inf`` pairs are never
        assigned.
    weights
        Demand per zone, persons.
    p
        Number of open sites in total, ``fixed`` ones included.
    fixed
        Candidate indices already open.
    capacity
        Capacity per candidate, in persons of demand; makes the model capacitated
        (each zone is served whole by one site).

    Raises
    ------
    SitingError
        When a zone reaches no candidate, or the capacities cannot serve the demand.

    Examples
    --------
    >>> r = p_median([[0, 10], [10, 0], [4, 6]], [1, 1, 5], p=1)
    >>> r.selected, r.objective
    ((0,), 30.0)
    """
    c, w, fx = _prepare(cost, weights, fixed)
    n, m = c.shape
    pp = _check_p(p, m, fx.size)
    finite = np.isfinite(c)
    bad = _uncoverable(finite)
    if bad.size:
        msg = f"{bad.size} demand zone(s) reach no candidate (row indices {bad[:10].tolist()})"
        raise SitingError(msg)
    pi, pj = np.nonzero(finite)
    nz = pi.size
    zidx = m + np.arange(nz)
    rows: list[tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]] = [
        (pi, zidx, np.ones(nz)),  # Σ_j z_ij = 1
        (n + np.arange(nz), zidx, np.ones(nz)),  # z_ij - x_j ≤ 0
        (n + np.arange(nz), pj, -np.ones(nz)),
        (np.full(m, n + nz), np.arange(m), np.ones(m)),  # Σ x_j = p
    ]
    row_lb = [*np.ones(n), *np.full(nz, -np.inf), pp]
    row_ub = [*np.ones(n), *np.zeros(nz), pp]
    cap = None
    if capacity is not None:
        cap = _check_capacity(capacity, m)
        base = n + nz + 1
        rows.append((base + pj, zidx, w[pi]))
        rows.append((base + np.arange(m), np.arange(m), -cap))
        row_lb += [-np.inf] * m
        row_ub += [0.0] * m
    obj = np.concatenate([np.zeros(m), w[pi] * c[pi, pj]])
    zint = 1 if cap is not None else 0
    integ = np.concatenate([np.ones(m, dtype=np.int8), np.full(nz, zint, dtype=np.int8)])
    lb = np.zeros(m + nz)
    lb[fx] = 1.0
    what = "capacitated p-median" if cap is not None else "p-median"
    x = _solve(obj, integ, lb, np.ones(m + nz), rows, row_lb, row_ub, what)
    selected = np.flatnonzero(x[:m] > 0.5)
    share = np.zeros((n, m))
    share[pi, pj] = x[m:]
    assign = np.argmax(share, axis=1)
    if cap is None:
        # with continuous z, ties may split a zone; every open site at the minimum is optimal,
        # so report the nearest open site (the objective is unchanged)
        sub = c[:, selected]
        assign = selected[np.argmin(sub, axis=1)]
        objective = float((w * sub.min(axis=1)).sum())
    else:
        objective = float((w * c[np.arange(n), assign]).sum())
    total_w = float(w.sum())
    mean = objective / total_w if total_w > 0 else None
    return SitingResult(
        "p_median",
        objective,
        tuple(int(j) for j in selected),
        tuple(int(a) for a in assign),
        tuple([True] * n),
        total_w,
        mean,
        None,
        cap is not None,
    )
