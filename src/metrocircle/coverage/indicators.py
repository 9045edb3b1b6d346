"""Registered coverage indicators: the 1-hour emergency rescue circle and the 15-minute fitness circle.

Scopes: ``"region"`` (every zone of the area), each county-level unit's code and each
prefecture-level unit's code (its county-level children's zones). Values are computed on
the network scenario of the context (``ctx.scenario``; None = base network), for the
period of that scenario's year (``ctx.params["period"]`` overrides it).

The facility layer comes from ``ctx.params["facilities"]`` (a :class:`FacilityLayer` or the
path of a CSV/GeoJSON facility file), from the dataset's ``facilities`` file, or else from
the layers the dataset ships (``hospitals``, ``emergency_sites``; see
:mod:`metrocircle.coverage.layers`). A shipped layer that its ``facility_gaps`` entry
declares incomplete is not used where a partial layer would give a wrong answer (the
rescue circle): the computation raises :class:`MetrocircleError` with the list of what is
missing, and the evaluation shows "no data" with that reason. Where a partial layer gives
a bound (the share within reach of a 三甲 hospital), the value is computed and its
provenance says it is a lower bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from metrocircle._errors import MetrocircleError
from metrocircle.coverage.facilities import (
    FacilityLayer,
    FacilityType,
    HospitalGrade,
    load_facilities,
    region_facilities,
)
from metrocircle.coverage.layers import layer_gap, shipped_facilities
from metrocircle.coverage.measures import load_parameters
from metrocircle.indicators.computed import ComputeContext, ComputedValue, IndicatorSet

if TYPE_CHECKING:
    from metrocircle.coverage.measures import Coverage
    from metrocircle.region import Region

__all__ = [
    "INDICATORS",
    "NEEDS_FITNESS",
    "NEEDS_RESCUE",
    "facility_layer_for",
    "fitness_circle_15min",
    "rescue_circle_1h",
    "rescue_circle_1h_share",
    "scope_members",
    "tertiary_hospital_1h_share",
]

INDICATORS = IndicatorSet()
"""The computed indicators this module provides (listed in :mod:`metrocircle.extensions`)."""

NEEDS_RESCUE = (
    "a facility layer of emergency reserve centres (应急物资储备中心): a CSV or GeoJSON with "
    "id, name_zh, type=emergency_reserve, lon, lat (WGS84, or GCJ-02 converted on import) and source "
    "for each centre (format: metrocircle/coverage/FACILITIES.md), given as "
    "`metrocircle coverage rescue --facilities FILE` or declared in the dataset manifest as [files.facilities]"
)
NEEDS_FITNESS = (
    "a facility layer of public sports venues (type=sports_venue, format: metrocircle/coverage/FACILITIES.md) "
    "and a fine network with walking links (mode=walk in network/links.csv); the strategic network "
    "cannot resolve 15-minute trips"
)
_MODEL = "metrocircle.coverage: nearest facility by network time from township zones (population estimated from census totals)"


_SHIPPED_LAYER = {
    FacilityType.HOSPITAL: "hospitals",
    FacilityType.EMERGENCY_RESERVE: "emergency_sites",
}


def facility_layer_for(
    ctx: ComputeContext, kind: FacilityType, needs: str, *, require_complete: bool = False
) -> FacilityLayer:
    """The facilities of ``kind`` available to a computation, or MetrocircleError naming ``needs``.

    Order: ``ctx.params["facilities"]``, the dataset's ``facilities`` file, the shipped
    layer of ``kind``. With ``require_complete`` a shipped layer declared incomplete in
    ``facility_gaps`` is refused with its list of what is missing.
    """
    given = ctx.params.get("facilities") if ctx.params else None
    layer: FacilityLayer | None
    if isinstance(given, FacilityLayer):
        layer = given
    elif isinstance(given, str) and given:
        layer = load_facilities(given)
    else:
        layer = region_facilities(ctx.region)
    if layer is None and kind in _SHIPPED_LAYER:
        layer = shipped_facilities(ctx.region)
        gap = layer_gap(ctx.region, _SHIPPED_LAYER[kind])
        if layer is not None and require_complete and gap is not None and not gap.complete:
            msg = f"{gap.statement()}; needed: {needs}"
            raise MetrocircleError(msg)
    if layer is None:
        msg = f"no facility layer is loaded; needed: {needs}"
        raise MetrocircleError(msg)
    sub = layer.of_type(kind)
    if len(sub) == 0:
        msg = f"the facility layer {layer.origin} has no facility of type {kind.value!r}; needed: {needs}"
        raise MetrocircleError(msg)
    return sub


def scope_members(region: Region) -> dict[str, tuple[str, ...]]:
    """Scopes and their county-level member codes: ``region``, each county, each prefecture."""
    out: dict[str, tuple[str, ...]] = {"region": region.county_codes}
    for code in region.county_codes:
        out[code] = (code,)
    for code in region.unit_codes:
        if region.unit(code).level == "prefecture":
            kids = tuple(c for c in region.children(code) if c in region.county_codes)
            if kids:
                out[code] = kids
    return out


def _period(ctx: ComputeContext) -> int:
    from metrocircle.coverage.service import scenario_year

    if ctx.params and "period" in ctx.params:
        return int(ctx.params["period"])
    year = scenario_year(ctx.region, ctx.scenario)
    return year if year is not None else int(ctx.region.manifest.plan_year)


def _coverage(
    ctx: ComputeContext,
    kind: FacilityType,
    minutes: float,
    needs: str,
    *,
    require_complete: bool = True,
    min_grade: HospitalGrade | None = None,
) -> tuple[Coverage, FacilityLayer]:
    from metrocircle.coverage.service import coverage_from_region

    layer = facility_layer_for(ctx, kind, needs, require_complete=require_complete)
    if min_grade is not None:
        layer = layer.of_type(kind, min_grade=min_grade)
        if len(layer) == 0:
            msg = f"the facility layer has no {kind.value} of grade {min_grade.value} or above; needed: {needs}"
            raise MetrocircleError(msg)
    cov, _ = coverage_from_region(ctx.region, layer, minutes=minutes, scenario=ctx.scenario)
    return cov, layer


def _provenance(
    ctx: ComputeContext, layer: FacilityLayer, minutes: float, members: tuple[str, ...]
) -> dict[str, str]:
    return {
        "model": _MODEL,
        "data_version": ctx.region.data_version,
        "scenario": ctx.scenario or "base",
        "threshold_min": f"{minutes:g}",
        "facilities": f"{len(layer)} from {layer.origin}",
        "population": "township zones, population estimated from 2020 census county totals (see network/zones.csv)",
        "members": ";".join(members),
    }


@INDICATORS.register(
    "coverage.rescue_circle_1h",
    name_zh="1小时应急救援圈：最远乡镇到最近储备中心的时间",
    name_en="1-hour rescue circle: longest time from a populated township to its nearest reserve centre",
    unit="minutes",
    description=(
        "Maximum over populated township zones of the network time to the nearest emergency reserve centre; "
        "≤ 60 means every populated place is inside the 1-hour circle (plan ch. 11 §4)."
    ),
    needs=NEEDS_RESCUE,
)
def rescue_circle_1h(ctx: ComputeContext) -> list[ComputedValue]:
    """Longest nearest-centre time, minutes, per scope (None when a zone reaches no centre)."""
    minutes = float(load_parameters()["rescue_circle"]["minutes"])
    cov, layer = _coverage(ctx, FacilityType.EMERGENCY_RESERVE, minutes, NEEDS_RESCUE)
    z = cov.zones[cov.zones["population"] > 0]
    period = _period(ctx)
    out: list[ComputedValue] = []
    for scope, members in scope_members(ctx.region).items():
        prov = _provenance(ctx, layer, minutes, members)
        t = z.loc[z["unit"].isin(members), "nearest_min"].to_numpy()
        if t.size == 0:
            prov["needs"] = "populated township zones in network/zones.csv for " + ";".join(members)
            out.append(ComputedValue(scope, period, None, prov))
        elif not np.isfinite(t).all():
            prov["needs"] = (
                f"{int((~np.isfinite(t)).sum())} zone(s) reach no reserve centre on this network"
            )
            out.append(ComputedValue(scope, period, None, prov))
        else:
            out.append(ComputedValue(scope, period, round(float(t.max()), 1), prov))
    return out


def _share_values(
    ctx: ComputeContext,
    cov: Coverage,
    layer: FacilityLayer,
    minutes: float,
    extra: dict[str, str] | None = None,
) -> list[ComputedValue]:
    period = _period(ctx)
    out: list[ComputedValue] = []
    z = cov.zones
    for scope, members in scope_members(ctx.region).items():
        prov = {**_provenance(ctx, layer, minutes, members), **(extra or {})}
        sel = z["unit"].isin(members)
        pop = float(z.loc[sel, "population"].sum())
        if pop <= 0:
            prov["needs"] = "populated township zones in network/zones.csv for " + ";".join(members)
            out.append(ComputedValue(scope, period, None, prov))
            continue
        covered = float(z.loc[sel & z["covered"], "population"].sum())
        out.append(ComputedValue(scope, period, round(100.0 * covered / pop, 2), prov))
    return out


@INDICATORS.register(
    "coverage.rescue_circle_1h_share",
    name_zh="1小时应急救援圈人口覆盖率",
    name_en="Share of population within 1 hour of an emergency reserve centre",
    unit="pct",
    description="Share of the (estimated) township population within 60 min network time of the nearest emergency reserve centre.",
    needs=NEEDS_RESCUE,
)
def rescue_circle_1h_share(ctx: ComputeContext) -> list[ComputedValue]:
    """Percent of population within the rescue-circle minutes of a reserve centre, per scope."""
    minutes = float(load_parameters()["rescue_circle"]["minutes"])
    cov, layer = _coverage(ctx, FacilityType.EMERGENCY_RESERVE, minutes, NEEDS_RESCUE)
    return _share_values(ctx, cov, layer, minutes)


@INDICATORS.register(
    "coverage.fitness_circle_15min",
    name_zh="15分钟健身圈人口覆盖率",
    name_en="Share of population within 15 minutes of a public sports venue",
    unit="pct",
    description="Share of the (estimated) zone population within 15 min of the nearest sports venue on a fine (walking) network.",
    needs=NEEDS_FITNESS,
)
def fitness_circle_15min(ctx: ComputeContext) -> list[ComputedValue]:
    """Percent of population within 15 minutes of a sports venue; needs a fine network."""
    from metrocircle.network.model import load_network

    net = load_network(ctx.region)
    if not bool((net.links["mode"] == "walk").any()):
        msg = f"the loaded network has no walking links; needed: {NEEDS_FITNESS}"
        raise MetrocircleError(msg)
    minutes = float(load_parameters()["fitness_circle"]["minutes"])
    cov, layer = _coverage(ctx, FacilityType.SPORTS_VENUE, minutes, NEEDS_FITNESS)
    return _share_values(ctx, cov, layer, minutes)


NEEDS_TERTIARY = (
    "a facility layer of hospitals with grade 3A (三级甲等): the shipped sectors/hospitals.csv "
    "or a user file (type=hospital, grade=3A; format: metrocircle/coverage/FACILITIES.md)"
)


@INDICATORS.register(
    "coverage.tertiary_hospital_1h_share",
    name_zh="1小时内可达三级甲等医院的人口比例（模型值）",
    name_en="Share of population within 1 hour of a 3A (三级甲等) hospital (modelled)",
    unit="pct",
    description=(
        "Share of the (estimated) township population within the hospital-access minutes (parameters.toml "
        "[hospital_access]) of network time of the nearest 三级甲等 hospital in service (plan ch. 11 §2, 共享优质医疗资源). "
        "A model output, never an observation; on the shipped layer, which is incomplete, it is a lower bound."
    ),
    needs=NEEDS_TERTIARY,
)
def tertiary_hospital_1h_share(ctx: ComputeContext) -> list[ComputedValue]:
    """Percent of population within reach of a 3A hospital, per scope (lower bound on a partial layer)."""
    p = load_parameters()["hospital_access"]
    minutes = float(p["minutes"])
    cov, layer = _coverage(
        ctx,
        FacilityType.HOSPITAL,
        minutes,
        NEEDS_TERTIARY,
        require_complete=False,
        min_grade=HospitalGrade(str(p["min_grade"])),
    )
    extra = {"value_kind": "modelled"}
    gap = layer_gap(ctx.region, "hospitals")
    if layer.origin.endswith("shipped layers") and gap is not None and not gap.complete:
        extra["bound"] = "lower bound: " + gap.statement()
    return _share_values(ctx, cov, layer, minutes, extra)
