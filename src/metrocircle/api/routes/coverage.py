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

from metrocircle._errors import DataValidationError, MetrocircleError, NotFoundError
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


def _layer(rows: list[FacilityRow], datum: str, what: str) -> Any:
    """The facilities of a request body as a layer (parsing only; the library decides the rest)."""
    from metrocircle.coverage.facilities import facilities_from_records

    return facilities_from_records(
        [r.model_dump(mode="json") for r in rows],
        file=what,
        datum=datum,  # type: ignore[arg-type]
    )


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
    layer: Literal["given", "shipped"]
    layer_gap: str | None


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


def _answer(question: Callable[[], Any]) -> dict[str, Any]:
    """Run a library question; its refusals become 404 (unknown scenario) or 422."""
    try:
        doc: dict[str, Any] = question().to_json()
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc.args[0])) from None
    except (MetrocircleError, ValueError) as exc:
        raise _unprocessable(exc) from None
    return doc


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
    from metrocircle.coverage.results import rescue_coverage

    region = _region(request)
    return _answer(
        lambda: rescue_coverage(
            region,
            _layer(body.facilities, body.datum, "facilities"),
            minutes=body.minutes,
            facility_type=body.facility_type,
            scenario=body.scenario,
        )
    )


@router.post(
    "/nth",
    operation_id="coverage_nth_nearest",
    summary="Minutes to the n-th nearest facility per zone",
)
@heavy
def nth(body: NthIn, request: Request) -> dict[str, Any]:
    """Per zone the time to its n-th nearest facility (null = fewer than n reachable)."""
    check_size(request, facilities=len(body.facilities))
    from metrocircle.coverage.results import nth_nearest

    region = _region(request)
    return _answer(
        lambda: nth_nearest(
            region,
            _layer(body.facilities, body.datum, "facilities"),
            n=body.n,
            facility_type=body.facility_type,
            scenario=body.scenario,
        )
    )


@router.post(
    "/2sfca",
    operation_id="coverage_two_step_fca",
    summary="Two-step floating catchment accessibility",
)
@heavy
def two_step(body: FcaIn, request: Request) -> dict[str, Any]:
    """Capacity per person (2SFCA) per zone and its population-weighted mean per unit."""
    check_size(request, facilities=len(body.facilities))
    from metrocircle.coverage.results import two_step_fca_result

    region = _region(request)
    return _answer(
        lambda: two_step_fca_result(
            region,
            _layer(body.facilities, body.datum, "facilities"),
            catchment_minutes=body.catchment_minutes,
            decay=body.decay,
            facility_type=body.facility_type,
            scenario=body.scenario,
        )
    )


@router.post(
    "/site",
    operation_id="coverage_site",
    summary="Exact siting: set covering, maximal covering, p-median",
)
@heavy
def site(body: SiteIn, request: Request) -> dict[str, Any]:
    """Solve a siting model with HiGHS; returns proposed sites and uncovered zones as GeoJSON."""
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.results import check_scenario
    from metrocircle.coverage.results import site as solve
    from metrocircle.coverage.service import builtin_candidates

    region = _region(request)
    try:
        check_scenario(region, body.scenario)
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc.args[0])) from None
    if body.candidates is not None:
        check_size(request, sites=len(body.candidates) + len(body.existing))
    if (body.candidates is None) == (body.builtin_candidates is None):
        raise HTTPException(
            status_code=422, detail="give exactly one of `candidates` or `builtin_candidates`"
        )
    if body.model in ("mclp", "pmedian") and body.p is None:
        raise HTTPException(status_code=422, detail=f"`p` is required for {body.model}")

    def question() -> Any:
        if body.candidates is not None:
            cands = _layer(body.candidates, body.datum, "candidates")
        else:
            cands = builtin_candidates(region, str(body.builtin_candidates))
            check_size(request, sites=len(cands) + len(body.existing))
        return solve(
            region,
            model=body.model,
            candidates=cands,
            existing=_layer(body.existing, body.datum, "existing") if body.existing else None,
            p=body.p,
            minutes=body.minutes,
            capacitated=body.capacitated,
            scenario=body.scenario,
            max_pmedian_pairs=int(load_parameters()["api"]["max_pmedian_pairs"]),
        )

    return _answer(question)
