"""Scenarios as data: lists of modifications tied to projects, applied without mutating the base network.

A scenario (``network/scenarios.toml``) names a base scenario and a list of
modifications, each with an ``op``:

- ``add_link`` / ``remove_link``: put a link group (rail ``line_id``, expressway
  ``road_id``, or ``LINE@status`` for a section) in or out of service, or, with
  ``from_node``/``to_node``/``mode``…, add a new link;
- ``change_speed``: multiply the minutes of a group's links by ``1 / factor``;
- ``change_frequency``: set the headway (minutes) of a rail line;
- ``add_station``: add a node (``node_id``, ``name_zh``, ``lon``, ``lat``).

Each carries ``project_id`` (empty when the change is not a plan project) and
``in_service_year``. :func:`apply` returns a new :class:`~metrocircle.network.model.Network`;
the base arrays are shared where unchanged and never written to.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from metrocircle._errors import DataValidationError, Problem, ScenarioError
from metrocircle.network.minutes import _board_minutes
from metrocircle.network.model import (
    ARC_BOARD,
    Network,
    compile_network,
    network_paths,
)

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "OPS",
    "Modification",
    "Scenario",
    "apply",
    "flatten",
    "load_region_scenarios",
    "load_scenarios",
    "project_refs",
    "read_scenarios",
    "scenario_network",
]

OPS = ("add_link", "remove_link", "change_speed", "change_frequency", "add_station")


@dataclass(frozen=True)
class Modification:
    """One change to the network, tied to a project and an in-service year."""

    op: str
    ref: str = ""
    project_id: str = ""
    in_service_year: int | None = None
    year_basis: str = ""
    factor: float | None = None
    headway_min: float | None = None
    link: dict[str, Any] = field(default_factory=dict)
    station: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What a ranking groups this change by: the project id, else ``ref:<group>``."""
        return self.project_id or f"ref:{self.ref}"


@dataclass(frozen=True)
class Scenario:
    """A named list of modifications on top of a base scenario."""

    id: str
    name_zh: str
    name_en: str
    year: int
    base: str
    description: str
    modifications: tuple[Modification, ...] = ()


def _mod(
    raw: dict[str, Any], where: str, problems: list[Problem], fname: str
) -> Modification | None:
    op = raw.get("op")
    if op not in OPS:
        problems.append(Problem(fname, 0, f"{where}.op", f"{op!r} is not one of {list(OPS)}"))
        return None
    year = raw.get("in_service_year")
    if year is not None and not (isinstance(year, int) and 1900 <= year <= 2100):
        problems.append(Problem(fname, 0, f"{where}.in_service_year", f"{year!r} is not a year"))
        return None
    m = Modification(
        op=op,
        ref=str(raw.get("ref", "")),
        project_id=str(raw.get("project_id", "")),
        in_service_year=year,
        year_basis=str(raw.get("year_basis", "")),
        factor=None if raw.get("factor") is None else float(raw["factor"]),
        headway_min=None if raw.get("headway_min") is None else float(raw["headway_min"]),
        link=dict(raw.get("link", {})),
        station=dict(raw.get("station", {})),
    )
    if op in ("remove_link", "change_speed", "change_frequency") and not m.ref:
        problems.append(Problem(fname, 0, f"{where}.ref", f"{op} needs a ref (link group)"))
    if op == "add_link" and not m.ref and not m.link:
        problems.append(Problem(fname, 0, f"{where}.ref", "add_link needs a ref or a link table"))
    if op == "change_speed" and (m.factor is None or m.factor <= 0):
        problems.append(
            Problem(fname, 0, f"{where}.factor", "change_speed needs a positive factor")
        )
    if op == "change_frequency" and (m.headway_min is None or m.headway_min <= 0):
        problems.append(
            Problem(
                fname, 0, f"{where}.headway_min", "change_frequency needs a positive headway_min"
            )
        )
    if op == "add_station":
        for k in ("node_id", "name_zh", "lon", "lat"):
            if k not in m.station:
                problems.append(
                    Problem(fname, 0, f"{where}.station.{k}", "required for add_station")
                )
    return m


def read_scenarios(path: Path) -> tuple[dict[str, Scenario] | None, list[Problem]]:
    """Parse a scenarios.toml; return the scenarios by id or the problems."""
    fname = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem(fname, 0, "*", "file not found")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(fname, 0, "*", f"invalid TOML: {exc}")]
    problems: list[Problem] = []
    out: dict[str, Scenario] = {}
    for i, s in enumerate(raw.get("scenarios", [])):
        where = f"scenarios[{i}]"
        sid = s.get("id")
        if not isinstance(sid, str) or not sid:
            problems.append(Problem(fname, 0, f"{where}.id", "required"))
            continue
        if sid in out:
            problems.append(Problem(fname, 0, f"{where}.id", f"duplicate scenario id {sid!r}"))
        mods = []
        for j, m in enumerate(s.get("modifications", [])):
            mm = _mod(m, f"{where}.modifications[{j}]", problems, fname)
            if mm is not None:
                mods.append(mm)
        out[sid] = Scenario(
            sid,
            str(s.get("name_zh", sid)),
            str(s.get("name_en", sid)),
            int(s.get("year", 0)),
            str(s.get("base", "")),
            str(s.get("description", "")),
            tuple(mods),
        )
    for sid, sc in out.items():
        seen = {sid}
        b = sc.base
        while b:
            if b not in out:
                problems.append(
                    Problem(fname, 0, f"scenarios.{sid}.base", f"unknown base scenario {b!r}")
                )
                break
            if b in seen:
                problems.append(
                    Problem(fname, 0, f"scenarios.{sid}.base", "base scenarios form a cycle")
                )
                break
            seen.add(b)
            b = out[b].base
    if problems:
        return None, problems
    return out, []


def load_scenarios(path: Path) -> dict[str, Scenario]:
    """Read scenarios.toml or raise DataValidationError listing every problem."""
    sc, problems = read_scenarios(path)
    if sc is None:
        raise DataValidationError(problems, summary=f"{path} is invalid")
    return sc


def project_refs(region: Region) -> dict[str, str]:
    """Map link group → project id from the projects' ``network_ref`` (``rail:X``/``road:X``/``X``)."""
    out: dict[str, str] = {}
    for p in region.projects:
        for r in p.network_ref:
            ref = r.split(":", 1)[1] if ":" in r else r
            out.setdefault(ref, p.id)
    return out


def load_region_scenarios(region: Region) -> dict[str, Scenario]:
    """The scenarios of a region, with empty ``project_id`` filled from the projects' network_ref."""
    path = network_paths(region.path, region.manifest)["network_scenarios"]
    scenarios = load_scenarios(path)
    refs = project_refs(region)
    years = {p.id: p.in_service_year for p in region.projects}
    out = {}
    for sid, sc in scenarios.items():
        mods = []
        for m in sc.modifications:
            pid = m.project_id or refs.get(m.ref) or refs.get(m.ref.split("@")[0], "")
            mods.append(replace(m, project_id=pid) if pid != m.project_id else m)
            if pid and m.in_service_year is None and years.get(pid):
                mods[-1] = replace(mods[-1], in_service_year=years[pid])
        out[sid] = replace(sc, modifications=tuple(mods))
    return out


def flatten(scenarios: dict[str, Scenario], scenario_id: str) -> list[Modification]:
    """Every modification of a scenario with its bases', base first."""
    if scenario_id not in scenarios:
        msg = f"unknown scenario {scenario_id!r}; known: {sorted(scenarios)}"
        raise ScenarioError(msg)
    chain = []
    s: Scenario | None = scenarios[scenario_id]
    while s is not None:
        chain.append(s)
        s = scenarios.get(s.base) if s.base else None
    return [m for sc in reversed(chain) for m in sc.modifications]


def _group_mask(net: Network, ref: str) -> np.ndarray:
    g: np.ndarray = (net.links["group"] == ref).to_numpy()
    if not g.any():
        g = (net.links["ref"] == ref).to_numpy()
    return g


def apply(
    network: Network,
    scenario: Scenario | list[Modification],
    *,
    scenarios: dict[str, Scenario] | None = None,
    strict: bool = True,
) -> Network:
    """Apply a scenario (with its bases when ``scenarios`` is given) and return a new Network.

    Parameters
    ----------
    network
        The base network; it is not modified.
    scenario
        A :class:`Scenario` or a plain list of modifications.
    scenarios
        All scenarios by id, to resolve the chain of bases.
    strict
        Raise ScenarioError when a ref matches no link (else the modification is skipped).
    """
    if isinstance(scenario, Scenario):
        mods = (
            flatten(scenarios, scenario.id)
            if scenarios and scenario.id in scenarios
            else list(scenario.modifications)
        )
        sid = scenario.id
        if scenario.year:
            # a project opening after the scenario's year has no effect in it
            mods = [
                m for m in mods if m.in_service_year is None or m.in_service_year <= scenario.year
            ]
    else:
        mods, sid = list(scenario), f"{network.scenario}+{len(scenario)}"
    new_nodes = [m.station for m in mods if m.op == "add_station"]
    new_links = [m for m in mods if m.op == "add_link" and m.link]
    net = network
    if new_nodes or new_links:
        nodes = net.nodes_physical
        if new_nodes:
            add = pd.DataFrame(
                [
                    {
                        "node_id": str(s["node_id"]),
                        "kind": str(s.get("kind", "station")),
                        "name_zh": str(s["name_zh"]),
                        "lon": float(s["lon"]),
                        "lat": float(s["lat"]),
                        "code": str(s.get("code", "")),
                        "placed": True,
                        "placement": "scenario",
                        "source": str(s.get("source", "scenario modification")),
                    }
                    for s in new_nodes
                ]
            )
            nodes = pd.concat([nodes, add], ignore_index=True)
        links = net.links
        if new_links:
            rows: list[dict[str, object]] = []
            for m in new_links:
                lk = m.link
                for k in ("from_node", "to_node", "mode"):
                    if k not in lk:
                        msg = f"add_link of project {m.project_id or '?'} lacks link.{k}"
                        raise ScenarioError(msg)
                missing = [
                    n for n in (lk["from_node"], lk["to_node"]) if n not in set(nodes["node_id"])
                ]
                if missing:
                    msg = f"add_link of project {m.project_id or '?'}: unknown node(s) {missing}"
                    raise ScenarioError(msg)
                rows.append(
                    {
                        "link_id": str(
                            lk.get("link_id", f"scn:{m.ref or lk['from_node']}:{len(rows)}")
                        ),
                        "from_node": lk["from_node"],
                        "to_node": lk["to_node"],
                        "mode": lk["mode"],
                        "category": str(
                            lk.get(
                                "category", "expressway" if lk["mode"] == "road" else "high_speed"
                            )
                        ),
                        "ref": m.ref or "scenario",
                        "group": m.ref or "scenario",
                        "name_zh": str(lk.get("name_zh", m.ref)),
                        "length_km": float(lk.get("length_km", 0.0)),
                        "length_kind": "scenario",
                        "design_speed_kmh": float(lk["design_speed_kmh"])
                        if "design_speed_kmh" in lk
                        else np.nan,
                        "minutes": float(lk["minutes"]) if "minutes" in lk else np.nan,
                        "source_kind": "modelled",
                        "source": f"scenario {sid}",
                        "status": "planned",
                        "in_service_year": m.in_service_year,
                        "year_basis": m.year_basis,
                        "project_id": m.project_id,
                        "note": "",
                    }
                )
            links = pd.concat([links, pd.DataFrame(rows)], ignore_index=True)
            links["in_service_year"] = links["in_service_year"].astype("Int64")
        compiled = compile_network(
            nodes,
            links,
            net.params,
            data_version=net.data_version,
            headways=net.headways,
            metric_crs=net.metric_crs,
        )
        active = np.concatenate([net.link_active, np.ones(len(links) - len(net.links), dtype=bool)])
        net = replace(compiled, link_active=active, scenario=net.scenario)
    active = net.link_active.copy()
    minutes = net.arc_minutes
    heads = dict(net.headways)
    for m in mods:
        if m.op in ("add_station",) or (m.op == "add_link" and m.link):
            continue
        mask = _group_mask(net, m.ref)
        if not mask.any():
            if strict:
                msg = f"scenario {sid}: {m.op} ref {m.ref!r} matches no link group"
                raise ScenarioError(msg)
            continue
        if m.op == "add_link":
            active[mask] = True
        elif m.op == "remove_link":
            active[mask] = False
        elif m.op == "change_speed":
            if minutes is net.arc_minutes:
                minutes = minutes.copy()
            arcs = np.isin(net.arc_link, np.flatnonzero(mask))
            minutes[arcs] = (minutes[arcs] / np.float32(m.factor or 1.0)).astype(np.float32)
        elif m.op == "change_frequency":
            if minutes is net.arc_minutes:
                minutes = minutes.copy()
            heads[m.ref] = float(m.headway_min or 0.0)
            cat = str(net.links.loc[mask, "category"].iloc[0])
            arcs = (net.arc_kind == ARC_BOARD) & (net.arc_ref == m.ref)
            minutes[arcs] = np.float32(_board_minutes(cat, m.ref, net.params, heads))
    return replace(net, link_active=active, arc_minutes=minutes, headways=heads, scenario=sid)


def scenario_network(region: Region, scenario_id: str | None) -> Network:
    """The network of a region under a scenario id (None or ``"base"`` = the base network)."""
    from metrocircle.network.model import load_network

    net = load_network(region)
    if scenario_id in (None, "", "base"):
        return net
    scenarios = load_region_scenarios(region)
    if scenario_id not in scenarios:
        msg = f"unknown scenario {scenario_id!r}; known: {sorted(scenarios)}"
        raise ScenarioError(msg)
    return apply(net, scenarios[scenario_id], scenarios=scenarios)
