"""Coverage and siting workflows as library results: one function per question, one document.

Each function answers one question the command line (``metrocircle coverage …``,
``metrocircle site …``) and the API (``/api/coverage/…``) both ask, and returns a frozen
result whose :meth:`to_json` is the document both faces print or return: same keys, same
rows. The faces only parse their input (a file, a request body) into a
:class:`~metrocircle.coverage.facilities.FacilityLayer` and render the result.

>>> RescueCoverage.__dataclass_params__.frozen
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from metrocircle._errors import MetrocircleError, NotFoundError
from metrocircle._json import plain

if TYPE_CHECKING:
    from metrocircle.coverage.facilities import FacilityLayer
    from metrocircle.region import Region

__all__ = [
    "POPULATION_METHOD",
    "FacilityChoice",
    "NthNearest",
    "RescueCoverage",
    "SitingOutcome",
    "TwoStepFca",
    "check_scenario",
    "choose_layer",
    "nth_nearest",
    "rescue_coverage",
    "site",
    "two_step_fca_result",
]

LayerOrigin = Literal["given", "shipped"]

POPULATION_METHOD = (
    "township zones; population estimated from the census totals of each unit "
    "(see the zones file's method column)"
)
"""How the demand of every coverage result was obtained (one sentence, both faces)."""


class _Document:
    """Mixin: the JSON document of a frozen result is its fields, in order, made plain."""

    def to_json(self) -> dict[str, Any]:
        """The document the CLI's ``--json`` prints and the API returns."""
        return {f.name: plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


def _names(region: Region, code: str) -> tuple[str, str]:
    try:
        u = region.unit(code)
    except KeyError:
        return code, code
    return u.name_zh, u.name_en


def check_scenario(region: Region, scenario: str | None) -> None:
    """Raise :class:`NotFoundError` for a scenario id the dataset does not define."""
    from metrocircle.coverage.service import scenario_ids

    if scenario and scenario != "base":
        known = scenario_ids(region)
        if scenario not in known:
            msg = f"unknown scenario {scenario!r}; the dataset defines {known}"
            raise NotFoundError(msg)


def _check_minutes(minutes: float, what: str = "minutes") -> float:
    m = float(minutes)
    if not math.isfinite(m) or m < 0:
        msg = f"`{what}` must be a non-negative number of minutes"
        raise ValueError(msg)
    return m


@dataclass(frozen=True)
class FacilityChoice:
    """The facilities a question runs on: the layer, where it came from, and its known gap."""

    layer: FacilityLayer
    origin: LayerOrigin
    gap: str | None = None


def _gap_key(kind: str | None) -> str:
    return "hospitals" if kind == "hospital" else "emergency_sites"


def choose_layer(
    region: Region,
    layer: FacilityLayer | None,
    kind: str | None,
    *,
    what: str = "facilities",
) -> FacilityChoice:
    """The given layer (or, when None, the layers the region ships) restricted to ``kind``.

    A shipped layer carries its incompleteness statement (``coverage/data`` gap file), a
    given one none. Raises :class:`MetrocircleError` when no facility is left.
    """
    from metrocircle.coverage.layers import layer_gap, shipped_facilities

    origin: LayerOrigin = "given"
    gap: str | None = None
    if layer is None:
        shipped = shipped_facilities(region)
        if shipped is None:
            msg = (
                "the dataset ships no facility layer; give --facilities FILE "
                "(format: coverage/FACILITIES.md)"
            )
            raise MetrocircleError(msg)
        layer, origin = shipped, "shipped"
        g = layer_gap(region, _gap_key(kind))
        gap = None if g is None or g.complete else g.statement()
    if kind is not None:
        layer = layer.of_type(kind)
        if len(layer) == 0:
            where = "the shipped layers have" if origin == "shipped" else f"`{what}` has"
            msg = f"{where} no facility of type {kind!r}"
            raise MetrocircleError(msg)
    return FacilityChoice(layer, origin, gap)


# --------------------------------------------------------------------------- rescue


@dataclass(frozen=True)
class RescueCoverage(_Document):
    """Population within ``minutes`` of the nearest facility, per unit and for the area."""

    scenario: str
    minutes: float
    facilities: int
    population: float
    covered_population: float
    share: float | None
    units: tuple[dict[str, Any], ...]
    uncovered: dict[str, Any]
    population_method: str
    layer: LayerOrigin
    layer_gap: str | None

    @property
    def uncovered_zones(self) -> int:
        """How many zones lie outside the circle."""
        return len(self.uncovered["features"])


def rescue_coverage(
    region: Region,
    layer: FacilityLayer | None = None,
    *,
    minutes: float | None = None,
    facility_type: str | None = None,
    scenario: str | None = None,
) -> RescueCoverage:
    """The rescue circle (default 60 min to the nearest emergency reserve centre).

    ``layer=None`` uses the layers the region ships; defaults come from
    ``coverage/data/parameters.toml`` ``[rescue_circle]``.
    """
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.service import coverage_from_region, zone_table, zones_geojson

    params = load_parameters()["rescue_circle"]
    t = _check_minutes(params["minutes"] if minutes is None else minutes)
    check_scenario(region, scenario)
    choice = choose_layer(region, layer, facility_type or str(params["facility_type"]))
    cov, _ = coverage_from_region(region, choice.layer, minutes=t, scenario=scenario)
    units = []
    for code, r in cov.by_unit.iterrows():
        zh, en = _names(region, str(code))
        units.append(
            {
                "code": str(code),
                "name_zh": zh,
                "name_en": en,
                "population": float(r["population"]),
                "covered_population": float(r["covered_population"]),
                "share": _num(r["share"]),
            }
        )
    zones = cov.zones.merge(
        zone_table(region)[["zone_id", "name_zh", "lon", "lat"]], on="zone_id", how="left"
    )
    return RescueCoverage(
        scenario=scenario or "base",
        minutes=t,
        facilities=len(choice.layer),
        population=float(cov.population),
        covered_population=float(cov.covered_population),
        share=None if cov.share is None else _num(cov.share),
        units=tuple(units),
        uncovered=zones_geojson(zones, mask=~zones["covered"].to_numpy()),
        population_method=POPULATION_METHOD,
        layer=choice.origin,
        layer_gap=choice.gap,
    )


# --------------------------------------------------------------------------- n-th nearest


@dataclass(frozen=True)
class NthNearest(_Document):
    """Minutes from every zone to its n-th nearest facility; per unit the worst and mean."""

    scenario: str
    n: int
    facilities: int
    layer: LayerOrigin
    layer_gap: str | None
    units: tuple[dict[str, Any], ...]
    zones: tuple[dict[str, Any], ...]


def nth_nearest(
    region: Region,
    layer: FacilityLayer | None = None,
    *,
    n: int = 2,
    facility_type: str | None = None,
    scenario: str | None = None,
) -> NthNearest:
    """Time to the ``n``-th nearest facility (null where fewer than ``n`` are reachable).

    With the shipped layers and no type, the type is ``[defaults] nth_facility_type``.
    Per unit: the worst zone (null when one is unreached), the population-weighted mean
    over reached zones and the number of unreached zones.
    """
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.service import nth_nearest_from_region

    if n < 1:
        msg = f"`n` was {n} but is expected to be at least 1"
        raise ValueError(msg)
    check_scenario(region, scenario)
    if layer is None and facility_type is None:
        facility_type = str(load_parameters()["defaults"]["nth_facility_type"])
    choice = choose_layer(region, layer, facility_type)
    z = nth_nearest_from_region(region, choice.layer, n=n, scenario=scenario)
    inf = float("inf")
    units = []
    for code, g in z.groupby("unit", sort=True):
        finite = g[g["minutes"] != inf]
        pop = float(finite["population"].sum())
        zh, en = _names(region, str(code))
        units.append(
            {
                "code": str(code),
                "name_zh": zh,
                "name_en": en,
                "max_minutes": _num(g["minutes"].max()),
                "mean_minutes": float((finite["population"] * finite["minutes"]).sum() / pop)
                if pop > 0
                else None,
                "unreached_zones": int((g["minutes"] == inf).sum()),
            }
        )
    zones = tuple(
        {
            "zone_id": str(r.zone_id),
            "unit": str(r.unit),
            "name_zh": str(r.name_zh),
            "population": _num(r.population),
            "minutes": _num(r.minutes),
        }
        for r in z.itertuples()
    )
    return NthNearest(
        scenario=scenario or "base",
        n=n,
        facilities=len(choice.layer),
        layer=choice.origin,
        layer_gap=choice.gap,
        units=tuple(units),
        zones=zones,
    )


# --------------------------------------------------------------------------- 2SFCA


@dataclass(frozen=True)
class TwoStepFca(_Document):
    """2SFCA accessibility per zone and its population-weighted mean per unit."""

    scenario: str
    capacity_unit: tuple[str, ...]
    per_people: int
    facilities: int
    layer: LayerOrigin
    layer_gap: str | None
    excluded_no_capacity: tuple[str, ...]
    bound: str | None
    units: tuple[dict[str, Any], ...]
    zones: tuple[dict[str, Any], ...]


def two_step_fca_result(
    region: Region,
    layer: FacilityLayer | None = None,
    *,
    catchment_minutes: float | None = None,
    decay: str | None = None,
    facility_type: str | None = None,
    scenario: str | None = None,
) -> TwoStepFca:
    """Two-step floating catchment accessibility (capacity per person).

    A given layer needs a capacity on every facility. The shipped layers keep only the
    facilities with a published capacity, and the result then says it is a lower bound
    (``excluded_no_capacity``, ``bound``). ``per_people`` scales the per-person value for
    reading: ``[defaults] per_people_beds`` for beds, else ``per_people``.
    """
    from metrocircle.coverage.facilities import FacilityLayer as _Layer
    from metrocircle.coverage.measures import DECAYS, load_parameters
    from metrocircle.coverage.service import two_step_fca_from_region

    if decay is not None and decay not in DECAYS:
        msg = f"`decay` was {decay!r} but is expected to be one of {list(DECAYS)}"
        raise ValueError(msg)
    if catchment_minutes is not None:
        _check_minutes(catchment_minutes, "catchment_minutes")
    defaults = load_parameters()["defaults"]
    check_scenario(region, scenario)
    if layer is None and facility_type is None:
        facility_type = str(defaults["fca_facility_type"])
    choice = choose_layer(region, layer, facility_type)
    use = choice.layer
    excluded: list[str] = []
    if choice.origin == "shipped":
        has = use.table["capacity"].notna()
        excluded = use.table.loc[~has, "id"].astype(str).tolist()
        if not bool(has.any()):
            msg = (
                "no shipped facility of this type has a published capacity; give --facilities FILE"
            )
            raise MetrocircleError(msg)
        use = _Layer(use.table.loc[has].reset_index(drop=True), use.origin, use.datum)
    zones, units = two_step_fca_from_region(
        region, use, catchment_min=catchment_minutes, decay=decay, scenario=scenario
    )
    unit_of = sorted({str(v) for v in use.table["capacity_unit"].dropna()})
    per = int(defaults["per_people_beds"] if unit_of == ["beds"] else defaults["per_people"])
    rows = []
    for c, r in units.iterrows():
        zh, en = _names(region, str(c))
        acc = _num(r["accessibility"])
        rows.append(
            {
                "code": str(c),
                "name_zh": zh,
                "name_en": en,
                "population": float(r["population"]),
                "accessibility": acc,
                "accessibility_per": None if acc is None else acc * per,
            }
        )
    return TwoStepFca(
        scenario=scenario or "base",
        capacity_unit=tuple(unit_of),
        per_people=per,
        facilities=len(use),
        layer=choice.origin,
        layer_gap=choice.gap,
        excluded_no_capacity=tuple(excluded),
        bound=(
            f"lower bound: {len(excluded)} facilities without a published capacity left out"
            if excluded
            else None
        ),
        units=tuple(rows),
        zones=tuple(
            {
                "zone_id": str(r.zone_id),
                "unit": str(r.unit),
                "name_zh": str(r.name_zh),
                "population": _num(r.population),
                "accessibility": _num(r.accessibility),
            }
            for r in zones.itertuples()
        ),
    )


# --------------------------------------------------------------------------- siting


@dataclass(frozen=True)
class SitingOutcome:
    """An exact siting solution: the run's summary, proposed sites and uncovered zones."""

    summary: dict[str, Any]
    proposed_sites: dict[str, Any]
    uncovered: dict[str, Any]
    chosen: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        """The document the CLI's ``--json`` prints and the API returns."""
        doc: dict[str, Any] = plain(
            {**self.summary, "proposed_sites": self.proposed_sites, "uncovered": self.uncovered}
        )
        return doc

    def write_geojson(self, path: Path) -> None:
        """Write the proposed sites as a GeoJSON file."""
        import json

        path.write_text(json.dumps(self.proposed_sites, ensure_ascii=False), encoding="utf-8")


def site(
    region: Region,
    *,
    model: str,
    candidates: FacilityLayer | None = None,
    builtin_candidates: str | None = None,
    existing: FacilityLayer | None = None,
    p: int | None = None,
    minutes: float | None = None,
    capacitated: bool = False,
    scenario: str | None = None,
    max_pmedian_pairs: int | None = None,
) -> SitingOutcome:
    """Solve ``lscp``, ``mclp`` or ``pmedian`` with HiGHS on the region's township zones.

    Exactly one of ``candidates`` and ``builtin_candidates`` (``seats``/``townships``).
    ``max_pmedian_pairs`` (the API's bound) refuses a p-median over more zone × site pairs.
    """
    from metrocircle.coverage.service import (
        BUILTIN_CANDIDATES,
        sites_geojson,
        siting_from_region,
        zone_table,
        zones_geojson,
    )
    from metrocircle.coverage.service import builtin_candidates as _builtin

    if model not in ("lscp", "mclp", "pmedian"):
        msg = f"`model` was {model!r} but is expected to be 'lscp', 'mclp' or 'pmedian'"
        raise ValueError(msg)
    if (candidates is None) == (builtin_candidates is None):
        msg = "give exactly one of candidate sites or built-in candidates (seats, townships)"
        raise ValueError(msg)
    if builtin_candidates is not None and builtin_candidates not in BUILTIN_CANDIDATES:
        msg = (
            f"built-in candidates were {builtin_candidates!r} but are expected to be one of "
            f"{list(BUILTIN_CANDIDATES)}"
        )
        raise ValueError(msg)
    if model in ("mclp", "pmedian") and p is None:
        msg = f"{model} needs p (the number of open sites, existing ones included)"
        raise ValueError(msg)
    if minutes is not None:
        _check_minutes(minutes)
    check_scenario(region, scenario)
    cands = candidates if candidates is not None else _builtin(region, str(builtin_candidates))
    n_existing = 0 if existing is None else len(existing)
    if model == "pmedian" and max_pmedian_pairs is not None:
        pairs = len(zone_table(region)) * (len(cands) + n_existing)
        if pairs > max_pmedian_pairs:
            msg = (
                f"p-median over {pairs} zone × site pairs exceeds the API limit of "
                f"{max_pmedian_pairs}; use fewer candidate sites or the command line "
                "(metrocircle site pmedian)"
            )
            raise MetrocircleError(msg)
    run = siting_from_region(
        region,
        cands,
        model=model,  # type: ignore[arg-type]
        scenario=scenario,
        existing=existing if existing is not None and len(existing) else None,
        service_min=minutes,
        p=p,
        capacitated=capacitated,
    )
    covered = list(run.result.covered)
    chosen = run.sites[run.sites["selected"]]
    return SitingOutcome(
        summary=run.to_dict(),
        proposed_sites=sites_geojson(run),
        uncovered=zones_geojson(run.zones, mask=[not c for c in covered]),
        chosen=tuple(
            {
                "id": str(r.id),
                "name_zh": str(r.name_zh),
                "name_en": None if not isinstance(r.name_en, str) else r.name_en,
                "existing": bool(r.existing),
                "lon": float(r.lon),
                "lat": float(r.lat),
            }
            for r in chosen.itertuples()
        ),
    )
