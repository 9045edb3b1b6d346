"""Scenic-area maximum capacity (LB/T 034-2014) and crowd-warning tiers for joint release.

Capacity formulas follow the forms of LB/T 034-2014 §5 as summarised in the team reference
(``anchors-and-standards.md`` §5.3; marked [M] there: the official formula annex was not
read).  Published capacities travel in the registry (``scenic_areas.csv``, each with its
source); a user may supply more in ``scenic_capacities.csv``.  Warning thresholds live in
``sectors/data/tourism_warning.toml``.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem

__all__ = [
    "A_LEVELS",
    "MAX_COUNT_ROWS",
    "PLACED_BY",
    "Capacity",
    "Tier",
    "VisitorCount",
    "current_warnings",
    "gate_capacity",
    "load_capacities",
    "load_scenic_areas",
    "load_tiers",
    "read_visitor_counts",
    "registry_capacities",
    "spatial_capacity",
    "trail_capacity",
    "warning_tier",
]

#: Upper bound on rows of one visitor-count import (keeps API and CLI memory bounded).
MAX_COUNT_ROWS = 100_000


def _positive(name: str, value: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        msg = f"`{name}` must be a finite number > 0, got {value!r}"
        raise ValueError(msg)
    return float(value)


def spatial_capacity(
    attractions: Sequence[tuple[float, float]],
    *,
    open_hours: float | None = None,
    visit_hours: float | None = None,
) -> float:
    """Spatial capacity (空间承载量) by the area method.

    Instantaneous ``C1 = Σ X_i / Y_i``; daily ``C2 = Σ X_i / Y_i × Int(T / t)`` where
    ``Int(T/t)`` is the turnover rate (周转率).

    Parameters
    ----------
    attractions
        ``(X_i, Y_i)`` pairs: effective visitable area of attraction i in m², and the area per
        visitor in m²/person.
    open_hours
        T, effective daily opening time in hours; with ``visit_hours`` gives the daily capacity.
    visit_hours
        t, average visit duration in hours.

    Returns
    -------
    float
        Visitors (instantaneous, or per day when T and t are given).

    Examples
    --------
    >>> spatial_capacity([(20000, 20), (5000, 10)])
    1500.0
    >>> spatial_capacity([(20000, 20), (5000, 10)], open_hours=10, visit_hours=3)
    4500.0
    """
    if not attractions:
        msg = "`attractions` is empty: at least one (area_m2, m2_per_visitor) pair is needed"
        raise ValueError(msg)
    c1 = sum(_positive("area_m2", x) / _positive("m2_per_visitor", y) for x, y in attractions)
    if open_hours is None and visit_hours is None:
        return c1
    if open_hours is None or visit_hours is None:
        msg = "`open_hours` and `visit_hours` go together (daily capacity needs both)"
        raise ValueError(msg)
    turnover = math.floor(
        _positive("open_hours", open_hours) / _positive("visit_hours", visit_hours)
    )
    return c1 * turnover


def gate_capacity(
    *, open_hours: float, route_hours: float, interval_hours: float, batch_size: float
) -> float:
    """Daily capacity of a controlled bottleneck (卡口法): ``C = D × A``, ``D = t1 / t3``, ``t1 = H − t2``.

    Parameters
    ----------
    open_hours
        H, daily opening time, hours.
    route_hours
        t2, time to complete the route, hours.
    interval_hours
        t3, interval between batches, hours.
    batch_size
        A, visitors per batch.

    Examples
    --------
    >>> gate_capacity(open_hours=10, route_hours=2, interval_hours=0.5, batch_size=40)
    640.0
    """
    h = _positive("open_hours", open_hours)
    t2 = _positive("route_hours", route_hours)
    if t2 >= h:
        msg = f"`route_hours` ({t2}) must be shorter than `open_hours` ({h})"
        raise ValueError(msg)
    return (
        (h - t2) / _positive("interval_hours", interval_hours) * _positive("batch_size", batch_size)
    )


def trail_capacity(
    *,
    length_m: float,
    m_per_visitor: float,
    turnover: float,
    return_hours: float | None = None,
    trail_hours: float | None = None,
) -> float:
    """Daily capacity by the trail method (游路法).

    Complete loop ``C = M × D / m``; out-and-back ``C = M × D / (m + m × E / F)``.

    Parameters
    ----------
    length_m
        M, trail length, metres.
    m_per_visitor
        m, reasonable trail length per visitor, metres.
    turnover
        D, turnover per day.
    return_hours, trail_hours
        E (return time) and F (time to complete the trail), hours; give both for an
        out-and-back trail.
    """
    m_len, m, d = (
        _positive("length_m", length_m),
        _positive("m_per_visitor", m_per_visitor),
        _positive("turnover", turnover),
    )
    if return_hours is None and trail_hours is None:
        return m_len * d / m
    if return_hours is None or trail_hours is None:
        msg = "`return_hours` and `trail_hours` go together (out-and-back trail)"
        raise ValueError(msg)
    return (
        m_len
        * d
        / (m + m * _positive("return_hours", return_hours) / _positive("trail_hours", trail_hours))
    )


@dataclass(frozen=True, slots=True)
class Tier:
    """A warning tier: reached when visitors ÷ capacity >= ``threshold``."""

    id: str
    level: int
    colour: str
    threshold: float
    name_zh: str
    name_en: str
    actions_zh: str
    actions_en: str
    source: str


def load_tiers(path: Path | None = None) -> tuple[Tier, ...]:
    """Warning tiers from ``tourism_warning.toml`` (packaged by default), ascending threshold."""
    if path is None:
        text = (
            resources.files("metrocircle.sectors")
            .joinpath("data/tourism_warning.toml")
            .read_text("utf-8")
        )
        name = "tourism_warning.toml"
    else:
        text, name = Path(path).read_text("utf-8"), str(path)
    raw = tomllib.loads(text)
    problems: list[Problem] = []
    tiers: list[Tier] = []
    for i, t in enumerate(raw.get("tier", []), start=1):
        try:
            tier = Tier(**{k: t[k] for k in Tier.__slots__})
        except KeyError as exc:
            problems.append(Problem(name, 0, f"tier[{i}].{exc.args[0]}", "missing"))
            continue
        if not isinstance(tier.threshold, int | float) or not 0 < tier.threshold <= 10:
            problems.append(Problem(name, 0, f"tier[{i}].threshold", "must be a ratio in (0, 10]"))
        tiers.append(tier)
    if not tiers and not problems:
        problems.append(Problem(name, 0, "tier", "no tier defined"))
    ths = [t.threshold for t in tiers]
    if len(set(ths)) != len(ths):
        problems.append(Problem(name, 0, "tier.threshold", "thresholds must differ"))
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid warning tiers")
    return tuple(sorted(tiers, key=lambda t: t.threshold))


def warning_tier(ratio: float, tiers: Sequence[Tier] | None = None) -> Tier | None:
    """The highest tier whose threshold ``ratio`` reaches, or None.

    Examples
    --------
    >>> warning_tier(0.85).id, warning_tier(0.79)
    ('announce', None)
    """
    tiers = tiers if tiers is not None else load_tiers()
    if not math.isfinite(ratio) or ratio < 0:
        msg = f"`ratio` must be a finite number >= 0, got {ratio!r}"
        raise ValueError(msg)
    reached = [t for t in tiers if ratio >= t.threshold]
    return max(reached, key=lambda t: t.threshold) if reached else None


@dataclass(frozen=True, slots=True)
class Capacity:
    """A scenic area's approved maximum capacity (user-supplied), visitors."""

    scenic_id: str
    instantaneous: float | None
    daily: float | None
    method: str
    source: str


@dataclass(frozen=True, slots=True)
class VisitorCount:
    """One visitor-count observation."""

    scenic_id: str
    time: str
    in_park: int | None
    cumulative_today: int | None


def _read_rows(path: Path | str, required: Sequence[str]) -> tuple[str, list[dict[str, str]]]:
    name = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = []
            for row in reader:
                rows.append(row)
                if len(rows) > MAX_COUNT_ROWS:
                    msg = f"{name}: more than {MAX_COUNT_ROWS} rows; split the file"
                    raise DataValidationError([Problem(name, 0, "file", msg)], summary=msg)
    except OSError as exc:
        msg = f"{name}: cannot be read ({exc.strerror})"
        raise DataValidationError([Problem(name, 0, "file", msg)], summary=msg) from None
    missing = [c for c in required if c not in header]
    if missing:
        msg = f"{name}: missing column(s) {missing}"
        raise DataValidationError(
            [Problem(name, 1, ",".join(missing), "missing column")], summary=msg
        )
    return name, rows


PLACED_BY = ("published_coordinate", "township_point", "unit_seat")
"""How a registry point was obtained: a published coordinate, the township point of the
published 街道/镇 (``network/zones.csv``), or the seat of the unit (``units.csv``)."""

A_LEVELS = ("1A", "2A", "3A", "4A", "5A")
"""Quality grades of GB/T 17775 (旅游景区质量等级)."""

_OPTIONAL_TEXT = (
    "unit_basis",
    "township_code",
    "placed_by",
    "location_source",
    "a_level",
    "a_level_source",
    "capacity_source",
)


def _check_area_row(
    r: dict[str, str], name: str, i: int, rec: dict[str, Any], problems: list[Problem]
) -> None:
    """Validate the placement, grade and capacity fields of one registry row (in place)."""
    for col in _OPTIONAL_TEXT:
        rec[col] = (r.get(col) or "").strip()
    lon, lat = rec["lon"], rec["lat"]
    placed = rec["placed_by"]
    if (lon is None) != (lat is None):
        problems.append(Problem(name, i, "lat" if lat is None else "lon", "give both lon and lat"))
    if lon is not None and not -180 <= lon <= 180:
        problems.append(Problem(name, i, "lon", f"out of range: {lon}"))
    if lat is not None and not -90 <= lat <= 90:
        problems.append(Problem(name, i, "lat", f"out of range: {lat}"))
    if placed and placed not in PLACED_BY:
        problems.append(Problem(name, i, "placed_by", f"must be one of {list(PLACED_BY)}"))
    if (lon is not None) != bool(placed):
        problems.append(
            Problem(name, i, "placed_by", "a point needs placed_by and placed_by needs a point")
        )
    if placed == "township_point" and not rec["township_code"]:
        problems.append(Problem(name, i, "township_code", "a township point names its township"))
    if lon is not None and not (r.get("unit_code") or "").strip():
        problems.append(Problem(name, i, "unit_code", "a placed area needs its unit"))
    if placed and not rec["location_source"] and placed != "unit_seat":
        problems.append(Problem(name, i, "location_source", "a placed point needs its source"))
    if rec["a_level"] and rec["a_level"] not in A_LEVELS:
        problems.append(Problem(name, i, "a_level", f"must be one of {list(A_LEVELS)}"))
    if rec["a_level"] and not rec["a_level_source"]:
        problems.append(Problem(name, i, "a_level_source", "an A-level needs its source"))
    caps = False
    for col in ("capacity_instant", "capacity_daily"):
        rec[col] = _opt_number(r.get(col) or "", name, i, col, problems, integer=False)
        caps = caps or rec[col] is not None
    if caps and not rec["capacity_source"]:
        problems.append(
            Problem(name, i, "capacity_source", "a capacity needs its source (publisher, year)")
        )


def load_scenic_areas(path: Path | str) -> list[dict[str, Any]]:
    """Read the scenic-area registry (``scenic_areas.csv``).

    Every row keeps its columns; ``lon``/``lat``/``capacity_instant``/``capacity_daily``
    become numbers or None. Checked: unique ids, both or neither coordinate, ``placed_by``
    in :data:`PLACED_BY` exactly when a point is given, a township code for township points,
    a source for every point (but the unit seat), A-level and capacity.

    Raises
    ------
    DataValidationError
        Every problem as ``file:row:field``; nothing is returned.
    """
    name, rows = _read_rows(path, ("id", "name_zh", "name_en", "theme", "unit_code", "lon", "lat"))
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):
        sid = r["id"].strip()
        if not sid or sid in seen:
            problems.append(Problem(name, i, "id", "empty or duplicate"))
        seen.add(sid)
        rec: dict[str, Any] = dict(r)
        for col in ("lon", "lat"):
            text = r[col].strip()
            rec[col] = None
            if text:
                try:
                    rec[col] = float(text)
                except ValueError:
                    problems.append(Problem(name, i, col, f"not a number: {text!r}"))
        _check_area_row(r, name, i, rec, problems)
        out.append(rec)
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid scenic areas")
    return out


def registry_capacities(areas: Iterable[Mapping[str, Any]]) -> dict[str, Capacity]:
    """The published capacities carried by registry rows (see :func:`load_scenic_areas`).

    Examples
    --------
    >>> registry_capacities([{"id": "a", "capacity_instant": 100.0, "capacity_daily": None,
    ...                       "capacity_source": "x"}])["a"].instantaneous
    100.0
    """
    out: dict[str, Capacity] = {}
    for a in areas:
        ci, cd = a.get("capacity_instant"), a.get("capacity_daily")
        if ci is None and cd is None:
            continue
        out[str(a["id"])] = Capacity(
            str(a["id"]), ci, cd, "published", str(a.get("capacity_source") or "")
        )
    return out


def _opt_number(
    text: str, name: str, row: int, col: str, problems: list[Problem], *, integer: bool
) -> Any:
    t = (text or "").strip()
    if not t:
        return None
    try:
        x = int(t) if integer else float(t)
    except ValueError:
        problems.append(
            Problem(name, row, col, f"not {'an integer' if integer else 'a number'}: {t!r}")
        )
        return None
    if not math.isfinite(x) or x < 0 or (not integer and x == 0):
        problems.append(
            Problem(name, row, col, f"must be {'>= 0' if integer else '> 0'}, got {t!r}")
        )
        return None
    return x


def load_capacities(path: Path | str) -> dict[str, Capacity]:
    """Read user-supplied capacities: ``scenic_id, capacity_instantaneous, capacity_daily, method, source``."""
    name, rows = _read_rows(
        path, ("scenic_id", "capacity_instantaneous", "capacity_daily", "method", "source")
    )
    problems: list[Problem] = []
    out: dict[str, Capacity] = {}
    for i, r in enumerate(rows, start=2):
        sid = r["scenic_id"].strip()
        if not sid or sid in out:
            problems.append(Problem(name, i, "scenic_id", "empty or duplicate"))
            continue
        ci = _opt_number(
            r["capacity_instantaneous"], name, i, "capacity_instantaneous", problems, integer=False
        )
        cd = _opt_number(r["capacity_daily"], name, i, "capacity_daily", problems, integer=False)
        if ci is None and cd is None:
            problems.append(
                Problem(
                    name, i, "capacity_instantaneous", "give an instantaneous or a daily capacity"
                )
            )
        if not r["source"].strip():
            problems.append(
                Problem(name, i, "source", "every capacity needs its source (approval document)")
            )
        out[sid] = Capacity(sid, ci, cd, r["method"].strip(), r["source"].strip())
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid capacities")
    return out


def read_visitor_counts(path: Path | str) -> list[VisitorCount]:
    """Read a visitor-count feed: ``scenic_id, time (ISO), in_park, cumulative_today``, all or nothing."""
    import pandas as pd

    name, rows = _read_rows(path, ("scenic_id", "time", "in_park", "cumulative_today"))
    problems: list[Problem] = []
    out: list[VisitorCount] = []
    for i, r in enumerate(rows, start=2):
        sid = r["scenic_id"].strip()
        if not sid:
            problems.append(Problem(name, i, "scenic_id", "empty"))
        try:
            t = pd.Timestamp(r["time"].strip()).isoformat()
        except ValueError:
            problems.append(Problem(name, i, "time", f"not an ISO date-time: {r['time']!r}"))
            continue
        ip = _opt_number(r["in_park"], name, i, "in_park", problems, integer=True)
        cu = _opt_number(r["cumulative_today"], name, i, "cumulative_today", problems, integer=True)
        if ip is None and cu is None:
            problems.append(Problem(name, i, "in_park", "give in_park or cumulative_today"))
        out.append(VisitorCount(sid, t, ip, cu))
    if problems:
        raise DataValidationError(problems, summary=f"{name}: {len(problems)} problem(s)")
    return out


def current_warnings(
    counts: Iterable[VisitorCount],
    capacities: Mapping[str, Capacity],
    *,
    tiers: Sequence[Tier] | None = None,
    names: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Current crowd warnings: the latest count of each scenic area against its capacity.

    Parameters
    ----------
    counts
        Visitor counts; the latest per scenic area (by ISO time) is used.
    capacities
        Capacity per scenic id; a count for an area without capacity is an error.
    tiers
        Warning tiers (the packaged ones by default).
    names
        Optional registry rows by id, to add ``name_zh``/``name_en``/``unit_code``.

    Returns
    -------
    list of dict
        One entry per area at or above the lowest tier, highest ratio first: ``scenic_id``,
        ``time``, ``ratio_instantaneous``, ``ratio_daily``, ``ratio``, ``tier``, ``level``,
        ``colour``, ``actions_zh``, ``actions_en``.
    """
    tiers = tiers if tiers is not None else load_tiers()
    latest: dict[str, VisitorCount] = {}
    for c in counts:
        if c.scenic_id not in latest or c.time >= latest[c.scenic_id].time:
            latest[c.scenic_id] = c
    unknown = sorted(s for s in latest if s not in capacities)
    if unknown:
        msg = f"no capacity for scenic area(s) {unknown}: none is published or supplied"
        raise DataValidationError([Problem("<counts>", 0, "scenic_id", msg)], summary=msg)
    out: list[dict[str, Any]] = []
    for sid, c in latest.items():
        cap = capacities[sid]
        ri = c.in_park / cap.instantaneous if c.in_park is not None and cap.instantaneous else None
        rd = (
            c.cumulative_today / cap.daily if c.cumulative_today is not None and cap.daily else None
        )
        ratios = [r for r in (ri, rd) if r is not None]
        if not ratios:
            continue
        ratio = max(ratios)
        tier = warning_tier(ratio, tiers)
        if tier is None:
            continue
        entry: dict[str, Any] = {
            "scenic_id": sid,
            "time": c.time,
            "in_park": c.in_park,
            "cumulative_today": c.cumulative_today,
            "ratio_instantaneous": ri,
            "ratio_daily": rd,
            "ratio": ratio,
            "tier": tier.id,
            "level": tier.level,
            "colour": tier.colour,
            "threshold": tier.threshold,
            "actions_zh": tier.actions_zh,
            "actions_en": tier.actions_en,
            "capacity_source": cap.source,
        }
        if names and sid in names:
            entry |= {k: names[sid].get(k) for k in ("name_zh", "name_en", "unit_code")}
        out.append(entry)
    return sorted(out, key=lambda e: (-e["ratio"], e["scenic_id"]))
