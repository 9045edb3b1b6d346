"""The access workflows as library results: what the CLI prints and the API returns, computed once.

Each function returns a frozen dataclass with ``to_dict()``; ``metrocircle access … --json``
and the matching ``/api/access/…`` route emit exactly that document:

======================  ==============================  =========================
function                CLI                             API
======================  ==============================  =========================
:func:`commute_report`  ``access commute``              ``GET /api/access/commute``
:func:`metrocircle.access.od.od`  ``access od``         ``GET /api/access/od``
:func:`compare`         ``scenarios compare A B``       ``GET /api/access/compare``
:func:`metrocircle.access.ranking.project_ranking`  ``projects rank``  ``GET /api/access/ranking``
:func:`isochrone`       ``access isochrone``            ``GET /api/access/isochrone``
======================  ==============================  =========================
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from metrocircle.region import Region

__all__ = [
    "CommuteReport",
    "CommuteRow",
    "IsochroneResult",
    "ScenarioComparison",
    "commute_report",
    "compare",
    "isochrone",
]


def _f(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class CommuteRow:
    """One unit's commute to the centre (minutes; the faster mode is ``mode``)."""

    code: str
    name_zh: str
    core: bool
    population: float | None
    minutes_road: float | None
    minutes_rail: float | None
    mode: str | None
    minutes_to_centre: float | None
    within_60: bool
    minutes_to_core_edge: float | None
    rail_minutes: float
    sourced_minutes: float
    modelled_share: float
    value_kind: str = "modelled"
    published: dict[str, Any] | None = None
    """The most recent published time between this unit and the central urban area
    (:mod:`metrocircle.access.published`, ``kind: published``), beside — never in — the model."""


@dataclass(frozen=True)
class CommuteReport:
    """The commute table of a scenario, the centre, and the target as shares (modelled)."""

    scenario: str
    data_version: str
    threshold_min: float
    centre: dict[str, Any]
    units: tuple[CommuteRow, ...]
    target: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``access commute``."""
        return {
            "scenario": self.scenario,
            "data_version": self.data_version,
            "threshold_min": self.threshold_min,
            "centre": dict(self.centre),
            "units": [asdict(r) for r in self.units],
            "target": dict(self.target),
        }


def _network(region: Region, scenario: str) -> Any:
    from metrocircle.network.scenarios import scenario_network

    return scenario_network(region, scenario)


def commute_report(region: Region, scenario: str = "baseline-2020") -> CommuteReport:
    """Minutes from every unit seat to the centre by road and rail, and the commute target.

    Raises
    ------
    ScenarioError
        The scenario is not known.
    """
    from metrocircle.access.commute import commute_table
    from metrocircle.access.published import published_to_centre
    from metrocircle.access.target import summarise

    net = _network(region, scenario)
    res = commute_table(region, net, nearest_core=True)

    def pub(code: str) -> dict[str, Any] | None:
        hits = published_to_centre(region, code)
        return hits[0].to_dict() if hits else None

    rows = tuple(
        CommuteRow(
            code=str(r["code"]),
            name_zh=str(r["name_zh"]),
            core=bool(r["core"]),
            population=_f(r["population"]),
            minutes_road=_f(r["minutes_road"]),
            minutes_rail=_f(r["minutes_rail"]),
            mode=None if not isinstance(r["mode"], str) else r["mode"],
            minutes_to_centre=_f(r["minutes_to_centre"]),
            within_60=bool(r["within_60"]),
            minutes_to_core_edge=_f(r["minutes_to_core_edge"]),
            rail_minutes=float(r["rail_minutes"]),
            sourced_minutes=float(r["sourced_minutes"]),
            modelled_share=float(r["modelled_share"]),
            published=pub(str(r["code"])),
        )
        for r in res.table.to_dict(orient="records")
    )
    c = region.manifest.centre
    tgt = summarise(
        res.table,
        scenario=scenario,
        data_version=region.data_version,
        threshold_min=res.threshold_min,
        basic_share=float(net.params["commute.basic_share"]),
        destination_zh=str(c.name_zh),
    )
    return CommuteReport(
        scenario,
        region.data_version,
        res.threshold_min,
        {
            "unit": c.unit,
            "name_zh": c.name_zh,
            "name_en": getattr(c, "name_en", ""),
            "lon": c.lon,
            "lat": c.lat,
            "source": c.source,
        },
        rows,
        tgt.to_dict(),
    )


@dataclass(frozen=True)
class ComparedUnit:
    """One unit in two scenarios (minutes; delta = b − a)."""

    code: str
    name_zh: str
    minutes_a: float | None
    minutes_b: float | None
    delta_minutes: float | None
    within_60_a: bool
    within_60_b: bool
    mode_a: str | None
    mode_b: str | None


@dataclass(frozen=True)
class ScenarioComparison:
    """Two scenarios side by side: per-unit minutes, units within 60 and the target shares."""

    a: str
    b: str
    data_version: str
    units: tuple[ComparedUnit, ...]
    within_60: dict[str, int]
    target: dict[str, dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``scenarios compare``."""
        return {
            "a": self.a,
            "b": self.b,
            "data_version": self.data_version,
            "units": [asdict(u) for u in self.units],
            "within_60": dict(self.within_60),
            "target": {k: dict(v) for k, v in self.target.items()},
        }


def compare(region: Region, a: str, b: str) -> ScenarioComparison:
    """Compare two scenarios' commute tables (delta = b − a, minutes)."""
    ra, rb = commute_report(region, a), commute_report(region, b)
    by_b = {r.code: r for r in rb.units}
    units = []
    for x in ra.units:
        y = by_b[x.code]
        ma, mb = x.minutes_to_centre, y.minutes_to_centre
        units.append(
            ComparedUnit(
                x.code,
                x.name_zh,
                ma,
                mb,
                None if ma is None or mb is None else round(mb - ma, 1),
                x.within_60,
                y.within_60,
                x.mode,
                y.mode,
            )
        )
    return ScenarioComparison(
        a,
        b,
        region.data_version,
        tuple(units),
        {a: sum(u.within_60_a for u in units), b: sum(u.within_60_b for u in units)},
        {a: ra.target, b: rb.target},
    )


@dataclass(frozen=True)
class IsochroneResult:
    """The area reachable from a unit's seat by the faster mode (GeoJSON, EPSG:4326)."""

    from_code: str
    minutes: float
    scenario: str
    geojson: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The GeoJSON FeatureCollection."""
        return self.geojson


def isochrone(
    region: Region,
    from_unit: str,
    minutes: float = 60.0,
    scenario: str = "baseline-2020",
    *,
    progress: Callable[[int, int], None] | None = None,
) -> IsochroneResult:
    """Where one can get from a unit's seat within ``minutes`` by road or by rail (the union).

    ``progress(done, total)`` is called after the network is ready and after each mode.

    Raises
    ------
    UnknownUnitError
        ``from_unit`` names no county-level unit with a seat.
    ValueError
        ``minutes`` is not in (0, 600].
    """
    import shapely

    from metrocircle._errors import UnknownUnitError
    from metrocircle.access.od import MODE_LINKS, mode_network
    from metrocircle.access.units import resolve_unit
    from metrocircle.network.isochrone import METHOD_TEXT as ISO_METHOD
    from metrocircle.network.isochrone import isochrone as iso_geom

    if not (math.isfinite(minutes) and 0 < minutes <= 600):
        msg = f"minutes: {minutes!r} is not in (0, 600]"
        raise ValueError(msg)
    code = resolve_unit(region, from_unit, field="from")
    if code not in region.county_codes:
        msg = f"from: {code} is not a county-level unit with a seat"
        raise UnknownUnitError(msg)
    u = region.units.loc[code]
    net = _network(region, scenario)
    lon, lat = float(u["seat_lon"]), float(u["seat_lat"])
    feats = []
    geoms = []
    total = 1 + len(MODE_LINKS)
    if progress is not None:
        progress(1, total)
    for i, m in enumerate(MODE_LINKS, 2):
        g = iso_geom(mode_network(net, m), lon, lat, minutes)
        geoms.append(g)
        if progress is not None:
            progress(i, total)
    union = shapely.union_all(geoms)
    props = {
        "from": code,
        "name_zh": str(u["name_zh"]),
        "minutes": float(minutes),
        "scenario": scenario,
        "data_version": region.data_version,
        "modes": list(MODE_LINKS),
        "value_kind": "modelled",
        "method": f"union of the road and rail isochrones: {ISO_METHOD}",
    }
    feats.append(
        {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(union)}
    )
    return IsochroneResult(
        code, float(minutes), scenario, {"type": "FeatureCollection", "features": feats}
    )
