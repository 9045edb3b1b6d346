"""Flood endpoints: gauge stations and the warnings of posted water levels (thin over sectors.flood)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import fastapi
from fastapi import HTTPException, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from metrocircle._errors import DataValidationError, PermissionDeniedError, Problem
from metrocircle.api.deps import SettingsDep, StoreDep, WriterDep, origin_of
from metrocircle.sectors import flood

__all__ = ["router"]

router = fastapi.APIRouter(prefix="/api/sectors/flood", tags=["sectors"])

_MAX_READINGS = 5_000


def _root(request: Request) -> Any:
    region = getattr(request.app.state, "region", None)
    if region is None:
        raise HTTPException(status_code=503, detail="no region loaded")
    root = region.dataset_path
    if not (root / flood.STATIONS_FILE).is_file():
        raise HTTPException(status_code=404, detail="this dataset has no flood gauge stations")
    return region, root


@router.get(
    "/stations",
    operation_id="sectors_flood_stations",
    summary="Gauge stations with their published warning and guarantee levels",
)
def stations(request: Request) -> list[dict[str, Any]]:
    """Every station: river, point, unit, warning and guarantee levels (m), datum and sources."""
    _, root = _root(request)
    return flood.stations_document(root)


class ReadingIn(BaseModel):
    """One water-level reading: station id, an ISO 8601 time with zone, the level in metres."""

    model_config = ConfigDict(extra="forbid")
    station_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
    time: AwareDatetime
    level_m: Annotated[float, Field(ge=-500, le=9_000, allow_inf_nan=False)]


class ReadingsIn(BaseModel):
    """Readings to grade (nothing is stored)."""

    model_config = ConfigDict(extra="forbid")
    readings: list[ReadingIn] = Field(min_length=1, max_length=_MAX_READINGS)


@router.post(
    "/warnings",
    operation_id="sectors_flood_warnings",
    summary="Warnings (blue to red) of posted water levels; stores nothing",
)
def warnings(body: ReadingsIn, request: Request) -> dict[str, Any]:
    """National grades at each station's latest reading, the governments to notify downstream."""
    region, root = _root(request)
    known = {s.id for s in flood.dataset_stations(root)}
    bad = [
        {"loc": ["body", "readings", i, "station_id"], "msg": f"unknown station {r.station_id!r}"}
        for i, r in enumerate(body.readings)
        if r.station_id not in known
    ]
    if bad:
        raise HTTPException(status_code=422, detail=bad)
    readings = [flood.LevelReading(r.station_id, r.time, r.level_m) for r in body.readings]
    try:
        return flood.warnings_document(readings, root, projects=region.projects)
    except DataValidationError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.post(
    "/levels",
    operation_id="sectors_flood_levels",
    summary="Import water-level readings into the store (all or nothing)",
    responses={
        401: {"description": "Not logged in"},
        403: {"description": "The role, or the station's unit, is not the user's"},
        409: {"description": "A reading of that station at that instant is already stored"},
    },
)
def import_levels(
    body: ReadingsIn,
    request: Request,
    principal: WriterDep,
    store: StoreDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Store readings with their audit entry; the latest per station feeds ``GET /warnings``.

    Officers import for the stations of their units, administrators for any (a station
    without a unit: administrators only). A time more than ``max_clock_skew_seconds`` in the
    future is refused, and so is a second reading of one station at one instant.
    """
    from metrocircle.store.levels import WaterLevelIn, import_levels, latest_water_levels

    if not principal.can_submit:
        msg = f"user {principal.name!r} has role {principal.role.value!r}, which may not import water levels"
        raise PermissionDeniedError(msg)
    _, root = _root(request)
    by_id = {s.id: s for s in flood.dataset_stations(root)}
    latest_allowed = datetime.now(UTC) + timedelta(seconds=settings.max_clock_skew_seconds)
    problems: list[dict[str, Any]] = []
    refused: list[Problem] = []
    seen: dict[tuple[str, datetime], int] = {}
    for i, r in enumerate(body.readings):
        loc = ["body", "readings", i]
        station = by_id.get(r.station_id)
        if station is None:
            problems.append(
                {"loc": [*loc, "station_id"], "msg": f"unknown station {r.station_id!r}"}
            )
        elif not principal.is_admin and (station.unit or "") not in principal.units:
            refused.append(
                Problem(
                    "readings",
                    i,
                    "station_id",
                    f"{principal.name!r} may import only for stations of {sorted(principal.units)}",
                )
            )
        if r.time > latest_allowed:
            problems.append(
                {
                    "loc": [*loc, "time"],
                    "msg": f"{r.time.isoformat()} is in the future (more than "
                    f"{settings.max_clock_skew_seconds} s ahead of this server's clock)",
                }
            )
        key = (r.station_id, r.time.astimezone(UTC))
        if key in seen:
            problems.append(
                {"loc": [*loc, "time"], "msg": f"a second reading of {r.station_id} at this time"}
            )
        seen.setdefault(key, i)
    if refused:
        msg = f"{len(refused)} reading(s) are outside the units of {principal.name!r}"
        raise PermissionDeniedError(msg, tuple(refused))
    if problems:
        raise HTTPException(status_code=422, detail=problems)
    rows = [
        WaterLevelIn(r.station_id, r.time, r.level_m, line=i) for i, r in enumerate(body.readings)
    ]
    batch = import_levels(
        store, rows, actor=principal.name, origin=origin_of(request), file="readings"
    )
    return {
        "batch_id": batch,
        "accepted": len(rows),
        "stations_with_levels": len(latest_water_levels(store)),
    }


@router.get(
    "/warnings",
    operation_id="sectors_flood_warnings_stored",
    summary="Warnings at the latest stored reading of each station",
)
def stored_warnings(request: Request, store: StoreDep) -> dict[str, Any]:
    """National grades at each station's latest stored reading, and the governments to notify."""
    from metrocircle.store.levels import latest_water_levels

    region, root = _root(request)
    known = {s.id for s in flood.dataset_stations(root)}
    readings = [
        flood.LevelReading(r.station_id, r.time, r.level_m)
        for r in latest_water_levels(store)
        if r.station_id in known  # a station since removed from the dataset is not graded
    ]
    try:
        return flood.warnings_document(readings, root, projects=region.projects)
    except (DataValidationError, KeyError) as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None


@router.get(
    "/layer",
    operation_id="sectors_flood_layer",
    summary="Map layer: stations with their latest stored level and status, schematic reaches",
)
def layer(request: Request, store: StoreDep) -> dict[str, Any]:
    """GeoJSON of the stations (latest stored reading, status) and reaches (``schematic``)."""
    from metrocircle.store.levels import latest_water_levels

    region, root = _root(request)
    known = {s.id for s in flood.dataset_stations(root)}
    readings = [
        flood.LevelReading(r.station_id, r.time, r.level_m)
        for r in latest_water_levels(store)
        if r.station_id in known
    ]
    return flood.layer_document(readings, root, projects=region.projects)
