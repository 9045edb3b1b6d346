"""Every transport project of the plan is in the network (with its year) or excused; the urban rail is real."""

from __future__ import annotations

import csv
import tomllib

import numpy as np
import pytest

from metrocircle.access.od import mode_network, trace_trips
from metrocircle.geo import gcj02_to_wgs84
from metrocircle.network.model import ARC_THROUGH, load_network
from metrocircle.network.scenarios import load_region_scenarios, scenario_network
from metrocircle.region import Region

TRANSPORT_TYPES = {
    "high_speed_railway",
    "conventional_railway",
    "suburban_railway",
    "expressway_corridor",
    "expressway_widening",
    "regional_connector",
    "urban_connector",
    "tunnel",
    "bridge",
}
"""Project types that move people between places (hubs, ports and airports are nodes, not links)."""


def _transport_rows(region: Region) -> list[dict[str, str]]:
    with (region.path / "projects.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # an 'other' project is a transport one when it names a network reference
    return [
        r
        for r in rows
        if r["type"] in TRANSPORT_TYPES or (r["type"] == "other" and r["network_ref"])
    ]


def test_every_transport_project_is_modelled_or_excused(region: Region) -> None:
    net = load_network(region)
    links = net.links
    groups = set(links["group"]) | set(links["ref"])
    base_year = int(net.params["network.base_year"])
    scen = tomllib.loads((region.path / "network" / "scenarios.toml").read_text(encoding="utf-8"))
    mod_refs = {
        m["ref"].split("@")[0]: m.get("in_service_year")
        for s in scen["scenarios"]
        for m in s.get("modifications", [])
    }
    rows = _transport_rows(region)
    modelled, excused, problems = 0, 0, []
    for r in rows:
        refs = [x for x in r["network_ref"].split(";") if x]
        reason = r.get("not_modelled_reason", "").strip()
        if refs:
            if reason:
                problems.append(f"{r['id']}: both a network_ref and a not_modelled_reason")
            for raw in refs:
                ref = raw.split(":", 1)[-1]
                if ref not in groups:
                    problems.append(f"{r['id']}: network_ref {ref!r} matches no link group")
                    continue
                mine = links[(links["group"] == ref) | (links["ref"] == ref)]
                yrs = mine["in_service_year"]
                in_base = bool(
                    ((mine["status"] == "open") & (yrs.isna() | (yrs.fillna(0) <= base_year))).all()
                )
                if not in_base and ref not in mod_refs:
                    problems.append(
                        f"{r['id']}: {ref!r} opens after {base_year} but no scenario adds it"
                    )
            modelled += 1
        elif reason:
            excused += 1
        else:
            problems.append(f"{r['id']}: neither a network_ref nor a not_modelled_reason")
    assert not problems, problems
    assert len(rows) >= 35
    assert modelled / len(rows) >= 0.9, (modelled, excused, len(rows))


def test_metro_stations_are_converted_to_wgs84(region: Region) -> None:
    nodes = load_network(region).nodes_physical.set_index("node_id")
    # 朝天门 in the metro data (GCJ-02): 29.564144, 106.585847
    lon, lat = gcj02_to_wgs84(np.array([106.585847]), np.array([29.564144]))
    assert nodes.at["metro:朝天门", "lon"] == pytest.approx(float(lon[0]), abs=1e-6)
    assert nodes.at["metro:朝天门", "lat"] == pytest.approx(float(lat[0]), abs=1e-6)
    assert abs(nodes.at["metro:朝天门", "lon"] - 106.585847) > 1e-3  # the shift is real


def test_lines_open_by_their_year(region: Region) -> None:
    sc = load_region_scenarios(region)
    assert sc  # the scenarios load
    base = scenario_network(region, "baseline-2020")
    p25 = scenario_network(region, "plan-2025")
    lk = base.links
    line9 = (lk["ref"] == "CRT9").to_numpy()
    line1 = (lk["ref"] == "CRT1").to_numpy()
    bitong = (lk["ref"] == "BITONG").to_numpy() & (
        lk["link_id"].str.startswith("metro:")
    ).to_numpy()
    assert line9.any() and line1.any() and bitong.any()
    assert not base.link_active[line9].any() and p25.link_active[line9].all()
    assert base.link_active[line1].all()
    assert not base.link_active[bitong].any() and p25.link_active[bitong].all()


def test_metro_line_changes_alight_wait_and_board(region: Region) -> None:
    net = load_network(region)
    plat = net.nodes[net.nodes["kind"] == "platform"]
    metro_plats = set(plat.index[plat["node_id"].str.startswith("plat:metro:")])
    through = np.flatnonzero(net.arc_kind == ARC_THROUGH)
    assert not any(int(net.arc_src[a]) in metro_plats for a in through)


def test_intra_core_trips_ride_the_metro(region: Region) -> None:
    net = mode_network(scenario_network(region, "plan-2025"), "rail")
    u = region.units
    centre = (float(region.manifest.centre.lon), float(region.manifest.centre.lat))
    for code in ("500104", "500109", "500112"):  # 大渡口, 北碚, 渝北
        t = trace_trips(net, np.array([[u.at[code, "seat_lon"], u.at[code, "seat_lat"]]]), centre)[
            0
        ]
        assert np.isfinite(t.minutes) and t.minutes < 100, (code, t.minutes)
        assert any(leg.name_zh.startswith("重庆轨道交通") for leg in t.legs), (code, t.legs)
