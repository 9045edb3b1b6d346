"""Minutes of links and of boarding and alighting, from the named parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle.network.parameters import Parameters

__all__ = ["URBAN_CATEGORIES", "link_minutes"]


def _speed_minutes(row: Any, params: Parameters) -> float:
    mode, cat = row.mode, row.category
    if not pd.isna(row.minutes):
        return float(row.minutes)
    length = float(row.length_km)
    if mode == "rail":
        design = (
            row.design_speed_kmh
            if not pd.isna(row.design_speed_kmh)
            else params.get(f"rail.default_design_kmh.{cat}", params["rail.default_design_kmh"])
        )
        v = float(design) * params.get(
            f"rail.running_share.{cat}", params["rail.running_share.conventional"]
        )
        return length / v * 60.0 + params.get(f"rail.dwell_min.{cat}", params["rail.dwell_min"])
    if mode == "road" and cat == "expressway":
        design = (
            row.design_speed_kmh
            if not pd.isna(row.design_speed_kmh)
            else params["road.expressway_default_design_kmh"]
        )
        v = min(float(design) * params["road.expressway_share"], params["road.expressway_max_kmh"])
        return length / v * 60.0
    if mode == "road" and cat == "ramp":
        return params["road.interchange_min"] + length / params["road.urban_speed_kmh"] * 60.0
    if mode == "road" and cat == "urban":
        return length / params["road.urban_speed_kmh"] * 60.0
    if mode == "road" and cat == "core":
        return length / params["road.core_speed_kmh"] * 60.0
    if mode == "road" and cat == "urban_trunk":
        design = (
            row.design_speed_kmh
            if not pd.isna(row.design_speed_kmh)
            else params["road.urban_trunk_default_design_kmh"]
        )
        return length / (float(design) * params["road.urban_trunk_share"]) * 60.0
    if mode == "road":
        return length / params["road.local_speed_kmh"] * 60.0
    return length / params["access.speed_kmh"] * 60.0


def link_minutes(links: pd.DataFrame, params: Parameters) -> npt.NDArray[np.float64]:
    """Minutes of every link (float64), as :func:`_speed_minutes` gives them row by row.

    Road and access links are computed as arrays; rail links (few, with per-category
    parameters) row by row.
    """
    n = len(links)
    mode = links["mode"].astype(str).to_numpy()
    cat = links["category"].astype(str).to_numpy()
    length = pd.to_numeric(links["length_km"], errors="coerce").to_numpy(np.float64)
    design = pd.to_numeric(links["design_speed_kmh"], errors="coerce").to_numpy(np.float64)
    given = pd.to_numeric(links["minutes"], errors="coerce").to_numpy(np.float64)
    out = np.full(n, np.nan, dtype=np.float64)
    road = mode == "road"
    with np.errstate(divide="ignore", invalid="ignore"):
        e = road & (cat == "expressway")
        de = np.where(np.isnan(design), params["road.expressway_default_design_kmh"], design)
        v = np.minimum(de * params["road.expressway_share"], params["road.expressway_max_kmh"])
        out[e] = length[e] / v[e] * 60.0
        r = road & (cat == "ramp")
        out[r] = params["road.interchange_min"] + length[r] / params["road.urban_speed_kmh"] * 60.0
        u = road & (cat == "urban")
        out[u] = length[u] / params["road.urban_speed_kmh"] * 60.0
        c = road & (cat == "core")
        out[c] = length[c] / params["road.core_speed_kmh"] * 60.0
        t = road & (cat == "urban_trunk")
        dt = np.where(np.isnan(design), params["road.urban_trunk_default_design_kmh"], design)
        out[t] = length[t] / (dt[t] * params["road.urban_trunk_share"]) * 60.0
        other = road & ~(e | r | u | c | t)
        out[other] = length[other] / params["road.local_speed_kmh"] * 60.0
        acc = ~road & (mode != "rail")
        out[acc] = length[acc] / params["access.speed_kmh"] * 60.0
    rail = np.flatnonzero(mode == "rail")
    for i, row in zip(rail, links.iloc[rail].itertuples(index=False), strict=True):
        out[i] = _speed_minutes(row, params)
    has = ~np.isnan(given)
    out[has] = given[has]
    return out


URBAN_CATEGORIES = ("metro", "suburban")
"""Rail categories run as urban lines: a change between them (or onto a national line)
always alights, waits and boards again; only national lines get through-train arcs."""


def _board_minutes(
    category: str, ref: str, params: Parameters, headways: dict[str, float]
) -> float:
    """Wait plus boarding time of a line: ``wait_share`` × headway, capped, + boarding.

    The headway is, first found: a scenario override, ``rail.headway_min.line.<ref>``,
    ``rail.headway_min.<category>``, the conventional one. The expected wait is capped at
    ``rail.wait_max_min`` (passengers time their arrival to a published timetable).
    """
    head = headways.get(
        ref,
        params.get(
            f"rail.headway_min.line.{ref}",
            params.get(f"rail.headway_min.{category}", params["rail.headway_min.conventional"]),
        ),
    )
    board = params.get(f"rail.boarding_min.{category}", params["rail.boarding_min.national"])
    wait = head * params["rail.wait_share"]
    cap = params.get("rail.wait_max_min", math.inf)
    return min(wait, cap) + board


def _alight_minutes(category: str, params: Parameters) -> float:
    return params.get(f"rail.alighting_min.{category}", params["rail.alighting_min"])
