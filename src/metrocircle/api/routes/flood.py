"""Flood endpoints: gauge stations and the warnings of posted water levels (thin over sectors.flood)."""

from __future__ import annotations

from typing import Annotated, Any

import fastapi
from fastapi import HTTPException, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from metrocircle._errors import DataValidationError
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
