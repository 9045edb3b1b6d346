"""Project ranking: each project's own contribution to the commute (remove-one, add-one).

Every modelled project is ranked: a project in service in the scenario is removed from it
(*remove-one*) and added alone to the scenario's first base (*add-one*); a modelled project
that opens after the scenario's year is added to the scenario itself (it has no
remove-one effect there). Each row says which surrounding units the project brings inside
the 60-minute circle, by name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from metrocircle._errors import ScenarioError
from metrocircle.network.scenarios import Modification, apply, flatten, load_region_scenarios

if TYPE_CHECKING:
    from collections.abc import Callable

    from metrocircle.network.model import Network
    from metrocircle.region import Region

__all__ = ["ProjectRanking", "RankedProject", "UnitName", "project_ranking", "rank_projects"]


@dataclass(frozen=True)
class UnitName:
    """A unit by code and name."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class RankedProject:
    """One project's own effect (minutes; counts of surrounding units)."""

    rank: int
    project_id: str
    name_zh: str
    name_en: str
    type: str
    refs: str
    in_service_year: int | None
    in_scenario: bool
    units_within_60_remove_one: int
    max_minutes_remove_one: float
    mean_minutes_remove_one: float
    units_within_60_add_one: int
    max_minutes_add_one: float
    mean_minutes_add_one: float
    brings_inside_60: tuple[UnitName, ...]
    keeps_inside_60: tuple[UnitName, ...]


@dataclass(frozen=True)
class ProjectRanking:
    """The ranking of a scenario's (and every later modelled) project."""

    scenario: str
    base: str
    data_version: str
    projects: tuple[RankedProject, ...]
    value_kind: str = "modelled"

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``projects rank``."""
        return {
            "scenario": self.scenario,
            "base": self.base,
            "data_version": self.data_version,
            "value_kind": self.value_kind,
            "projects": [asdict(p) for p in self.projects],
        }


def minutes_to_point(
    net: Network, origins_lonlat: np.ndarray, dest: tuple[float, float]
) -> np.ndarray:
    """Minutes from each origin to one point on ``net``: one Dijkstra run, not one per origin.

    The same augmented graph :func:`metrocircle.access.od.trace_trips` solves (access legs
    to the ``access.k`` nearest joinable nodes, the direct access trip within
    ``access.max_km``), searched backwards from the destination.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    o = np.asarray(origins_lonlat, dtype=np.float64).reshape(-1, 2)
    no, n = o.shape[0], len(net.nodes)
    on, om = net.join(o[:, 0], o[:, 1])
    dn, dm = net.join(np.array([dest[0]]), np.array([dest[1]]))
    s, d, w = net.graph.arcs()
    src, dst, wt = [s], [d], [w.astype(np.float64)]
    for i in range(no):
        ok = np.isfinite(om[i])
        src.append(np.full(ok.sum(), n + i))
        dst.append(on[i][ok])
        wt.append(om[i][ok].astype(np.float64))
    sink = n + no
    ok = np.isfinite(dm[0])
    src.append(dn[0][ok])
    dst.append(np.full(ok.sum(), sink))
    wt.append(dm[0][ok].astype(np.float64))
    p = net.params
    ox, oy = net.projection.forward(o[:, 0], o[:, 1])
    cx, cy = net.projection.forward([dest[0]], [dest[1]])
    km = np.hypot(ox - cx[0], oy - cy[0]) / 1000.0
    near = km <= p["access.max_km"]
    src.append(np.flatnonzero(near) + n)
    dst.append(np.full(near.sum(), sink))
    wt.append(km[near] * p["access.circuity"] / p["access.speed_kmh"] * 60.0)
    W = np.maximum(np.concatenate(wt).astype(np.float32).astype(np.float64), 1e-9)
    S, D = np.concatenate(src).astype(np.int64), np.concatenate(dst).astype(np.int64)
    order = np.lexsort((W, D, S))
    S, D, W = S[order], D[order], W[order]
    first = np.ones(S.size, dtype=bool)
    first[1:] = (S[1:] != S[:-1]) | (D[1:] != D[:-1])
    # reversed arcs: distances from the sink backwards are minutes to it
    mat = csr_array((W[first], (D[first], S[first])), shape=(sink + 1, sink + 1))
    dist = dijkstra(mat, directed=True, indices=sink)
    out: np.ndarray = dist[n : n + no]
    return out


def _metrics(region: Region, net: Network) -> tuple[set[str], float, float]:
    from metrocircle.access.commute import centre_lonlat, seats
    from metrocircle.access.od import MODE_LINKS, mode_network

    st = seats(region)
    non_core = st[~st["core"]]
    pts = non_core[["lon", "lat"]].to_numpy(dtype=float)
    c = centre_lonlat(region)
    mins = np.min([minutes_to_point(mode_network(net, m), pts, c) for m in MODE_LINKS], axis=0)
    mins = np.round(mins, 1)
    thr = float(net.params["commute.threshold_min"])
    inside = set(non_core.loc[mins <= thr, "code"].astype(str))
    return (inside, float(np.nanmax(mins)), float(np.nanmean(np.minimum(mins, 240.0))))


def _names(region: Region, codes: set[str]) -> tuple[UnitName, ...]:
    u = region.units
    return tuple(
        UnitName(c, str(u.at[c, "name_zh"]), str(u.at[c, "name_en"])) for c in sorted(codes)
    )


def _group_name(net: Network, ref: str) -> str:
    lk = net.links
    hit = lk.loc[(lk["group"] == ref) | (lk["ref"] == ref), "name_zh"]
    return str(hit.iloc[0]) if len(hit) else ref


def _key(m: Modification) -> str:
    """What a row ranks: the project, else the link group without its section suffix
    (``CRT9`` and ``CRT9@2023`` are one line opened in two steps)."""
    return m.project_id or m.key.split("@")[0]


def _root(scenarios: dict[str, Any], sid: str) -> str:
    s = scenarios[sid]
    while s.base:
        s = scenarios[s.base]
    return str(s.id)


def project_ranking(
    region: Region,
    scenario_id: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ProjectRanking:
    """Rank every modelled project by its own effect on the commute to the centre.

    Parameters
    ----------
    region
        The loaded region.
    scenario_id
        The scenario whose projects are removed one at a time.
    progress
        Called as ``progress(done, total)`` after each project.
    """
    from metrocircle.network.model import load_network

    scenarios = load_region_scenarios(region)
    if scenario_id not in scenarios:
        msg = f"unknown scenario {scenario_id!r}; known: {sorted(scenarios)}"
        raise ScenarioError(msg)
    mods = flatten(scenarios, scenario_id)
    in_keys = {_key(m) for m in mods}
    later: list[Modification] = []
    later_seen: set[tuple[str, str, str]] = set()
    for sid in scenarios:
        for m in scenarios[sid].modifications:
            sig = (_key(m), m.op, m.ref)
            if _key(m) not in in_keys and sig not in later_seen:
                later_seen.add(sig)
                later.append(m)
    base_net = load_network(region)
    root = _root(scenarios, scenario_id)
    root_mods = flatten(scenarios, root)
    root_net = apply(base_net, root_mods, strict=False)
    full = apply(base_net, mods, strict=False)
    in_full, max_full, mean_full = _metrics(region, full)
    in_root, max_root, mean_root = _metrics(region, root_net)
    root_keys = {_key(m) for m in root_mods}
    groups: dict[str, list[Modification]] = {}
    for m in mods:
        if _key(m) not in root_keys:
            groups.setdefault(_key(m), []).append(m)
    extra: dict[str, list[Modification]] = {}
    for m in later:
        extra.setdefault(_key(m), []).append(m)
    projects = {p.id: p for p in region.projects}
    rows: list[dict[str, Any]] = []
    total = len(groups) + len(extra)
    for done, (key, ms) in enumerate([*groups.items(), *extra.items()], start=1):
        in_scenario = key in groups
        if in_scenario:
            without = [m for m in mods if _key(m) != key]
            in_r, max_r, mean_r = _metrics(region, apply(base_net, without, strict=False))
            in_a, max_a, mean_a = _metrics(region, apply(base_net, root_mods + ms, strict=False))
            ref_in, ref_max, ref_mean = in_root, max_root, mean_root
        else:
            in_r, max_r, mean_r = in_full, max_full, mean_full
            in_a, max_a, mean_a = _metrics(region, apply(base_net, mods + ms, strict=False))
            ref_in, ref_max, ref_mean = in_full, max_full, mean_full
        years = [m.in_service_year for m in ms if m.in_service_year is not None]
        pid = ms[0].project_id
        pr = projects.get(pid)
        refs = sorted({m.ref for m in ms})
        rows.append(
            {
                "project_id": pid,
                "name_zh": pr.name_zh if pr else _group_name(base_net, refs[0]),
                "name_en": pr.name_en
                if pr
                else f"network change: {_group_name(base_net, refs[0])} (not a key project)",
                "type": pr.type if pr else "network_change",
                "refs": ";".join(refs),
                "in_service_year": max(years) if years else None,
                "in_scenario": in_scenario,
                "units_within_60_remove_one": len(in_full) - len(in_r) if in_scenario else 0,
                "max_minutes_remove_one": round(max_r - max_full, 1) if in_scenario else 0.0,
                "mean_minutes_remove_one": round(mean_r - mean_full, 2) if in_scenario else 0.0,
                "units_within_60_add_one": len(in_a) - len(ref_in),
                "max_minutes_add_one": round(ref_max - max_a, 1),
                "mean_minutes_add_one": round(ref_mean - mean_a, 2),
                "brings_inside_60": _names(region, in_a - ref_in),
                "keeps_inside_60": _names(region, in_full - in_r) if in_scenario else (),
            }
        )
        if progress is not None:
            progress(done, total)
    rows.sort(
        key=lambda r: (
            -r["units_within_60_remove_one"],
            -r["units_within_60_add_one"],
            -r["mean_minutes_remove_one"],
            -r["mean_minutes_add_one"],
        )
    )
    ranked = tuple(RankedProject(rank=i + 1, **r) for i, r in enumerate(rows))
    return ProjectRanking(scenario_id, root, region.data_version, ranked)


def rank_projects(
    region: Region,
    scenario_id: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """:func:`project_ranking` as a table (one row per project; ``project`` = the project id)."""
    res = project_ranking(region, scenario_id, progress=progress)
    rows = []
    for p in res.projects:
        d = asdict(p)
        d["project"] = p.project_id or f"ref:{p.refs}"
        d["brings_inside_60"] = "、".join(u["name_zh"] for u in d["brings_inside_60"])
        d["keeps_inside_60"] = "、".join(u["name_zh"] for u in d["keeps_inside_60"])
        rows.append(d)
    return pd.DataFrame(rows)
