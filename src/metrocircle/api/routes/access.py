"""Commute-circle endpoints: commute per unit, isochrones, scenarios, ranking, network layer (thin).

Every result but the scenario list is computed in the heavy pool (:mod:`metrocircle.api.heavy`)
once per key. Results over the closed set of scenarios (commute, network, ranking, compare)
are shared by everybody and kept in a cache of their own; results of a caller's choice (an
isochrone's origin and minutes, an origin-destination pair) count against the caller's
per-client limit and live in separate bounded caches, so they cannot push the shared ones out.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from metrocircle.api.deps import RegionDep
from metrocircle.api.heavy import check_public_limit, heavy_cached, settings_of
from metrocircle.region import Region

__all__ = ["router"]

router = APIRouter(prefix="/api/access", tags=["access"])

_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
ScenarioQ = Annotated[
    str, Query(min_length=1, max_length=64, description="Scenario id (see /api/access/scenarios).")
]


def _f(x: Any) -> Any:
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    return x


_CACHE_MAX = 256
"""Entries kept (least recently used dropped first), so varied requests cannot grow memory."""
_SHARED_MAX = 256
"""Shared results kept: 3 scenarios give 22 (commute, layer, ranking: 3 each; compare: 9)."""
_ISO_MAX = 128
"""Isochrones kept (up to ~170 kB each as GeoJSON: ~20 MB at most)."""
_OD_MAX = 256
"""Origin-destination answers kept (small)."""


def _shared(request: Request, kind: str, region: Region, scenario: str, fn: Any) -> Any:
    """A result over the closed set of scenarios: computed once in the pool, for everybody."""
    key = (kind, scenario, region.data_version)
    what = f"{request.url.path} (scenario={scenario})"
    return heavy_cached(request, "access.shared", _SHARED_MAX, key, fn, shared=True, what=what)


def _cached(kind: str, region: Region, scenario: str, fn: Any) -> Any:
    key = (kind, scenario, region.data_version)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    val = fn()
    with _LOCK:
        _CACHE[key] = val
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    return val


def _scenarios(region: Region) -> dict[str, Any]:
    from metrocircle.network.scenarios import load_region_scenarios

    return _cached("scenarios", region, "", lambda: load_region_scenarios(region))  # type: ignore[no-any-return]


def _check_scenario(region: Region, scenario: str) -> None:
    if scenario not in _scenarios(region):
        raise HTTPException(
            status_code=404,
            detail=f"scenario: unknown scenario {scenario!r}; known: {sorted(_scenarios(region))}",
        )


def _report(request: Request, region: Region, scenario: str) -> Any:
    from metrocircle.access.workflows import commute_report

    _check_scenario(region, scenario)
    return _shared(request, "commute", region, scenario, lambda: commute_report(region, scenario))


def _unit(region: Region, text: str, field: str) -> str:
    from metrocircle._errors import UnknownUnitError
    from metrocircle.access.units import resolve_unit

    try:
        code = resolve_unit(region, text, field=field)
    except UnknownUnitError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    if code not in region.county_codes:
        raise HTTPException(
            status_code=404,
            detail=f"{field}: {code} is not a county-level unit with a seat; name one of its units",
        )
    return code


UnitQ = Annotated[
    str, Query(min_length=1, max_length=40, description="Unit code or name (璧山, 璧山区).")
]


@router.get("/scenarios", operation_id="access_scenarios")
def scenarios(region: RegionDep) -> list[dict[str, Any]]:
    """The network scenarios: id, names, year, base and modifications (with project ids)."""
    return [
        {
            "id": s.id,
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "year": s.year,
            "base": s.base,
            "description": s.description,
            "modifications": [
                {
                    "op": m.op,
                    "ref": m.ref,
                    "project_id": m.project_id,
                    "in_service_year": m.in_service_year,
                    "year_basis": m.year_basis,
                }
                for m in s.modifications
            ],
        }
        for s in _scenarios(region).values()
    ]


@router.get("/commute", operation_id="access_commute")
def commute(
    request: Request, region: RegionDep, scenario: ScenarioQ = "baseline-2020"
) -> dict[str, Any]:
    """Minutes from every unit seat to the centre by road and rail, and the target as shares (modelled)."""
    out: dict[str, Any] = _report(request, region, scenario).to_dict()
    return out


@router.get("/commute/{unit}", operation_id="access_commute_unit")
def commute_unit(
    request: Request,
    region: RegionDep,
    unit: Annotated[str, Path(min_length=1, max_length=40, description="Unit code or name.")],
    scenario: ScenarioQ = "baseline-2020",
) -> dict[str, Any]:
    """One unit's minutes to the centre under a scenario."""
    from dataclasses import asdict

    code = _unit(region, unit, "unit")
    rep = _report(request, region, scenario)
    row = next(r for r in rep.units if r.code == code)
    return {"scenario": scenario, "data_version": region.data_version, **asdict(row)}


@router.get("/od", operation_id="access_od")
def od(
    request: Request,
    region: RegionDep,
    from_: Annotated[
        str,
        Query(alias="from", min_length=1, max_length=40, description="Origin unit: code or name."),
    ],
    to: UnitQ,
    scenario: ScenarioQ = "baseline-2020",
) -> dict[str, Any]:
    """Door-to-door minutes between two units' seats by road and by rail, and the faster path."""
    from metrocircle.access.od import od as od_fn

    _check_scenario(region, scenario)
    a, b = _unit(region, from_, "from"), _unit(region, to, "to")
    key = (a, b, scenario, region.data_version)
    what = f"origin-destination (from={a}, to={b}, scenario={scenario})"
    res = heavy_cached(
        request,
        "access.od",
        _OD_MAX,
        key,
        lambda: od_fn(region, a, b, scenario),
        per_client=settings_of(request).public_reads_per_client,
        what=what,
    )
    out: dict[str, Any] = res.to_dict()
    return out


@router.get("/compare", operation_id="access_compare_scenarios")
def compare(request: Request, region: RegionDep, a: ScenarioQ, b: ScenarioQ) -> dict[str, Any]:
    """Per-unit minutes to the centre in two scenarios and the difference (b − a)."""
    from metrocircle.access.workflows import compare as compare_fn

    _check_scenario(region, a)
    _check_scenario(region, b)
    out: dict[str, Any] = _shared(
        request, f"compare:{a}", region, b, lambda: compare_fn(region, a, b)
    ).to_dict()
    return out


@router.get("/isochrone", operation_id="access_isochrone")
def isochrone(
    request: Request,
    region: RegionDep,
    from_: Annotated[
        str,
        Query(alias="from", min_length=1, max_length=40, description="Origin unit: code or name."),
    ],
    minutes: Annotated[float, Query(gt=0, le=600, description="Time budget in minutes.")] = 60.0,
    scenario: ScenarioQ = "baseline-2020",
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the area reachable from a unit's seat by road or rail (EPSG:4326).

    The public may ask at most ``anonymous_max_isochrone_minutes`` (240) minutes.
    """
    from metrocircle.access.workflows import isochrone as iso_fn

    settings = settings_of(request)
    check_public_limit(
        request,
        ("query", "minutes"),
        minutes,
        limit=settings.anonymous_max_isochrone_minutes,
        setting="anonymous_max_isochrone_minutes",
    )
    _check_scenario(region, scenario)
    code = _unit(region, from_, "from")
    res = heavy_cached(
        request,
        "access.isochrone",
        _ISO_MAX,
        (code, minutes, scenario, region.data_version),
        lambda: iso_fn(region, code, minutes, scenario),
        per_client=settings.public_reads_per_client,
        what=f"isochrone (from={code}, minutes={minutes:g}, scenario={scenario})",
    )
    out: dict[str, Any] = res.to_dict()
    return out


@router.get("/ranking", operation_id="access_project_ranking")
def ranking(
    request: Request, region: RegionDep, scenario: ScenarioQ = "plan-2025"
) -> dict[str, Any]:
    """Every modelled project's own effect on the commute (remove-one and add-one), by name."""
    from metrocircle.access.ranking import project_ranking

    _check_scenario(region, scenario)
    res = _shared(request, "ranking", region, scenario, lambda: project_ranking(region, scenario))
    out: dict[str, Any] = res.to_dict()
    return out


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` in degrees, or a 422 naming ``bbox`` and what is wrong."""
    if text is None:
        return None
    parts = text.split(",")
    vals: list[float] = []
    why = ""
    if len(parts) != 4:
        why = "expected four comma-separated numbers west,south,east,north (degrees)"
    else:
        try:
            vals = [float(p) for p in parts]
        except ValueError:
            why = "every value must be a number"
    if not why and not all(math.isfinite(v) for v in vals):
        why = "every value must be finite"
    elif not why and not (-180 <= vals[0] < vals[2] <= 180):
        why = "expected -180 <= west < east <= 180"
    elif not why and not (-90 <= vals[1] < vals[3] <= 90):
        why = "expected -90 <= south < north <= 90"
    if why:
        raise HTTPException(
            status_code=422,
            detail=[{"loc": ["query", "bbox"], "msg": f"bbox {text!r}: {why}", "input": text}],
        )
    w, s, e, n = vals
    return (w, s, e, n)


@router.get("/network", operation_id="access_network_layer")
def network_layer(
    request: Request,
    region: RegionDep,
    scenario: ScenarioQ = "baseline-2020",
    zoom: Annotated[
        int | None,
        Query(
            ge=0,
            le=22,
            description="Web-map zoom of the view: road classes not shown there are left "
            "out and lines simplified to half a pixel (see LAYER_CLASS_MIN_ZOOM).",
        ),
    ] = None,
    bbox: Annotated[
        str | None,
        Query(
            max_length=200,
            description="west,south,east,north (degrees): only features meeting the view.",
        ),
    ] = None,
) -> dict[str, Any]:
    """GeoJSON of the rail and expressway lines in service in the scenario, for the map.

    Each line runs through its stations or control points in order, clipped to the map's
    extent (``properties.extent``) with a ``kind: stub`` point where it leaves it naming
    where it goes; ``drawn`` says solid (sourced) or dashed (modelled). On a large
    (OpenStreetMap) network ask with ``zoom`` and ``bbox``: a response carries at most
    ``LAYER_MAX_FEATURES`` features (``properties.omitted`` counts the rest), so the map
    never receives every link of a metropolitan network.
    """
    from metrocircle.network.layer import network_layer as layer_fn
    from metrocircle.network.layer import simplify_layer
    from metrocircle.network.scenarios import scenario_network

    box_ = _bbox(bbox)
    _check_scenario(region, scenario)
    full = _shared(
        request,
        "layer",
        region,
        scenario,
        lambda: layer_fn(region, scenario_network(region, scenario)),
    )
    return simplify_layer(full, zoom=zoom, bbox=box_)
