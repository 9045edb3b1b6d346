"""Coverage and siting endpoints: rescue circle, n-th nearest, 2SFCA, exact siting (thin over metrocircle.coverage)."""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

import fastapi
from fastapi import HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from metrocircle._errors import DataValidationError, MetrocircleError
from metrocircle.api.heavy import check_size, heavy
from metrocircle.coverage.facilities import FacilityRow

__all__ = ["router"]


def _finite(o: Any) -> Any:
    """``o`` with non-finite floats replaced by None (JSON has no NaN/Infinity)."""
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, dict):
        return {str(k): _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    return o


class _SafeRoute(APIRoute):
    """A route whose 422 answer survives NaN/Infinity in the request body (Python's JSON reads them)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                errors = [{k: v for k, v in e.items() if k != "ctx"} for e in exc.errors()]
                return JSONResponse(
                    {"detail": _finite(jsonable_encoder(errors, custom_encoder={float: _finite}))},
                    status_code=422,
                )

        return guarded


router = fastapi.APIRouter(prefix="/api/coverage", tags=["coverage"], route_class=_SafeRoute)

# bounds of a request; the values and their reasons are in coverage/data/parameters.toml [api]
_MAX_FACILITIES = 2000
_MAX_CANDIDATES = 600
_Scenario = Annotated[str | None, Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
_Minutes = Annotated[float, Field(ge=0, le=1440, allow_inf_nan=False)]
_Datum = Literal["wgs84", "gcj02"]
_Type = Literal[
    "emergency_reserve",
    "hospital",
    "fire_station",
    "sports_venue",
    "school",
    "disease_control",
    "elderly_care",
]


def _region(request: Request) -> Any:
    region = getattr(request.app.state, "region", None)
    if region is None:
        raise HTTPException(status_code=503, detail="no region loaded")
    return region


def _unprocessable(exc: Exception) -> HTTPException:
    if isinstance(exc, DataValidationError):
        detail: Any = [
            {"loc": ["body", p.file, p.row, p.field], "msg": p.message} for p in exc.problems
        ] or str(exc)
    else:
        detail = str(exc)
    return HTTPException(status_code=422, detail=detail)


def _layer(rows: list[FacilityRow], datum: str, what: str, kind: str | None = None) -> Any:
    from metrocircle.coverage.facilities import facilities_from_records

    layer = facilities_from_records(
        [r.model_dump(mode="json") for r in rows],
        file=what,
        datum=datum,  # type: ignore[arg-type]
    )
    if kind is not None:
        layer = layer.of_type(kind)
        if len(layer) == 0:
            msg = f"`{what}` has no facility of type {kind!r}"
            raise MetrocircleError(msg)
    return layer


def _check_scenario(region: Any, scenario: str | None) -> None:
    from metrocircle.coverage.service import scenario_ids

    if scenario and scenario != "base" and scenario not in scenario_ids(region):
        raise HTTPException(status_code=404, detail=f"unknown scenario {scenario!r}")


def _num(v: Any) -> float | None:
    f = float(v)
    return f if math.isfinite(f) else None


# --------------------------------------------------------------------------- schemas


class CoverageIn(BaseModel):
    """A coverage request: facilities inline (WGS84 unless ``datum`` says GCJ-02)."""

    model_config = ConfigDict(extra="forbid")
    facilities: list[FacilityRow] = Field(min_length=1, max_length=_MAX_FACILITIES)
    facility_type: _Type | None = Field(
        default=None,
        description="Use only facilities of this type (rescue default: emergency_reserve).",
    )
    minutes: _Minutes | None = Field(
        default=None, description="Threshold, minutes (rescue default 60)."
    )
    scenario: _Scenario = None
    datum: _Datum = "wgs84"


class NthIn(CoverageIn):
    """Time to the n-th nearest facility."""

    n: int = Field(default=2, ge=1, le=50)


class FcaIn(CoverageIn):
    """Two-step floating catchment: every facility needs ``capacity`` and ``capacity_unit``."""

    catchment_minutes: _Minutes | None = None
    decay: Literal["none", "gaussian", "linear"] | None = None


class SiteIn(BaseModel):
    """A siting request: candidates inline or one of the dataset's built-in candidate layers."""

    model_config = ConfigDict(extra="forbid")
    model: Literal["lscp", "mclp", "pmedian"]
    candidates: list[FacilityRow] | None = Field(
        default=None, min_length=1, max_length=_MAX_CANDIDATES
    )
    builtin_candidates: Literal["seats", "townships"] | None = None
    existing: list[FacilityRow] = Field(default_factory=list, max_length=_MAX_FACILITIES)
    p: int | None = Field(default=None, ge=1, le=_MAX_CANDIDATES + _MAX_FACILITIES)
    minutes: _Minutes | None = Field(
        default=None, description="Service time of lscp/mclp, minutes (default 60)."
    )
    capacitated: bool = False
    scenario: _Scenario = None
    datum: _Datum = "wgs84"


class UnitCoverageOut(BaseModel):
    """Coverage of one unit."""

    code: str
    name_zh: str
    name_en: str
    population: float
    covered_population: float
    share: float | None


class CoverageOut(BaseModel):
    """Coverage per unit and for the area, with the uncovered zones as GeoJSON points."""

    scenario: str
    minutes: float
    facilities: int
    population: float
    covered_population: float
    share: float | None
    units: list[UnitCoverageOut]
    uncovered: dict[str, Any]
    population_method: str


# --------------------------------------------------------------------------- endpoints


@router.get(
    "/parameters",
    operation_id="coverage_parameters",
    summary="Coverage thresholds and their reasons",
)
def parameters() -> dict[str, Any]:
    """Every coverage parameter with its justification, and the facility types."""
    from metrocircle.coverage.facilities import FacilityType
    from metrocircle.coverage.measures import load_parameters

    return {"parameters": load_parameters(), "facility_types": [t.value for t in FacilityType]}


@router.post(
    "/rescue",
    operation_id="coverage_rescue",
    summary="Population within T minutes of the nearest facility, per unit and area",
    response_model=CoverageOut,
)
@heavy
def rescue(body: CoverageIn, request: Request) -> dict[str, Any]:
    """The 1-hour rescue circle (by default) of an inline facility list, on a scenario network."""
    check_size(request, facilities=len(body.facilities))
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.service import coverage_from_region, zone_table, zones_geojson

    region = _region(request)
    _check_scenario(region, body.scenario)
    params = load_parameters()["rescue_circle"]
    minutes = float(params["minutes"] if body.minutes is None else body.minutes)
    try:
        layer = _layer(
            body.facilities,
            body.datum,
            "facilities",
            body.facility_type or str(params["facility_type"]),
        )
        cov, _ = coverage_from_region(region, layer, minutes=minutes, scenario=body.scenario)
    except (MetrocircleError, ValueError) as exc:
        raise _unprocessable(exc) from None
    units = []
    for code, r in cov.by_unit.iterrows():
        u = region.unit(str(code))
        units.append(
            {
                "code": str(code),
                "name_zh": u.name_zh,
                "name_en": u.name_en,
                "population": float(r["population"]),
                "covered_population": float(r["covered_population"]),
                "share": _num(r["share"]),
            }
        )
    zones = cov.zones.merge(
        zone_table(region)[["zone_id", "name_zh", "lon", "lat"]], on="zone_id", how="left"
    )
    return {
        "scenario": body.scenario or "base",
        "minutes": minutes,
        "facilities": len(layer),
        "population": cov.population,
        "covered_population": cov.covered_population,
        "share": cov.share,
        "units": units,
        "uncovered": zones_geojson(zones, mask=~zones["covered"].to_numpy()),
        "population_method": "township zones; population estimated from the census totals of each unit "
        "(see the zones file's method column)",
    }


@router.post(
    "/nth",
    operation_id="coverage_nth_nearest",
    summary="Minutes to the n-th nearest facility per zone",
)
@heavy
def nth(body: NthIn, request: Request) -> dict[str, Any]:
    """Per zone the time to its n-th nearest facility (null = fewer than n reachable)."""
    check_size(request, facilities=len(body.facilities))
    from metrocircle.coverage.service import nth_nearest_from_region

    region = _region(request)
    _check_scenario(region, body.scenario)
    try:
        layer = _layer(body.facilities, body.datum, "facilities", body.facility_type)
        z = nth_nearest_from_region(region, layer, n=body.n, scenario=body.scenario)
    except (MetrocircleError, ValueError) as exc:
        raise _unprocessable(exc) from None
    return {
        "scenario": body.scenario or "base",
        "n": body.n,
        "zones": [
            {
                "zone_id": r.zone_id,
                "unit": r.unit,
                "name_zh": r.name_zh,
                "population": _num(r.population),
                "minutes": _num(r.minutes),
            }
            for r in z.itertuples()
        ],
    }


@router.post(
    "/2sfca",
    operation_id="coverage_two_step_fca",
    summary="Two-step floating catchment accessibility",
)
@heavy
def two_step(body: FcaIn, request: Request) -> dict[str, Any]:
    """Capacity per person (2SFCA) per zone and its population-weighted mean per unit."""
    check_size(request, facilities=len(body.facilities))
    from metrocircle.coverage.service import two_step_fca_from_region

    region = _region(request)
    _check_scenario(region, body.scenario)
    try:
        layer = _layer(body.facilities, body.datum, "facilities", body.facility_type)
        zones, units = two_step_fca_from_region(
            region,
            layer,
            catchment_min=body.catchment_minutes,
            decay=body.decay,
            scenario=body.scenario,
        )
    except (MetrocircleError, ValueError) as exc:
        raise _unprocessable(exc) from None
    return {
        "scenario": body.scenario or "base",
        "capacity_unit": sorted({str(v) for v in layer.table["capacity_unit"].dropna()}),
        "units": [
            {
                "code": str(c),
                "population": float(r["population"]),
                "accessibility": _num(r["accessibility"]),
            }
            for c, r in units.iterrows()
        ],
        "zones": [
            {"zone_id": r.zone_id, "unit": r.unit, "accessibility": _num(r.accessibility)}
            for r in zones.itertuples()
        ],
    }


@router.post(
    "/site",
    operation_id="coverage_site",
    summary="Exact siting: set covering, maximal covering, p-median",
)
@heavy
def site(body: SiteIn, request: Request) -> dict[str, Any]:
    """Solve a siting model with HiGHS; returns proposed sites and uncovered zones as GeoJSON."""
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.service import (
        builtin_candidates,
        sites_geojson,
        siting_from_region,
        zone_table,
        zones_geojson,
    )

    region = _region(request)
    _check_scenario(region, body.scenario)
    if body.candidates is not None:
        check_size(request, sites=len(body.candidates) + len(body.existing))
    if (body.candidates is None) == (body.builtin_candidates is None):
        raise HTTPException(
            status_code=422, detail="give exactly one of `candidates` or `builtin_candidates`"
        )
    if body.model in ("mclp", "pmedian") and body.p is None:
        raise HTTPException(status_code=422, detail=f"`p` is required for {body.model}")
    try:
        if body.candidates is not None:
            cands = _layer(body.candidates, body.datum, "candidates")
        else:
            cands = builtin_candidates(region, str(body.builtin_candidates))
            check_size(request, sites=len(cands) + len(body.existing))
        existing = _layer(body.existing, body.datum, "existing") if body.existing else None
        if body.model == "pmedian":
            pairs = len(zone_table(region)) * (len(cands) + len(body.existing))
            limit = int(load_parameters()["api"]["max_pmedian_pairs"])
            if pairs > limit:
                msg = (
                    f"p-median over {pairs} zone × site pairs exceeds the API limit of {limit}; "
                    "use fewer candidate sites or the command line (metrocircle site pmedian)"
                )
                raise MetrocircleError(msg)
        run = siting_from_region(
            region,
            cands,
            model=body.model,
            scenario=body.scenario,
            existing=existing,
            service_min=body.minutes,
            p=body.p,
            capacitated=body.capacitated,
        )
    except (MetrocircleError, ValueError) as exc:
        raise _unprocessable(exc) from None
    res = run.result
    out = run.to_dict()
    covered = list(res.covered)
    out["proposed_sites"] = sites_geojson(run)
    out["uncovered"] = zones_geojson(run.zones, mask=[not c for c in covered])
    out["mean_minutes"] = res.mean_minutes
    return out
