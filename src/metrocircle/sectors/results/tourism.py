"""Tourism results (scenic areas, LB/T 034-2014 capacities and crowd warnings, reported counts) for both faces."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from metrocircle._errors import DataValidationError, PermissionDeniedError, Problem
from metrocircle._json import plain
from metrocircle.sectors.results._base import ReferenceRows

if TYPE_CHECKING:
    from metrocircle.sectors.tourism import Capacity, VisitorCount

__all__ = [
    "CheckedCount",
    "Reporter",
    "ScenicAreaList",
    "SpatialCapacity",
    "TourismWarnings",
    "check_visitor_counts",
    "crowd_tiers",
    "scenic_area_list",
    "scenic_areas",
    "scenic_capacities",
    "tourism_capacity",
    "tourism_warnings",
]


def crowd_tiers() -> ReferenceRows:
    """The configured crowd-warning tiers (LB/T 034-2014), lowest first."""
    from dataclasses import asdict

    from metrocircle.sectors.tourism import load_tiers

    return ReferenceRows(tuple(plain(asdict(t)) for t in load_tiers()))


def scenic_areas(root: Path | str) -> dict[str, dict[str, Any]]:
    """The dataset's scenic-area registry by id (empty when the dataset has none)."""
    from metrocircle.sectors.tourism import load_scenic_areas

    path = Path(root) / "sectors" / "scenic_areas.csv"
    return {a["id"]: a for a in load_scenic_areas(path)} if path.is_file() else {}


def scenic_capacities(
    root: Path | str, extra: Mapping[str, Capacity] | None = None
) -> dict[str, Capacity]:
    """Capacities of the scenic areas: published in the registry, then the dataset's
    ``sectors/scenic_capacities.csv`` (approved values), then ``extra`` (a user file); a
    later source replaces an earlier one for the same area."""
    from metrocircle.sectors.tourism import load_capacities, registry_capacities

    caps = registry_capacities(scenic_areas(root).values())
    path = Path(root) / "sectors" / "scenic_capacities.csv"
    if path.is_file():
        caps |= load_capacities(path)
    if extra:
        caps |= dict(extra)
    return caps


@dataclass(frozen=True)
class ScenicAreaList:
    """The plan's themed scenic areas (专栏5), each with whether a capacity is on file."""

    areas: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One row per area, registry order."""
        return list(self.areas)


def scenic_area_list(root: Path | str) -> ScenicAreaList:
    """The registry rows plus ``has_capacity`` (published, or in ``scenic_capacities.csv``)."""
    caps = scenic_capacities(root)
    return ScenicAreaList(
        tuple(plain({**a, "has_capacity": a["id"] in caps}) for a in scenic_areas(root).values())
    )


@dataclass(frozen=True)
class TourismWarnings:
    """Scenic areas at or above a crowd-warning tier, highest ratio first."""

    warnings: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One entry per area in warning."""
        return list(self.warnings)


def tourism_warnings(
    root: Path | str,
    counts: Iterable[VisitorCount],
    *,
    capacities: Mapping[str, Capacity] | None = None,
) -> TourismWarnings:
    """Current crowd warnings: the latest count of each area against its capacity.

    Times are written as ISO 8601 local date-times with seconds (``2025-10-01T11:00:00``),
    whichever face read them. ``capacities`` adds to (and overrides) the dataset's.
    """
    import pandas as pd

    from metrocircle.sectors.tourism import VisitorCount as _Count
    from metrocircle.sectors.tourism import current_warnings

    latest = [
        _Count(c.scenic_id, pd.Timestamp(c.time).isoformat(), c.in_park, c.cumulative_today)
        for c in counts
    ]
    if not latest:
        return TourismWarnings(())
    rows = current_warnings(latest, scenic_capacities(root, capacities), names=scenic_areas(root))
    return TourismWarnings(tuple(plain(r) for r in rows))


@dataclass(frozen=True)
class SpatialCapacity:
    """LB/T 034-2014 spatial capacity: instantaneous, and daily when T and t are given."""

    instantaneous: float
    daily: float | None

    def to_json(self) -> dict[str, Any]:
        """The document both faces give."""
        return {"instantaneous": self.instantaneous, "daily": self.daily}


def tourism_capacity(
    attractions: Sequence[tuple[float, float]],
    *,
    open_hours: float | None = None,
    visit_hours: float | None = None,
) -> SpatialCapacity:
    """Capacity by the area method from ``(area_m2, m2_per_visitor)`` pairs (see
    :func:`metrocircle.sectors.tourism.spatial_capacity`); daily only with T or t given."""
    from metrocircle.sectors.tourism import spatial_capacity

    pairs = list(attractions)
    inst = spatial_capacity(pairs)
    daily = (
        spatial_capacity(pairs, open_hours=open_hours, visit_hours=visit_hours)
        if (open_hours or visit_hours)
        else None
    )
    return SpatialCapacity(inst, daily)


class Reporter(Protocol):
    """Who reports a batch of counts (``metrocircle.security.Principal`` satisfies it)."""

    @property
    def name(self) -> str: ...  # pragma: no cover - protocol

    @property
    def role(self) -> Any: ...  # pragma: no cover - protocol

    @property
    def units(self) -> frozenset[str]: ...  # pragma: no cover - protocol

    @property
    def can_submit(self) -> bool: ...  # pragma: no cover - protocol

    @property
    def is_admin(self) -> bool: ...  # pragma: no cover - protocol


@dataclass(frozen=True)
class CheckedCount:
    """A visitor count accepted for storage: the local time as given and its UTC instant."""

    scenic_id: str
    time: str
    observed_at: datetime
    in_park: int | None
    cumulative_today: int | None


def check_visitor_counts(
    root: Path | str,
    counts: Sequence[tuple[str, str, int | None, int | None]],
    *,
    reporter: Reporter,
    timezone: str,
    max_clock_skew_seconds: int,
    now: datetime | None = None,
) -> tuple[CheckedCount, ...]:
    """A batch of ``(scenic_id, time, in_park, cumulative_today)`` checked all or nothing.

    Every area must be in the registry with a capacity on file; a time without an offset is
    ``timezone`` local time and may not lie more than ``max_clock_skew_seconds`` ahead of
    ``now``. Officers report for the scenic areas of their units, administrators for any.

    Raises
    ------
    PermissionDeniedError
        The reporter may not report counts, or not for some of the areas (each one named).
    DataValidationError
        Problems with file ``counts``, row = the count's index, field = its column.
    """
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo

    if not reporter.can_submit:
        role = getattr(reporter.role, "value", reporter.role)
        msg = f"user {reporter.name!r} has role {role!r}, which may not report counts"
        raise PermissionDeniedError(msg)
    areas, caps = scenic_areas(root), scenic_capacities(root)
    local = ZoneInfo(timezone)
    latest_allowed = (now or datetime.now(UTC)) + timedelta(seconds=max_clock_skew_seconds)
    problems: list[Problem] = []
    refused: list[Problem] = []
    rows: list[CheckedCount] = []
    for i, (sid, when, in_park, cumulative) in enumerate(counts):
        if sid not in areas:
            problems.append(Problem("counts", i, "scenic_id", f"unknown scenic area {sid!r}"))
        elif sid not in caps:
            problems.append(Problem("counts", i, "scenic_id", f"no capacity on file for {sid!r}"))
        elif not reporter.is_admin and (areas[sid].get("unit_code") or "") not in reporter.units:
            refused.append(
                Problem(
                    "counts",
                    i,
                    "scenic_id",
                    f"{reporter.name!r} may report only for scenic areas of {sorted(reporter.units)}",
                )
            )
        if in_park is None and cumulative is None:
            problems.append(Problem("counts", i, "in_park", "give in_park or cumulative_today"))
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            problems.append(Problem("counts", i, "time", f"not a date-time: {when!r}"))
            continue
        at = (at.replace(tzinfo=local) if at.tzinfo is None else at).astimezone(UTC)
        if at > latest_allowed:
            problems.append(
                Problem(
                    "counts",
                    i,
                    "time",
                    f"{when} is in the future (more than {max_clock_skew_seconds} s ahead of "
                    "this server's clock)",
                )
            )
        rows.append(CheckedCount(sid, when, at, in_park, cumulative))
    if refused:
        msg = f"{len(refused)} count(s) are outside the units of {reporter.name!r}"
        raise PermissionDeniedError(msg, tuple(refused))
    if problems:
        raise DataValidationError(problems, summary=f"{len(problems)} problem(s) in the counts")
    return tuple(rows)


# --------------------------------------------------------------------------- fiscal
