"""Joint heavy-pollution episodes across neighbouring units, graded by the national warning tiers.

A *joint* day is one where at least ``min_units`` neighbouring units are heavily polluted
(daily AQI > 200); joint days on consecutive dates whose unit groups share a unit form one
episode.  Each unit of an episode is graded by its run of heavy days and its severe days;
the episode takes the highest grade.  Parameters: ``sectors/data/air_warning_rules.toml``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem

__all__ = [
    "Episode",
    "WarningRules",
    "WarningTier",
    "adjacency_from_units",
    "current_air_warnings",
    "detect_episodes",
    "load_warning_rules",
]


@dataclass(frozen=True, slots=True)
class WarningTier:
    """One warning grade (red, orange, yellow, blue)."""

    id: str
    colour: str
    name_zh: str
    name_en: str
    min_run_days: int
    min_severe_days: int
    or_extreme: bool


@dataclass(frozen=True, slots=True)
class WarningRules:
    """Rule parameters (see ``air_warning_rules.toml`` for each one's justification)."""

    heavy_aqi_above: int
    severe_aqi_above: int
    extreme_aqi_at_least: int
    min_units: int
    adjacency_tolerance_m: float
    tiers: tuple[WarningTier, ...]


def load_warning_rules(path: Path | None = None) -> WarningRules:
    """Read the warning rules (packaged file by default); tiers ordered highest first."""
    if path is None:
        text = (
            resources.files("metrocircle.sectors")
            .joinpath("data/air_warning_rules.toml")
            .read_text("utf-8")
        )
        name = "air_warning_rules.toml"
    else:
        text, name = Path(path).read_text("utf-8"), str(path)
    raw = tomllib.loads(text)
    try:
        tiers = tuple(WarningTier(**{k: t[k] for k in WarningTier.__slots__}) for t in raw["tier"])
        rules = WarningRules(
            heavy_aqi_above=int(raw["heavy_aqi_above"]),
            severe_aqi_above=int(raw["severe_aqi_above"]),
            extreme_aqi_at_least=int(raw["extreme_aqi_at_least"]),
            min_units=int(raw["min_units"]),
            adjacency_tolerance_m=float(raw["adjacency_tolerance_m"]),
            tiers=tiers,
        )
    except KeyError as exc:
        msg = f"{name}: missing parameter {exc.args[0]!r}"
        raise DataValidationError(
            [Problem(name, 0, str(exc.args[0]), "missing")], summary=msg
        ) from None
    if rules.min_units < 1 or not rules.tiers:
        msg = f"{name}: min_units must be >= 1 and at least one tier is needed"
        raise DataValidationError([Problem(name, 0, "min_units", msg)], summary=msg)
    return rules


@dataclass(frozen=True)
class Episode:
    """A joint heavy-pollution episode.

    Attributes
    ----------
    start, end
        First and last joint day (ISO dates).
    dates
        Joint days, ascending.
    units
        Per unit: ``unit``, ``heavy_days``, ``run_days``, ``severe_days``, ``max_aqi``, ``tier``.
    tier, colour, name_zh, name_en
        Highest grade reached by any unit (None if none is reached).
    ongoing
        Whether the episode reaches the latest date of the data.
    """

    start: str
    end: str
    dates: tuple[str, ...]
    units: tuple[dict[str, Any], ...]
    tier: str | None
    colour: str | None
    name_zh: str | None
    name_en: str | None
    ongoing: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "start": self.start,
            "end": self.end,
            "dates": list(self.dates),
            "units": [dict(u) for u in self.units],
            "tier": self.tier,
            "colour": self.colour,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "ongoing": self.ongoing,
        }


def _components(nodes: set[str], adjacency: Mapping[str, Iterable[str]]) -> list[set[str]]:
    seen: set[str] = set()
    out: list[set[str]] = []
    for start in sorted(nodes):
        if start in seen:
            continue
        comp, stack = set(), [start]
        while stack:
            u = stack.pop()
            if u in comp:
                continue
            comp.add(u)
            stack.extend(v for v in adjacency.get(u, ()) if v in nodes and v not in comp)
        seen |= comp
        out.append(comp)
    return out


def _grade(run: int, severe: int, extreme: bool, rules: WarningRules) -> WarningTier | None:
    for t in rules.tiers:  # highest first
        if (run >= t.min_run_days and severe >= t.min_severe_days) or (t.or_extreme and extreme):
            return t
    return None


def detect_episodes(
    daily: Iterable[tuple[str, str, float | None]],
    adjacency: Mapping[str, Iterable[str]],
    *,
    rules: WarningRules | None = None,
) -> list[Episode]:
    """Joint heavy-pollution episodes from unit daily AQI.

    Parameters
    ----------
    daily
        ``(unit_code, ISO date, daily AQI)`` triples; None AQIs (invalid days) are skipped.
    adjacency
        Unit code → neighbouring unit codes (symmetric); see :func:`adjacency_from_units`.
    rules
        Rule parameters; the packaged file by default.

    Returns
    -------
    list of Episode
        Ordered by start date.
    """
    rules = rules or load_warning_rules()
    adj = {u: set(v) for u, v in adjacency.items()}
    for u, vs in list(adj.items()):
        for v in vs:
            adj.setdefault(v, set()).add(u)
    aqi: dict[tuple[str, str], float] = {}
    problems: list[Problem] = []
    for unit, day, value in daily:
        try:
            dt.date.fromisoformat(day)
        except (TypeError, ValueError):
            problems.append(Problem("<daily>", 0, "date", f"not an ISO date: {day!r}"))
            continue
        if value is None:
            continue
        if value < 0:
            problems.append(Problem("<daily>", 0, "aqi", f"{unit} {day}: negative AQI {value}"))
        if (unit, day) in aqi:
            problems.append(Problem("<daily>", 0, "date", f"{unit} {day}: given twice"))
        aqi[(unit, day)] = value
    if problems:
        raise DataValidationError(problems, summary="invalid daily AQI")
    if not aqi:
        return []
    last = max(d for _, d in aqi)
    by_day: dict[str, set[str]] = {}
    for (unit_code, day_iso), level in aqi.items():
        if level > rules.heavy_aqi_above:
            by_day.setdefault(day_iso, set()).add(unit_code)
    clusters: list[tuple[str, set[str]]] = []
    for d in sorted(by_day):
        clusters.extend((d, c) for c in _components(by_day[d], adj) if len(c) >= rules.min_units)
    # union clusters on consecutive days that share a unit
    parent = list(range(len(clusters)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (d1, c1) in enumerate(clusters):
        next_day = (dt.date.fromisoformat(d1) + dt.timedelta(days=1)).isoformat()
        for j in range(i + 1, len(clusters)):
            d2, c2 = clusters[j]
            if d2 == next_day and c1 & c2:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(clusters)):
        groups.setdefault(find(i), []).append(i)
    episodes: list[Episode] = []
    for members in groups.values():
        dates = tuple(sorted({clusters[i][0] for i in members}))
        units = sorted(set().union(*(clusters[i][1] for i in members)))
        unit_rows: list[dict[str, Any]] = []
        best: WarningTier | None = None
        for u in units:
            vals = [(d, aqi.get((u, d))) for d in dates]
            heavy = [d for d, v in vals if v is not None and v > rules.heavy_aqi_above]
            run = longest = 0
            prev: dt.date | None = None
            for d in heavy:
                cur = dt.date.fromisoformat(d)
                run = run + 1 if prev is not None and cur - prev == dt.timedelta(days=1) else 1
                longest, prev = max(longest, run), cur
            severe = sum(1 for _, v in vals if v is not None and v > rules.severe_aqi_above)
            mx = max((v for _, v in vals if v is not None), default=None)
            extreme = mx is not None and mx >= rules.extreme_aqi_at_least
            tier = _grade(longest, severe, extreme, rules)
            if tier is not None and (
                best is None or rules.tiers.index(tier) < rules.tiers.index(best)
            ):
                best = tier
            unit_rows.append(
                {
                    "unit": u,
                    "heavy_days": len(heavy),
                    "run_days": longest,
                    "severe_days": severe,
                    "max_aqi": mx,
                    "tier": tier.id if tier else None,
                }
            )
        episodes.append(
            Episode(
                start=dates[0],
                end=dates[-1],
                dates=dates,
                units=tuple(unit_rows),
                tier=best.id if best else None,
                colour=best.colour if best else None,
                name_zh=best.name_zh if best else None,
                name_en=best.name_en if best else None,
                ongoing=dates[-1] == last,
            )
        )
    return sorted(episodes, key=lambda e: (e.start, e.units[0]["unit"]))


def current_air_warnings(
    daily: Iterable[tuple[str, str, float | None]],
    adjacency: Mapping[str, Iterable[str]],
    *,
    rules: WarningRules | None = None,
) -> list[Episode]:
    """Episodes still going on at the latest date of the data (the warnings to release now)."""
    return [e for e in detect_episodes(daily, adjacency, rules=rules) if e.ongoing]


def adjacency_from_units(
    units: Any, *, rules: WarningRules | None = None, metric_crs: str | None = None
) -> dict[str, set[str]]:
    """Neighbouring units from boundary polygons (within ``rules.adjacency_tolerance_m``).

    Parameters
    ----------
    units
        GeoDataFrame of county-level unit polygons in EPSG:4326, indexed by unit code (as
        ``Region.units`` restricted to ``Region.county_codes``) or with a ``code`` column.
    rules
        Rule parameters (tolerance).
    metric_crs
        The region's metric CRS (``Region.manifest.metric_crs``); default: the UTM zone of
        the units' centre.

    Returns
    -------
    dict
        Unit code → set of neighbouring codes (symmetric).
    """
    import shapely

    rules = rules or load_warning_rules()
    codes = [str(c) for c in (units["code"] if "code" in units.columns else units.index)]
    from metrocircle.geo import MetricProjection, metric_crs_for

    centre = units.geometry.representative_point()
    crs = metric_crs or metric_crs_for(centre.x.to_numpy(), centre.y.to_numpy())
    MetricProjection(crs).check(centre.x.to_numpy(), centre.y.to_numpy(), what="unit polygons")
    geoms = units.to_crs(crs).geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=rules.adjacency_tolerance_m)
    out: dict[str, set[str]] = {c: set() for c in codes}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            out[codes[i]].add(codes[j])
            out[codes[j]].add(codes[i])
    return out
