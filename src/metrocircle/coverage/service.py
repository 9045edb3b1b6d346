"""Adapter: region + scenario + facility layer → zones and a cost matrix → coverage and siting.

This is the only module of :mod:`metrocircle.coverage` that touches the network model. It
takes the region's township zones (population estimated from the census, see
:func:`metrocircle.access.zones.load_zones`), joins zones and facilities to the (scenario)
network with :func:`metrocircle.network.model.points_cost_matrix`, and hands the
zones × facilities matrix of minutes to the pure core (:mod:`.measures`, :mod:`.siting`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from metrocircle._errors import MetrocircleError
from metrocircle.coverage.measures import (
    Coverage,
    load_parameters,
    nth_nearest_minutes,
    two_step_fca,
)
from metrocircle.coverage.siting import SitingResult, lscp, mclp, p_median

if TYPE_CHECKING:
    from metrocircle.coverage.facilities import FacilityLayer
    from metrocircle.region import Region

__all__ = [
    "BUILTIN_CANDIDATES",
    "SitingRun",
    "ZoneCosts",
    "builtin_candidates",
    "coverage_from_region",
    "facility_costs",
    "nth_nearest_from_region",
    "scenario_ids",
    "scenario_year",
    "sites_geojson",
    "siting_from_region",
    "two_step_fca_from_region",
    "zone_table",
    "zones_geojson",
]

Model = Literal["lscp", "mclp", "pmedian"]


def zone_table(region: Region) -> pd.DataFrame:
    """The demand zones of a region: township points with estimated population.

    Returns
    -------
    pandas.DataFrame
        ``zone_id``, ``unit`` (county-level GB/T 2260 code), ``name_zh``, ``lon``, ``lat``
        (WGS84 degrees), ``population`` (persons, an estimate) and ``method`` (how the
        census total of the unit was split onto the zone).
    """
    from metrocircle.access.zones import load_zones

    z = load_zones(region)
    return pd.DataFrame(
        {
            "zone_id": z["zone_id"].astype(str),
            "unit": z["code"].astype(str),
            "name_zh": z["name_zh"].astype(str),
            "lon": z["lon"].astype(float),
            "lat": z["lat"].astype(float),
            "population": z["population_est"].astype(float),
            "method": z["method"].astype(str),
        }
    )


BUILTIN_CANDIDATES = ("seats", "townships")
"""Candidate-site layers made from the dataset's own (sourced) points."""


def builtin_candidates(
    region: Region, name: str, *, facility_type: str = "emergency_reserve"
) -> FacilityLayer:
    """A candidate-site layer from points the dataset already ships, with their sources.

    Parameters
    ----------
    region
        The region.
    name
        ``"seats"``: the county-level units' seat points (units.csv ``seat_lon``/``seat_lat``);
        ``"townships"``: the township points of the zones file.
    facility_type
        Facility type the candidates stand for (candidates are proposals, not facilities).
    """
    from metrocircle.coverage.facilities import facilities_from_records

    if name == "seats":
        recs = []
        for code in region.county_codes:
            u = region.unit(code)
            if u.seat_lon is None or u.seat_lat is None:
                continue
            recs.append(
                {
                    "id": f"seat-{code}",
                    "name_zh": f"{u.name_zh}驻地"
                    if not u.seat_name_zh
                    else f"{u.name_zh}·{u.seat_name_zh}",
                    "name_en": f"{u.name_en} seat",
                    "type": facility_type,
                    "lon": u.seat_lon,
                    "lat": u.seat_lat,
                    "source": f"candidate site: seat point of unit {code} in {region.manifest.files['units'].path} (see SOURCES.md)",
                }
            )
        return facilities_from_records(recs, file=f"{region.name}:seats")
    if name == "townships":
        z = zone_table(region)
        recs = [
            {
                "id": f"twp-{r.zone_id}",
                "name_zh": r.name_zh,
                "type": facility_type,
                "lon": r.lon,
                "lat": r.lat,
                "source": "candidate site: township point of network/zones.csv (see SOURCES.md)",
            }
            for r in z.itertuples()
        ]
        return facilities_from_records(recs, file=f"{region.name}:townships")
    msg = f"`name` was {name!r} but is expected to be one of {list(BUILTIN_CANDIDATES)}"
    raise ValueError(msg)


def scenario_ids(region: Region) -> list[str]:
    """Ids of the network scenarios the dataset defines (``network/scenarios.toml``)."""
    from metrocircle.network.scenarios import load_region_scenarios

    return list(load_region_scenarios(region))


def scenario_year(region: Region, scenario: str | None) -> int | None:
    """The year a scenario stands for (None for the base network or an unknown id)."""
    if not scenario or scenario == "base":
        return None
    from metrocircle.network.scenarios import load_region_scenarios

    sc = load_region_scenarios(region).get(scenario)
    return None if sc is None else int(sc.year)


def _network(region: Region, scenario: str | None) -> Any:
    from metrocircle.network.scenarios import scenario_network

    return scenario_network(region, scenario)


@dataclass(frozen=True)
class ZoneCosts:
    """Zones, the facilities and the zones × facilities travel times of one scenario.

    Attributes
    ----------
    zones
        See :func:`zone_table`.
    facility_ids
        Ids of the cost columns.
    cost
        float64 minutes, shape ``(len(zones), len(facility_ids))``; ``inf`` = unreachable.
    scenario
        Scenario id (``"base"`` for the loaded base network).
    """

    zones: pd.DataFrame
    facility_ids: list[str]
    cost: npt.NDArray[np.float64]
    scenario: str


def facility_costs(
    region: Region,
    facilities: FacilityLayer,
    *,
    scenario: str | None = None,
    engine: Any = None,
) -> ZoneCosts:
    """Door-to-door minutes from every zone of ``region`` to every facility, on ``scenario``.

    Parameters
    ----------
    region
        The loaded region (its township zones are the demand points).
    facilities
        The facility layer (WGS84).
    scenario
        Network scenario id (see the dataset's ``network/scenarios.toml``); None = base.
    engine
        Optional travel-time engine built on the scenario network's graph.
    """
    from metrocircle.network.model import points_cost_matrix

    zones = zone_table(region)
    net = _network(region, scenario)
    if len(facilities) == 0:
        cost = np.zeros((len(zones), 0))
    else:
        cost = np.asarray(
            points_cost_matrix(
                net,
                zones[["lon", "lat"]].to_numpy(),
                np.asarray(facilities.lonlat(), dtype=float),
                engine=engine,
            ),
            dtype=np.float64,
        )
    return ZoneCosts(zones, facilities.ids, cost, scenario or "base")


def coverage_from_region(
    region: Region,
    facilities: FacilityLayer,
    *,
    minutes: float,
    scenario: str | None = None,
    engine: Any = None,
) -> tuple[Coverage, ZoneCosts]:
    """Population within ``minutes`` of the nearest facility, per zone, unit and area.

    Returns the :class:`~metrocircle.coverage.measures.Coverage` and the costs it used.
    """
    zc = facility_costs(region, facilities, scenario=scenario, engine=engine)
    cov = Coverage.from_cost_matrix(
        zc.cost, zc.zones, minutes=minutes, facility_ids=zc.facility_ids
    )
    return cov, zc


def nth_nearest_from_region(
    region: Region, facilities: FacilityLayer, *, n: int, scenario: str | None = None
) -> pd.DataFrame:
    """Minutes from each zone to its ``n``-th nearest facility (zones table + ``minutes``)."""
    zc = facility_costs(region, facilities, scenario=scenario)
    out = zc.zones[["zone_id", "unit", "name_zh", "population"]].copy()
    out["minutes"] = nth_nearest_minutes(zc.cost, n)
    return out


def two_step_fca_from_region(
    region: Region,
    facilities: FacilityLayer,
    *,
    catchment_min: float | None = None,
    decay: str | None = None,
    scenario: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """2SFCA accessibility per zone and its population-weighted mean per unit.

    Every facility needs a ``capacity``; defaults for catchment and decay come from
    ``parameters.toml`` (``[two_step_fca]``).

    Returns
    -------
    zones, units
        Zones with ``accessibility`` (capacity units per person); units (index = code) with
        ``population`` and ``accessibility`` (population-weighted mean).
    """
    caps = facilities.capacities()
    missing = [fid for fid, c in zip(facilities.ids, caps, strict=True) if c is None]
    if missing:
        msg = f"2SFCA needs a capacity for every facility; missing for {missing[:10]}"
        raise MetrocircleError(msg)
    p = load_parameters()["two_step_fca"]
    d0 = float(p["catchment_minutes"] if catchment_min is None else catchment_min)
    dk = str(p["decay"] if decay is None else decay)
    zc = facility_costs(region, facilities, scenario=scenario)
    acc, _ = two_step_fca(
        zc.cost, zc.zones["population"], [float(c or 0.0) for c in caps], catchment_min=d0, decay=dk
    )
    zones = zc.zones[["zone_id", "unit", "name_zh", "population"]].copy()
    zones["accessibility"] = acc
    weighted = (
        zones.assign(w=zones["population"] * zones["accessibility"])
        .groupby("unit")[["population", "w"]]
        .sum()
    )
    weighted["accessibility"] = np.where(
        weighted["population"] > 0, weighted["w"] / weighted["population"], np.nan
    )
    return zones, weighted[["population", "accessibility"]]


@dataclass(frozen=True)
class SitingRun:
    """A siting result with the zones and sites it was computed on."""

    result: SitingResult
    zones: pd.DataFrame
    sites: pd.DataFrame
    scenario: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary naming sites and zones by id."""
        d = self.result.to_dict(candidate_ids=self.sites["id"].tolist())
        d["assignment"] = dict(zip(self.zones["zone_id"], d["assignment"], strict=True))
        d["covered"] = dict(zip(self.zones["zone_id"], d["covered"], strict=True))
        d["scenario"] = self.scenario
        return d


def siting_from_region(
    region: Region,
    candidates: FacilityLayer,
    *,
    model: Model,
    scenario: str | None = None,
    existing: FacilityLayer | None = None,
    service_min: float | None = None,
    p: int | None = None,
    capacitated: bool = False,
) -> SitingRun:
    """Solve a siting model on the region's zones and a candidate layer.

    Parameters
    ----------
    region
        The region (township zones weighted by estimated population are the demand).
    candidates
        Candidate sites.
    model
        ``"lscp"``, ``"mclp"`` or ``"pmedian"``.
    scenario
        Network scenario id.
    existing
        Facilities already in service: always open, counted in ``p`` and in the LSCP objective.
    service_min
        Service time for LSCP/MCLP, minutes (default: the rescue-circle 60 min).
    p
        Total open sites, existing ones included (MCLP, p-median).
    capacitated
        Use candidate capacities (LSCP, p-median); capacity is in persons of demand.
    """
    if model not in ("lscp", "mclp", "pmedian"):
        msg = f"`model` was {model!r} but is expected to be 'lscp', 'mclp' or 'pmedian'"
        raise ValueError(msg)
    layer = candidates
    n_existing = 0
    if existing is not None and len(existing):
        import pandas as pd_

        from metrocircle.coverage.facilities import FacilityLayer as _Layer

        clash = set(existing.ids) & set(candidates.ids)
        if clash:
            msg = f"ids used both as existing and as candidate sites: {sorted(clash)[:10]}"
            raise MetrocircleError(msg)
        layer = _Layer(
            pd_.concat([existing.table, candidates.table], ignore_index=True), candidates.origin
        )
        n_existing = len(existing)
    fixed = list(range(n_existing))
    zc = facility_costs(region, layer, scenario=scenario)
    w = zc.zones["population"].to_numpy()
    s = float(load_parameters()["rescue_circle"]["minutes"] if service_min is None else service_min)
    cap = None
    if capacitated:
        caps = layer.capacities()
        if any(c is None for c in caps):
            msg = "a capacitated model needs a capacity for every site (existing and candidate)"
            raise MetrocircleError(msg)
        cap = np.asarray(caps, dtype=float)
    if model == "lscp":
        res = lscp(
            zc.cost,
            service_min=s,
            fixed=fixed,
            capacity=cap,
            demand=w,
            uncoverable="ignore",
        )
    elif model == "mclp":
        if capacitated:
            msg = "the maximal covering model has no capacitated form here; drop --capacitated"
            raise MetrocircleError(msg)
        res = mclp(zc.cost, w, service_min=s, p=_need_p(p), fixed=fixed)
    else:
        res = p_median(zc.cost, w, p=_need_p(p), fixed=fixed, capacity=cap)
    sites = layer.table.copy()
    sites["existing"] = [i < n_existing for i in range(len(sites))]
    sites["selected"] = [i in set(res.selected) for i in range(len(sites))]
    return SitingRun(res, zc.zones, sites, zc.scenario)


def _need_p(p: int | None) -> int:
    if p is None:
        msg = "`p` (the number of sites to open, existing ones included) is required for this model"
        raise ValueError(msg)
    return p


def zones_geojson(zones: pd.DataFrame, *, mask: npt.ArrayLike | None = None) -> dict[str, Any]:
    """Zones (points, WGS84) as a GeoJSON FeatureCollection, optionally only those in ``mask``."""
    df = zones if mask is None else zones.loc[np.asarray(mask, dtype=bool)]
    feats = []
    for rec in df.to_dict(orient="records"):
        props = {k: _json(v) for k, v in rec.items() if k not in ("lon", "lat")}
        feats.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(rec["lon"]), float(rec["lat"])],
                },
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def sites_geojson(run: SitingRun, *, selected_only: bool = True) -> dict[str, Any]:
    """Candidate/existing sites of a run as GeoJSON points with ``selected`` and ``existing``."""
    df = run.sites[run.sites["selected"]] if selected_only else run.sites
    return zones_geojson(df)


def _json(v: Any) -> Any:
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return f if np.isfinite(f) else None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
