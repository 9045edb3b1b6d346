"""Routes of the region itself: summary, units (JSON and GeoJSON), targets, projects, observations."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request

from metrocircle.api.deps import RegionDep, SettingsDep
from metrocircle.api.heavy import data_version_of, results_of
from metrocircle.api.schemas import (
    FeatureCollectionOut,
    FeatureOut,
    ProjectOut,
    RegionOut,
    TargetOut,
    UnitOut,
)
from metrocircle.region import Region

__all__ = ["cached", "invalid", "router", "valid_scopes"]

router = APIRouter(prefix="/api", tags=["region"])

_CACHE_MAX = 64
"""Most entries kept by :func:`cached` before the oldest are dropped (memory bound)."""
_CACHE_KEY = "metrocircle.api.routes.core"


def invalid(loc: tuple[str, str], msg: str, *, status: int = 422) -> HTTPException:
    """A 4xx error whose body names the field, shaped like FastAPI's own validation errors.

    ``loc`` is (where, field), e.g. ``("query", "type")``.
    """
    return HTTPException(
        status_code=status,
        detail=[{"loc": list(loc), "msg": msg, "type": "value_error"}],
    )


def cached(request: Request, key: tuple[Any, ...], make: Any) -> Any:
    """Return the cached value of ``key``, computing it with ``make()`` on a miss.

    Entries live in the app's result cache (:func:`metrocircle.api.heavy.results_of`) under
    the loaded region's data version and a question of their own, bounded to
    ``_CACHE_MAX`` (least recently used dropped first), so they never push out another
    route's entries.
    """
    cache = results_of(request)
    if cache.bound(_CACHE_KEY) != _CACHE_MAX:
        cache.set_bound(_CACHE_KEY, _CACHE_MAX)
    return cache.get(data_version_of(request), _CACHE_KEY, key, make)


def _project_counts(region: Region) -> dict[str, int]:
    counts = dict.fromkeys(region.unit_codes, 0)
    for p in region.projects:
        for c in p.units:
            if c in counts:
                counts[c] += 1
    return counts


def _units(region: Region) -> list[UnitOut]:
    counts = _project_counts(region)
    return [UnitOut.build(region.unit(c), n_projects=counts[c]) for c in region.unit_codes]


def _units_geojson(region: Region) -> FeatureCollectionOut:
    key = "boundaries_web" if region.has_file("boundaries_web") else "boundaries"
    gj = json.loads(region.file(key).read_text(encoding="utf-8"))
    props = {u.code: u.model_dump() for u in _units(region)}
    feats = []
    for f in gj["features"]:
        code = str(f["properties"]["code"])
        feats.append(FeatureOut(id=code, properties=props[code], geometry=f["geometry"]))
    return FeatureCollectionOut(features=feats)


def valid_scopes(region: Region) -> set[str]:
    """Scopes an observation may have: ``region``, a unit code, ``group:<role>``, extra scopes."""
    from metrocircle.schema import ROLES

    return {
        "region",
        *region.unit_codes,
        *region.manifest.extra_scopes,
        *(f"group:{r}" for r in ROLES),
    }


@router.get("/region", operation_id="get_region", response_model=RegionOut)
def get_region(region: RegionDep, settings: SettingsDep) -> RegionOut:
    """Summary of the served dataset: titles, plan, data version, centre, roles, extent, basemap."""
    return RegionOut.build(region, settings)


@router.get(
    "/units",
    operation_id="list_units",
    response_model=list[UnitOut] | FeatureCollectionOut,
)
def list_units(
    request: Request,
    region: RegionDep,
    format: Annotated[
        Literal["json", "geojson"],
        Query(description="json: a list of units; geojson: a FeatureCollection of boundaries"),
    ] = "json",
) -> list[UnitOut] | FeatureCollectionOut:
    """Every unit (parents included) with its 2020 census figures, or their boundaries as GeoJSON."""
    if format == "geojson":
        out: FeatureCollectionOut = cached(
            request, ("units_geojson", region.data_version), lambda: _units_geojson(region)
        )
        return out
    units: list[UnitOut] = cached(request, ("units", region.data_version), lambda: _units(region))
    return units


@router.get(
    "/units/{code}",
    operation_id="get_unit",
    response_model=UnitOut,
    responses={404: {"description": "No unit has this code"}},
)
def get_unit(
    region: RegionDep,
    code: Annotated[str, Path(max_length=64, description="GB/T 2260 code, e.g. 500103")],
) -> UnitOut:
    """One unit by its GB/T 2260 code (404 naming the code when unknown)."""
    u = region.unit(code)
    return UnitOut.build(u, n_projects=_project_counts(region)[u.code])


@router.get("/targets", operation_id="list_targets", response_model=list[TargetOut])
def list_targets(region: RegionDep) -> list[TargetOut]:
    """The plan's quantified targets, in file order."""
    return [TargetOut.build(t) for t in region.targets]


@router.get("/projects", operation_id="list_projects", response_model=list[ProjectOut])
def list_projects(
    region: RegionDep,
    type: Annotated[
        str | None, Query(max_length=64, description="only projects of this type")
    ] = None,
    unit: Annotated[
        str | None, Query(max_length=64, description="only projects naming this unit code")
    ] = None,
) -> list[ProjectOut]:
    """The plan's key projects, optionally of one type and/or naming one unit."""
    types = sorted({p.type for p in region.projects})
    if type is not None and type not in types:
        msg = f"unknown project type {type!r}; expected one of {types}"
        raise invalid(("query", "type"), msg)
    if unit is not None and unit not in region.unit_codes:
        msg = f"unknown unit code {unit!r}"
        raise invalid(("query", "unit"), msg)
    return [
        ProjectOut.build(p)
        for p in region.projects
        if (type is None or p.type == type) and (unit is None or unit in p.units)
    ]
