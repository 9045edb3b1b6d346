"""Pure arithmetic of target monitoring: meeting a target, progress, pace, projection, year reached.

No I/O and no policy here: numbers in, numbers out. :mod:`metrocircle.indicators.evaluate`
builds an evaluation from these (the method is described there).
"""

from __future__ import annotations

import math

from metrocircle.indicators.model import Thresholds
from metrocircle.schema import Direction

__all__ = [
    "expected_progress",
    "growth_rate",
    "meets",
    "progress",
    "project",
    "projection_method_for",
    "required_yearly_change",
    "year_reached",
    "yearly_change",
]


def _direction(direction: Direction | str) -> Direction:
    return direction if isinstance(direction, Direction) else Direction(direction)


def meets(
    value: float, target: float, direction: Direction | str, *, tolerance_rel: float = 0.0
) -> bool:
    """Whether ``value`` meets ``target`` in ``direction`` (``"="`` within ``tolerance_rel`` of the target).

    Examples
    --------
    >>> meets(80.0, 80.0, ">=")
    True
    >>> meets(79.6, 80.0, "=", tolerance_rel=0.01)
    True
    """
    d = _direction(direction)
    if d is Direction.GE:
        return value >= target
    if d is Direction.LE:
        return value <= target
    return abs(value - target) <= tolerance_rel * abs(target)


def progress(
    value: float,
    *,
    baseline: float | None,
    target: float,
    direction: Direction | str,
    tolerance_rel: float = 0.0,
) -> float | None:
    """Share of the way from ``baseline`` (0) to ``target`` (exactly 1) that ``value`` has come.

    Parameters
    ----------
    value, baseline, target
        Values in the target's unit of measure. ``baseline=None``: no baseline.
    direction
        ``">="``, ``"<="`` or ``"="``.
    tolerance_rel
        For ``"="`` only: relative tolerance of a met target when there is no usable baseline.

    Returns
    -------
    float or None
        Progress (unitless); above 1 past a "≥"/"≤" target; negative when moving away.
        Without a baseline: 1.0 when met, else ``None`` (cannot be measured). When the
        baseline already meets the target: 1.0 while met, else 0.0.

    Examples
    --------
    >>> progress(77.0, baseline=74.0, target=80.0, direction=">=")
    0.5
    >>> progress(80.0, baseline=74.0, target=80.0, direction=">=")
    1.0
    >>> progress(45.0, baseline=60.0, target=30.0, direction="<=")
    0.5
    """
    d = _direction(direction)
    met = meets(value, target, d, tolerance_rel=tolerance_rel)
    if baseline is None:
        return 1.0 if met else None
    if d is Direction.GE:
        if baseline >= target:
            return 1.0 if met else 0.0
        return (value - baseline) / (target - baseline)
    if d is Direction.LE:
        if baseline <= target:
            return 1.0 if met else 0.0
        return (baseline - value) / (baseline - target)
    if baseline == target:
        return 1.0 if met else 0.0
    return 1.0 - abs(value - target) / abs(baseline - target)


def expected_progress(
    year: int, *, baseline_year: int | None, target_year: int | None
) -> float | None:
    """Share of the baseline-to-target period elapsed in ``year`` (0 to 1; ``None`` without both years)."""
    if baseline_year is None or target_year is None or target_year <= baseline_year:
        return None
    return min(1.0, max(0.0, (year - baseline_year) / (target_year - baseline_year)))


def yearly_change(start: tuple[int, float], end: tuple[int, float]) -> float:
    """Average change per year from ``start`` to ``end`` (each ``(year, value)``; years must differ)."""
    (y0, v0), (y1, v1) = start, end
    if y1 == y0:
        msg = f"`start` and `end` are both in {y0}; a pace needs two different years"
        raise ValueError(msg)
    return (v1 - v0) / (y1 - y0)


def growth_rate(start: tuple[int, float], end: tuple[int, float]) -> float | None:
    """Compound yearly growth rate from ``start`` to ``end`` (fraction); ``None`` unless both values are > 0."""
    (y0, v0), (y1, v1) = start, end
    if y1 == y0:
        msg = f"`start` and `end` are both in {y0}; a growth rate needs two different years"
        raise ValueError(msg)
    if v0 <= 0 or v1 <= 0:
        return None
    return float((v1 / v0) ** (1.0 / (y1 - y0)) - 1.0)


def projection_method_for(unit: str, thresholds: Thresholds) -> str:
    """``"compound"`` for units in ``thresholds.compound_units``, else ``"linear"``."""
    return "compound" if unit in thresholds.compound_units else "linear"


def project(
    value: float,
    year: int,
    to_year: int,
    *,
    method: str,
    pace: float,
    rate: float | None = None,
) -> float:
    """Continue ``value`` of ``year`` to ``to_year``.

    Parameters
    ----------
    value, year
        Starting value and its year.
    to_year
        Year projected to.
    method
        ``"linear"`` (adds ``pace`` per year) or ``"compound"`` (multiplies by ``1 + rate``
        per year; falls back to linear when ``rate`` is ``None``).
    pace
        Change per year (unit of ``value`` per year).
    rate
        Growth rate per year (fraction).
    """
    n = to_year - year
    if method == "compound" and rate is not None:
        try:
            return float(value * (1.0 + rate) ** n)
        except OverflowError:  # explosive growth far ahead: beyond any target
            return math.copysign(math.inf, value)
    if method not in {"linear", "compound"}:
        msg = f"`method` was {method!r} but is expected to be 'linear' or 'compound'"
        raise ValueError(msg)
    return value + pace * n


def required_yearly_change(
    value: float, year: int, *, target: float, target_year: int | None
) -> float | None:
    """Average change per year still needed to go from ``value`` in ``year`` to ``target`` by ``target_year``."""
    if target_year is None or target_year <= year:
        return None
    return (target - value) / (target_year - year)


def _reached(v: float, latest: float, target: float, d: Direction, tol: float) -> bool:
    if meets(v, target, d, tolerance_rel=tol):
        return True
    if (
        d is Direction.EQ
    ):  # crossing the target counts even when no whole year lands inside the band
        return (v - target) * (latest - target) < 0
    return False


def year_reached(
    value: float,
    year: int,
    *,
    target: float,
    direction: Direction | str,
    method: str,
    pace: float,
    rate: float | None = None,
    tolerance_rel: float = 0.0,
    max_years: int = 100,
) -> int | None:
    """First whole year after ``year`` whose projected value meets ``target`` (``year`` itself if already met).

    Returns ``None`` when the projection does not meet the target within ``max_years``.
    The search steps year by year through :func:`project`, so the year returned is exactly
    the first in which the projection meets the target.
    """
    d = _direction(direction)
    if meets(value, target, d, tolerance_rel=tolerance_rel):
        return year
    for k in range(1, max_years + 1):
        v = project(value, year, year + k, method=method, pace=pace, rate=rate)
        if _reached(v, value, target, d, tolerance_rel):
            return year + k
    return None
