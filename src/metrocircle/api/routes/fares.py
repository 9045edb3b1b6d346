"""Fare endpoints: the priced public-transport trip between two units (thin over sectors.fares)."""

from __future__ import annotations

from typing import Annotated, Any

import fastapi
from fastapi import HTTPException, Query, Request

from metrocircle._errors import MetrocircleError
from metrocircle.sectors import fares

__all__ = ["router"]

router = fastapi.APIRouter(prefix="/api/sectors/fares", tags=["sectors"])

_Unit = Annotated[str, Query(min_length=1, max_length=32)]
_Id = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get(
    "/od", operation_id="sectors_fares_od", summary="Fares of the rail trip between two units"
)
def fares_od(
    request: Request,
    from_: Annotated[str, Query(alias="from", min_length=1, max_length=32)],
    to: _Unit,
    scenario: _Id = "baseline-2020",
    scheme: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_]+$")] = None,
) -> dict[str, Any]:
    """Separate (today's, by operator) and integrated (一票式) fares, minutes, monthly cost."""
    region = getattr(request.app.state, "region", None)
    if region is None:
        raise HTTPException(status_code=503, detail="no region loaded")
    try:
        return fares.fares_od(region, from_, to, scenario=scenario, scheme=scheme).to_dict()
    except (MetrocircleError, KeyError, ValueError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        raise HTTPException(status_code=422, detail=str(msg)) from None


@router.get(
    "/commute",
    operation_id="sectors_fares_commute",
    summary="Monthly cost of the rail commute from every unit to the centre, per fare scheme",
)
def fares_commute(request: Request, scenario: _Id = "baseline-2020") -> list[dict[str, Any]]:
    """Per unit: the modelled rail trip to the centre's unit and its monthly cost under each scheme."""
    region = getattr(request.app.state, "region", None)
    if region is None:
        raise HTTPException(status_code=503, detail="no region loaded")
    from metrocircle.api.routes.access import _shared

    try:
        # one trip per unit (seconds of routing): computed once per scenario and data version,
        # in the heavy pool; an unknown scenario fails there and is not kept
        rows: list[dict[str, Any]] = _shared(
            request,
            "fares_commute",
            region,
            scenario,
            lambda: fares.commute_costs(region, scenario=scenario),
        )
    except (MetrocircleError, KeyError, ValueError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        raise HTTPException(status_code=422, detail=str(msg)) from None
    return rows
