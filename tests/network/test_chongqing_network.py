"""The embedded Chongqing network: it loads, validates, every unit gets a time, scenarios do not mutate."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from metrocircle._errors import DataValidationError, ScenarioError
from metrocircle.access.commute import commute_table, rail_reach
from metrocircle.access.zones import load_zones
from metrocircle.network.dataset import validate_network_files
from metrocircle.network.model import load_network, load_network_files, points_cost_matrix
from metrocircle.network.scenarios import (
    Modification,
    apply,
    load_region_scenarios,
    scenario_network,
)
from metrocircle.region import Region


@pytest.fixture(scope="module")
def net(region: Region):  # type: ignore[no-untyped-def]
    return load_network(region)


def test_every_unit_gets_a_time(region: Region, net) -> None:  # type: ignore[no-untyped-def]
    t = commute_table(region, net).table
    assert len(t) == len(region.county_codes)
    assert np.isfinite(t["minutes_to_centre"]).all()
    assert (t["minutes_to_centre"] > 0).all()
    centre_unit = t.set_index("code").loc[region.manifest.centre.unit, "minutes_to_centre"]
    assert centre_unit == t["minutes_to_centre"].min()
    assert t["modelled_share"].between(0, 1).all()


def test_stations_without_coordinates_are_marked_placed(net) -> None:  # type: ignore[no-untyped-def]
    st = net.nodes_physical
    st = st[st["kind"] == "station"]
    # OSM points and the metro data's own coordinates are positions; all else is placed by rule
    known = st["placement"].str.startswith("osm:") | (st["placement"] == "metro_data")
    assert (~st.loc[known, "placed"]).all()
    assert st.loc[~known, "placed"].all()
    assert st["placement"].str.startswith("osm:").sum() >= 90
    assert (st["placement"] == "metro_data").sum() == 281


def test_links_carry_source_kind(net) -> None:  # type: ignore[no-untyped-def]
    assert set(net.links["source_kind"]) == {"sourced", "modelled"}
    ext = net.links[net.links["category"] == "external"]
    assert (ext["source_kind"] == "sourced").all() and ext["minutes"].notna().all()


def test_scenarios_do_not_mutate_base(region: Region, net) -> None:  # type: ignore[no-untyped-def]
    before_active = net.link_active.copy()
    before_min = net.arc_minutes.copy()
    sc = load_region_scenarios(region)
    plan = apply(net, sc["plan-2035"], scenarios=sc)
    assert (net.link_active == before_active).all()
    assert (net.arc_minutes == before_min).all()
    assert plan.link_active.sum() > net.link_active.sum()
    assert plan.arc_src is net.arc_src  # the unchanged arrays are shared
    slow = apply(net, [Modification("change_speed", ref="CY_HSR", factor=0.5)])
    assert (net.arc_minutes == before_min).all()
    assert slow.arc_minutes.sum() > net.arc_minutes.sum()


def test_plan_scenarios_never_lengthen_commutes(region: Region) -> None:
    base = commute_table(region, scenario_network(region, "baseline-2020")).table
    plan = commute_table(region, scenario_network(region, "plan-2035")).table
    assert (
        plan["minutes_to_centre"].to_numpy() <= base["minutes_to_centre"].to_numpy() + 1e-3
    ).all()


def test_projects_tied_to_scenario_modifications(region: Region) -> None:
    sc = load_region_scenarios(region)
    pids = {m.project_id for m in sc["plan-2025"].modifications}
    assert "sub_rail_bishan_tongliang" in pids


def test_unknown_ref_raises(net) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match="NOPE"):
        apply(net, [Modification("remove_link", ref="NOPE")])


def test_rail_reach_external_links_sourced(region: Region) -> None:
    t = rail_reach(region, scenario_network(region, "plan-2025"))
    bj = t[t["member"] == "北京"].iloc[0]
    assert bj["minutes"] == pytest.approx(
        406.0 + 5.0, abs=15
    )  # published 6 h 46 min (+ through/dwell)
    sh = t[t["member"] == "上海"].iloc[0]
    assert np.isnan(sh["minutes"]) and not sh["reached"]


def test_zones_are_labelled_estimates_and_sum_to_census(region: Region) -> None:
    z = load_zones(region)
    assert z["method"].str.startswith("estimate").all()
    tot = z.groupby("code")["population_est"].sum()
    census = region.units["population_2020"]
    for code, v in tot.items():
        assert v == pytest.approx(float(census.loc[code]), rel=1e-3)


def test_points_cost_matrix_shape_and_symmetry(net) -> None:  # type: ignore[no-untyped-def]
    pts = np.array([[106.5762, 29.5644], [106.2273, 29.5920], [106.2761, 29.9721]])
    m = points_cost_matrix(net, pts, pts)
    assert m.shape == (3, 3)
    assert np.allclose(np.diag(m), 0.0, atol=1.0)
    assert (m >= 0).all()
    cut = points_cost_matrix(net, pts, pts, cutoff=20.0)
    assert np.isinf(cut[0, 2])


def test_validator_reports_file_row_field(region: Region, tmp_path: Path) -> None:
    src = region.path
    dst = tmp_path / "ds"
    shutil.copytree(src, dst)
    links = dst / "network" / "links.csv"
    lines = links.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",rail,", ",boat,", 1)
    links.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"links.csv:3:mode"):
        load_network_files(dst)

    class _M:
        files: ClassVar[dict[str, object]] = {}

    assert validate_network_files(dst, _M()) == []


def _road_rows(region: Region):  # type: ignore[no-untyped-def]
    import pandas as pd

    t = pd.read_csv(region.path / "network" / "calibration.csv", keep_default_na=False)
    t = t[(t["mode"] == "road") & (t["used"].astype(str) == "True")]
    t = t.assign(err=t["modelled_fitted"].astype(float) - t["observed_min"].astype(float))
    return t


def test_road_calibration_meets_the_target_on_rows_kept_out_of_the_fit(region: Region) -> None:
    t = _road_rows(region)
    hold, fit = t[t["split"] == "holdout"], t[t["split"] == "fit"]
    assert len(hold) >= 5 and len(fit) >= 5
    # the split is recorded in the data: no row is both fitted and validated
    assert not set(hold["row_id"]) & set(fit["row_id"])
    for part in (hold, fit):
        e = part["err"].to_numpy(float)
        assert float(np.sqrt(np.mean(e**2))) <= 15.0
        assert abs(float(np.mean(e))) <= 5.0


CORRIDOR_UNITS = {
    "500102": "涪陵",
    "500115": "长寿",
    "500116": "江津",
    "500117": "合川",
    "500118": "永川",
    "500119": "南川",
    "500110": "綦江",
    "500111": "大足",
    "500120": "璧山",
    "500151": "铜梁",
    "500152": "潼南",
    "500153": "荣昌",
    "511602": "广安",
    "511621": "岳池",
    "511622": "武胜",
    "511623": "邻水",
}


def test_each_surrounding_seat_has_an_expressway_corridor_to_the_ring(region: Region) -> None:
    """Baseline 2020: from an interchange within 20 km of each seat, expressways alone reach the 绕城."""
    import pandas as pd
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    nodes = pd.read_csv(region.path / "network" / "nodes.csv", dtype={"code": str})
    links = pd.read_csv(region.path / "network" / "links.csv", keep_default_na=False)
    yr = pd.to_numeric(links["in_service_year"], errors="coerce")
    ex = links[
        (links["category"] == "expressway")
        & (links["status"] == "open")
        & (yr.isna() | (yr <= 2020))
    ]
    idx = {n: i for i, n in enumerate(nodes["node_id"])}
    a = ex["from_node"].map(idx).to_numpy()
    b = ex["to_node"].map(idx).to_numpy()
    g = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes),) * 2)
    _n, comp = connected_components(g, directed=False)
    ring = ex[ex["ref"] == "G5001_raocheng"]
    ring_comp = {comp[idx[n]] for n in ring["from_node"]}
    assert len(ring_comp) == 1
    ics = nodes[nodes["kind"] == "interchange"]
    ilon, ilat = np.radians(ics["lon"].to_numpy()), np.radians(ics["lat"].to_numpy())
    joined = np.array([comp[idx[n]] in ring_comp for n in ics["node_id"]])
    for code, name in CORRIDOR_UNITS.items():
        u = region.units.loc[code]
        slon, slat = np.radians(float(u["seat_lon"])), np.radians(float(u["seat_lat"]))
        h = (
            np.sin((ilat - slat) / 2) ** 2
            + np.cos(ilat) * np.cos(slat) * np.sin((ilon - slon) / 2) ** 2
        )
        near = 2 * 6371.0 * np.arcsin(np.sqrt(h)) <= 20.0
        assert (near & joined).any(), (
            f"{name}: no interchange within 20 km joined to the 绕城 by expressways"
        )
