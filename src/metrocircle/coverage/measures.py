"""Pure coverage measures on a zones × facilities travel-time matrix (minutes) and zone population.

Nothing here knows about networks, files or regions: the inputs are a cost matrix whose
entry ``[i, j]`` is the travel time in minutes from zone ``i`` to facility ``j`` (``inf``
when unreachable), a population per zone and, for per-unit results, the unit code of each
zone. The adapter :mod:`metrocircle.coverage.service` builds those from a region.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DECAYS",
    "MIN_CATCHMENT_DEMAND",
    "Coverage",
    "coverage_by_unit",
    "covered",
    "decay_weights",
    "load_parameters",
    "nearest_minutes",
    "nth_nearest_minutes",
    "two_step_fca",
    "validate_cost_matrix",
]

F64 = npt.NDArray[np.float64]
Decay = Literal["none", "gaussian", "linear"]
DECAYS: tuple[str, ...] = ("none", "gaussian", "linear")
"""Distance-decay functions available for 2SFCA."""
MIN_CATCHMENT_DEMAND = 1e-9
"""Numerical floor, persons: a facility whose decay-weighted catchment population is at or
below it serves nobody (R = 0); keeps S/demand finite for vanishing weights."""


# functools.cache, not the result cache (metrocircle.cache): the package's own parameters.toml, never a dataset's
# file, so the answer is the same for every region and cannot go stale in a process.
@cache
def load_parameters() -> dict[str, Any]:
    """The coverage parameters (``coverage/data/parameters.toml``), each with its justification."""
    text = (resources.files("metrocircle.coverage") / "data" / "parameters.toml").read_text(
        encoding="utf-8"
    )
    return tomllib.loads(text)


def validate_cost_matrix(
    cost: npt.ArrayLike,
    *,
    n_zones: int | None = None,
    n_facilities: int | None = None,
    name: str = "cost",
) -> F64:
    """Return ``cost`` as a float64 2-D array, checking shape and values.

    Parameters
    ----------
    cost
        Zones × facilities travel times in minutes; ``inf`` marks an unreachable pair.
    n_zones, n_facilities
        Expected shape, when known.
    name
        Argument name used in error messages.

    Raises
    ------
    ValueError
        When the matrix is not 2-D, has the wrong shape, or holds negative or NaN times.
    """
    c = np.asarray(cost, dtype=np.float64)
    if c.ndim != 2:
        msg = f"`{name}` must be a 2-D zones × facilities matrix, got {c.ndim} dimension(s)"
        raise ValueError(msg)
    if n_zones is not None and c.shape[0] != n_zones:
        msg = f"`{name}` has {c.shape[0]} rows but there are {n_zones} zones"
        raise ValueError(msg)
    if n_facilities is not None and c.shape[1] != n_facilities:
        msg = f"`{name}` has {c.shape[1]} columns but there are {n_facilities} facilities"
        raise ValueError(msg)
    if np.isnan(c).any():
        msg = f"`{name}` contains NaN; use inf for unreachable pairs"
        raise ValueError(msg)
    if c.size and c.min() < 0:
        msg = f"`{name}` contains negative travel times"
        raise ValueError(msg)
    return c


def _check_minutes(minutes: float, name: str = "minutes") -> float:
    m = float(minutes)
    if not math.isfinite(m) or m < 0:
        msg = f"`{name}` was {minutes!r} but is expected to be a non-negative number of minutes"
        raise ValueError(msg)
    return m


def _check_population(population: npt.ArrayLike, n: int, name: str = "population") -> F64:
    p = np.asarray(population, dtype=np.float64)
    if p.shape != (n,):
        msg = f"`{name}` must have one value per zone ({n}), got shape {p.shape}"
        raise ValueError(msg)
    if not np.all(np.isfinite(p)) or (p.size and p.min() < 0):
        msg = f"`{name}` must be finite and non-negative"
        raise ValueError(msg)
    return p


def nearest_minutes(cost: npt.ArrayLike) -> F64:
    """Travel time from each zone to its nearest facility, minutes (``inf`` when none is reachable).

    Examples
    --------
    >>> nearest_minutes([[30.0, 70.0], [90.0, 65.0]]).tolist()
    [30.0, 65.0]
    """
    return nth_nearest_minutes(cost, 1)


def nth_nearest_minutes(cost: npt.ArrayLike, n: int) -> F64:
    """Travel time from each zone to its ``n``-th nearest facility, minutes.

    Parameters
    ----------
    cost
        Zones × facilities minutes.
    n
        Rank, 1 = nearest. Zones with fewer than ``n`` reachable facilities get ``inf``.

    Examples
    --------
    >>> nth_nearest_minutes([[30.0, 70.0, 10.0]], 2).tolist()
    [30.0]
    """
    c = validate_cost_matrix(cost)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        msg = f"`n` was {n!r} but is expected to be a positive integer rank"
        raise ValueError(msg)
    if n > c.shape[1]:
        return np.full(c.shape[0], np.inf)
    out: F64 = np.partition(c, n - 1, axis=1)[:, n - 1]
    return out


def covered(cost: npt.ArrayLike, *, minutes: float) -> npt.NDArray[np.bool_]:
    """Whether each zone reaches at least one facility within ``minutes`` (inclusive)."""
    m = _check_minutes(minutes)
    return nearest_minutes(cost) <= m


def coverage_by_unit(
    zone_population: npt.ArrayLike,
    zone_covered: npt.ArrayLike,
    zone_units: Sequence[str],
) -> pd.DataFrame:
    """Covered population and share per unit.

    Parameters
    ----------
    zone_population
        Persons per zone.
    zone_covered
        Boolean per zone.
    zone_units
        Unit code of each zone.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit code (sorted): ``population``, ``covered_population`` (persons) and
        ``share`` (0-1; NaN for a unit with no population).
    """
    units = [str(u) for u in zone_units]
    pop = _check_population(zone_population, len(units), "zone_population")
    cov = np.asarray(zone_covered, dtype=bool)
    if cov.shape != pop.shape:
        msg = "`zone_covered` must have one value per zone"
        raise ValueError(msg)
    df = pd.DataFrame(
        {"unit": units, "population": pop, "covered_population": np.where(cov, pop, 0.0)}
    )
    g = df.groupby("unit", sort=True)[["population", "covered_population"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        g["share"] = np.where(
            g["population"] > 0, g["covered_population"] / g["population"], np.nan
        )
    g.index.name = "unit"
    return g


@dataclass(frozen=True)
class Coverage:
    """Population within a time threshold of the nearest facility, per zone, unit and area.

    Build with :meth:`from_cost_matrix`; the adapter
    :func:`metrocircle.coverage.service.coverage_from_region` builds the cost matrix.

    Attributes
    ----------
    minutes
        The threshold, minutes (a zone is covered when its nearest facility is ≤ it).
    zones
        One row per zone: ``zone_id``, ``unit``, ``population``, ``nearest_min``,
        ``nearest_facility`` (id, or None when nothing is reachable), ``covered``.
    by_unit
        Indexed by unit: ``population``, ``covered_population``, ``share`` (0-1).
    population, covered_population
        Totals over all zones, persons.
    """

    minutes: float
    zones: pd.DataFrame
    by_unit: pd.DataFrame
    population: float
    covered_population: float

    @property
    def share(self) -> float | None:
        """Covered share of the whole area's population (0-1), None when it has none."""
        return self.covered_population / self.population if self.population > 0 else None

    @classmethod
    def from_cost_matrix(
        cls,
        cost: npt.ArrayLike,
        zones: pd.DataFrame,
        *,
        minutes: float,
        facility_ids: Sequence[str] | None = None,
    ) -> Coverage:
        """Coverage from a zones × facilities cost matrix.

        Parameters
        ----------
        cost
            Zones × facilities travel times, minutes (``inf`` = unreachable).
        zones
            Rows aligned with ``cost``: columns ``zone_id``, ``unit`` (unit code) and
            ``population`` (persons).
        minutes
            Coverage threshold, minutes (inclusive).
        facility_ids
            Ids of the facility columns, to name each zone's nearest facility.

        Examples
        --------
        >>> z = pd.DataFrame({"zone_id": ["a", "b", "c"], "unit": ["U", "U", "V"],
        ...                   "population": [100.0, 300.0, 600.0]})
        >>> cov = Coverage.from_cost_matrix([[20.0], [75.0], [60.0]], z, minutes=60)
        >>> cov.by_unit["share"].tolist(), cov.share
        ([0.25, 1.0], 0.7)
        """
        for col in ("zone_id", "unit", "population"):
            if col not in zones.columns:
                msg = f"`zones` needs a {col!r} column; it has {list(zones.columns)}"
                raise ValueError(msg)
        m = _check_minutes(minutes)
        c = validate_cost_matrix(cost, n_zones=len(zones))
        if facility_ids is not None and len(facility_ids) != c.shape[1]:
            msg = f"`facility_ids` has {len(facility_ids)} ids for {c.shape[1]} cost columns"
            raise ValueError(msg)
        pop = _check_population(zones["population"].to_numpy(), len(zones))
        near = nearest_minutes(c)
        cov = near <= m
        if c.shape[1] and facility_ids is not None:
            arg = np.argmin(c, axis=1)
            nearest_id: list[str | None] = [
                str(facility_ids[j]) if np.isfinite(t) else None
                for j, t in zip(arg, near, strict=True)
            ]
        else:
            nearest_id = [None] * len(zones)
        table = pd.DataFrame(
            {
                "zone_id": zones["zone_id"].astype(str).to_numpy(),
                "unit": zones["unit"].astype(str).to_numpy(),
                "population": pop,
                "nearest_min": near,
                "nearest_facility": nearest_id,
                "covered": cov,
            }
        )
        by_unit = coverage_by_unit(pop, cov, table["unit"].tolist())
        return cls(m, table, by_unit, float(pop.sum()), float(pop[cov].sum()))


def decay_weights(cost: npt.ArrayLike, *, catchment_min: float, decay: Decay | str = "none") -> F64:
    """Distance-decay weights inside the catchment (0 outside it).

    Parameters
    ----------
    cost
        Travel times, minutes.
    catchment_min
        Catchment size d0, minutes; pairs with time > d0 weigh 0.
    decay
        ``"none"``: 1 inside the catchment (Luo & Wang 2003).
        ``"gaussian"``: ``(exp(-½(d/d0)²) - exp(-½)) / (1 - exp(-½))`` (Dai 2010), 1 at d = 0 and 0 at d0.
        ``"linear"``: ``1 - d/d0``.
    """
    c = validate_cost_matrix(cost)
    d0 = _check_minutes(catchment_min, "catchment_min")
    inside = c <= d0
    if decay == "none":
        w = np.ones_like(c)
    elif decay == "gaussian":
        e = math.exp(-0.5)
        with np.errstate(invalid="ignore", over="ignore"):
            w = (np.exp(-0.5 * (c / d0) ** 2) - e) / (1.0 - e) if d0 > 0 else np.ones_like(c)
    elif decay == "linear":
        with np.errstate(invalid="ignore"):
            w = 1.0 - c / d0 if d0 > 0 else np.ones_like(c)
    else:
        msg = f"`decay` was {decay!r} but is expected to be one of {list(DECAYS)}"
        raise ValueError(msg)
    out: F64 = np.where(inside, np.clip(w, 0.0, 1.0), 0.0)
    return out


def two_step_fca(
    cost: npt.ArrayLike,
    population: npt.ArrayLike,
    supply: npt.ArrayLike,
    *,
    catchment_min: float,
    decay: Decay | str = "none",
) -> tuple[F64, F64]:
    """Two-step floating catchment area accessibility (2SFCA), competition-aware.

    Step 1, per facility j: ``R_j = S_j / Σ_i P_i f(d_ij)`` — supply per person of the
    population inside its catchment (``d_ij ≤ d0``). Step 2, per zone i:
    ``A_i = Σ_j R_j f(d_ij)`` — the supply-to-population ratios of every facility whose
    catchment reaches i. The same catchment d0 and decay f serve both steps, so
    ``Σ_i P_i A_i = Σ_j S_j`` over facilities that have any population in their catchment.
    A facility with no population inside its catchment (weighted demand ≤
    :data:`MIN_CATCHMENT_DEMAND`) serves nobody: ``R_j = 0``.

    Parameters
    ----------
    cost
        Zones × facilities travel times, minutes.
    population
        Persons per zone.
    supply
        Capacity per facility (beds, tonnes, ... — A is in that unit per person).
    catchment_min
        Catchment d0, minutes.
    decay
        See :func:`decay_weights`.

    Returns
    -------
    tuple of numpy.ndarray
        ``(A, R)``: accessibility per zone (supply per person) and ratio per facility.

    Examples
    --------
    >>> a, r = two_step_fca([[10.0, 99.0], [10.0, 10.0]], [100.0, 100.0], [50.0, 30.0], catchment_min=30)
    >>> r.tolist(), a.tolist()
    ([0.25, 0.3], [0.25, 0.55])
    """
    c = validate_cost_matrix(cost)
    pop = _check_population(population, c.shape[0])
    s = np.asarray(supply, dtype=np.float64)
    if s.shape != (c.shape[1],):
        msg = f"`supply` must have one value per facility ({c.shape[1]}), got shape {s.shape}"
        raise ValueError(msg)
    if not np.all(np.isfinite(s)) or (s.size and s.min() < 0):
        msg = "`supply` must be finite and non-negative"
        raise ValueError(msg)
    w = decay_weights(c, catchment_min=catchment_min, decay=decay)
    demand = pop @ w
    ratio: F64 = np.divide(s, demand, out=np.zeros_like(s), where=demand > MIN_CATCHMENT_DEMAND)
    access: F64 = w @ ratio
    return access, ratio
