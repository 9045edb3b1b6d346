"""Commute-circle endpoints: commute per unit, isochrones, scenarios, ranking, network layer (thin)."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from metrocircle.api.deps import RegionDep
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


def _network(region: Region, scenario: str) -> Any:
    from metrocircle.network.scenarios import scenario_network

    _check_scenario(region, scenario)
    return _cached("network", region, scenario, lambda: scenario_network(region, scenario))


def _commute(region: Region, scenario: str) -> list[dict[str, Any]]:
    from metrocircle.access.commute import commute_table

    def run() -> list[dict[str, Any]]:
        t = commute_table(region, _network(region, scenario)).table
        return [
            {k: _f(v.item() if hasattr(v, "item") else v) for k, v in r.items()}
            for r in t.to_dict(orient="records")
        ]

    return _cached("commute", region, scenario, run)  # type: ignore[no-any-return]


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
def commute(region: RegionDep, scenario: ScenarioQ = "baseline-2020") -> dict[str, Any]:
    """Minutes from every unit seat to the centre, within_60 and the sourced/modelled split."""
    rows = _commute(region, scenario)
    c = region.manifest.centre
    return {
        "scenario": scenario,
        "data_version": region.data_version,
        "centre": {
            "unit": c.unit,
            "name_zh": c.name_zh,
            "lon": c.lon,
            "lat": c.lat,
            "source": c.source,
        },
        "units": rows,
    }


@router.get("/commute/{code}", operation_id="access_commute_unit")
def commute_unit(
    region: RegionDep,
    code: Annotated[str, Path(pattern=r"^\d{6}$")],
    scenario: ScenarioQ = "baseline-2020",
) -> dict[str, Any]:
    """One unit's minutes to the centre under a scenario."""
    if code not in region.county_codes:
        raise HTTPException(status_code=404, detail=f"code: unknown county-level unit {code!r}")
    row = next((r for r in _commute(region, scenario) if r["code"] == code), None)
    if row is None:
        raise HTTPException(status_code=404, detail=f"code: unit {code!r} has no seat point")
    return {"scenario": scenario, "data_version": region.data_version, **row}


@router.get("/compare", operation_id="access_compare_scenarios")
def compare(region: RegionDep, a: ScenarioQ, b: ScenarioQ) -> dict[str, Any]:
    """Per-unit minutes to the centre in two scenarios and the difference (b − a)."""
    ra = {r["code"]: r for r in _commute(region, a)}
    rb = {r["code"]: r for r in _commute(region, b)}
    units = []
    for code, x in ra.items():
        ma, mb = x["minutes_to_centre"], rb[code]["minutes_to_centre"]
        units.append(
            {
                "code": code,
                "name_zh": x["name_zh"],
                "minutes_a": ma,
                "minutes_b": mb,
                "delta_minutes": None if ma is None or mb is None else round(mb - ma, 1),
                "within_60_a": x["within_60"],
                "within_60_b": rb[code]["within_60"],
            }
        )
    return {"a": a, "b": b, "data_version": region.data_version, "units": units}


@router.get("/isochrone", operation_id="access_isochrone")
def isochrone(
    region: RegionDep,
    from_: Annotated[
        str, Query(alias="from", pattern=r"^\d{6}$", description="Unit code of the origin seat.")
    ],
    minutes: Annotated[float, Query(gt=0, le=600, description="Time budget in minutes.")] = 60.0,
    scenario: ScenarioQ = "baseline-2020",
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the area reachable from a unit's seat (EPSG:4326)."""
    from metrocircle.network.isochrone import isochrone_geojson

    if from_ not in region.county_codes:
        raise HTTPException(status_code=404, detail=f"from: unknown county-level unit {from_!r}")
    u = region.units.loc[from_]
    net = _network(region, scenario)
    out: dict[str, Any] = _cached(
        f"iso:{from_}:{minutes:g}",
        region,
        scenario,
        lambda: isochrone_geojson(
            net, float(u["seat_lon"]), float(u["seat_lat"]), minutes, properties={"from": from_}
        ),
    )
    return out


@router.get("/ranking", operation_id="access_project_ranking")
def ranking(region: RegionDep, scenario: ScenarioQ = "plan-2025") -> dict[str, Any]:
    """Each project's own effect on the commute indicators (remove-one and add-one)."""
    from metrocircle.access.ranking import rank_projects

    _check_scenario(region, scenario)
    df = _cached("ranking", region, scenario, lambda: rank_projects(region, scenario))
    rows = [
        {k: _f(v.item() if hasattr(v, "item") else v) for k, v in r.items()}
        for r in df.to_dict(orient="records")
    ]
    return {"scenario": scenario, "data_version": region.data_version, "projects": rows}


@router.get("/network", operation_id="access_network_layer")
def network_layer(region: RegionDep, scenario: ScenarioQ = "baseline-2020") -> dict[str, Any]:
    """GeoJSON of the rail and expressway links (in service in the scenario) with source_kind, for the map."""
    net = _network(region, scenario)

    def run() -> dict[str, Any]:
        nodes = net.nodes_physical.set_index("node_id")
        feats = []
        keep = (
            net.links["category"]
            .isin(["expressway", "high_speed", "conventional", "suburban", "planned"])
            .to_numpy()
        )
        for i in range(len(net.links)):
            if not (keep[i] and net.link_active[i]):
                continue
            lk = net.links.iloc[i]
            a, b = nodes.loc[lk["from_node"]], nodes.loc[lk["to_node"]]
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            [float(a["lon"]), float(a["lat"])],
                            [float(b["lon"]), float(b["lat"])],
                        ],
                    },
                    "properties": {
                        "link_id": lk["link_id"],
                        "mode": lk["mode"],
                        "category": lk["category"],
                        "ref": lk["ref"],
                        "name_zh": lk["name_zh"],
                        "source_kind": lk["source_kind"],
                        "length_kind": lk["length_kind"],
                        "status": lk["status"],
                        "placed_endpoint": bool(a["placed"] or b["placed"]),
                    },
                }
            )
        return {
            "type": "FeatureCollection",
            "features": feats,
            "properties": {
                "scenario": scenario,
                "data_version": region.data_version,
                "licence": "station points © OpenStreetMap contributors (ODbL-1.0); others see SOURCES",
            },
        }

    return _cached("layer", region, scenario, run)  # type: ignore[no-any-return]
