"""The OSM path in one step: one-way streets, Parquet tables, the PBF-keyed cache, a dataset folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrocircle._errors import DataValidationError
from metrocircle.network.engine import DijkstraEngine

from .osm_fixtures import write_area_grid_pbf, write_grid_pbf, write_ways_pbf

pytest.importorskip("pyrosm")

# a one-way street 1 -> 2 (1.1 km), and a two-way detour 2 - 3 - 1 (about 3 km); 4 -> 5 drawn
# backwards with oneway=-1; a motorway 6 -> 7 (implied one-way) beside a two-way detour 7 - 8 - 6
POINTS = {
    1: (106.50, 29.50),
    2: (106.51, 29.50),
    3: (106.505, 29.51),
    4: (106.60, 29.50),
    5: (106.61, 29.50),
    9: (106.605, 29.51),
    6: (106.70, 29.50),
    7: (106.72, 29.50),
    8: (106.71, 29.52),
}
WAYS = [
    ([1, 2], {"highway": "residential", "oneway": "yes"}),
    ([2, 3, 1], {"highway": "secondary"}),
    ([5, 4], {"highway": "residential", "oneway": "-1"}),
    ([5, 9, 4], {"highway": "secondary"}),
    ([6, 7], {"highway": "motorway"}),
    ([7, 8, 6], {"highway": "secondary"}),
]


def _times(net: object, a: str, b: str) -> tuple[float, float]:
    eng = DijkstraEngine(net.graph)  # type: ignore[attr-defined]
    ia, ib = net.node_index(f"osm:{a}"), net.node_index(f"osm:{b}")  # type: ignore[attr-defined]
    m = eng.many_to_many(np.array([ia, ib]), np.array([ia, ib]))
    return float(m[0, 1]), float(m[1, 0])


def test_one_way_streets_are_directed_links(tmp_path: Path) -> None:
    from metrocircle.network.osm import build_network_files, load_built_network

    pbf = write_ways_pbf(tmp_path / "oneway.osm.pbf", POINTS, WAYS)
    build_network_files(pbf, tmp_path / "net", use_cache=False)
    links = pd.read_parquet(tmp_path / "net" / "links.parquet")
    direct = links[links["ref"] != "osm:secondary"]
    assert direct["oneway"].all() and not links.loc[links["ref"] == "osm:secondary", "oneway"].any()
    # oneway=-1 is turned round: the link runs 4 -> 5
    assert set(zip(direct["from_node"], direct["to_node"], strict=True)) == {
        ("osm:1", "osm:2"),
        ("osm:4", "osm:5"),
        ("osm:6", "osm:7"),
    }
    net = load_built_network(tmp_path / "net")
    for a, b in (("1", "2"), ("4", "5"), ("6", "7")):
        there, back = _times(net, a, b)
        assert np.isfinite(there) and np.isfinite(back)
        assert there < back * 0.6, (a, b, there, back)  # back goes round the detour


def test_parquet_tables_name_file_row_and_field(tmp_path: Path) -> None:
    from metrocircle.network.osm import build_network_files
    from metrocircle.network.tables import validate_links, validate_nodes

    pbf = write_ways_pbf(tmp_path / "o.osm.pbf", POINTS, WAYS)
    build_network_files(pbf, tmp_path / "net", use_cache=False)
    nodes = pd.read_parquet(tmp_path / "net" / "nodes.parquet")
    links = pd.read_parquet(tmp_path / "net" / "links.parquet")
    good, problems = validate_nodes(tmp_path / "net" / "nodes.parquet")
    assert problems == [] and good is not None and good["lon"].dtype == np.float64
    nodes.loc[2, "lon"] = 200.0
    nodes.loc[4, "kind"] = "castle"
    nodes.to_parquet(tmp_path / "nodes.parquet")
    _, p = validate_nodes(tmp_path / "nodes.parquet")
    assert {(x.file, x.row, x.field) for x in p} == {
        ("nodes.parquet", 3, "lon"),
        ("nodes.parquet", 5, "kind"),
    }
    links.loc[1, "to_node"] = "osm:999"
    links.loc[3, "minutes"] = -2.0
    links["oneway"] = links["oneway"].map({True: "yes", False: "false"})
    links.to_parquet(tmp_path / "links.parquet")
    _, p = validate_links(tmp_path / "links.parquet", set(nodes["node_id"]))
    got = {(x.row, x.field) for x in p}
    assert (2, "to_node") in got and (4, "minutes") in got
    assert any(x.field == "oneway" and "'yes'" in x.message for x in p)


def test_csv_oneway_column_is_validated(tmp_path: Path) -> None:
    from metrocircle.network.osm import build_network_files
    from metrocircle.network.tables import validate_links

    pbf = write_ways_pbf(tmp_path / "o.osm.pbf", POINTS, WAYS)
    build_network_files(pbf, tmp_path / "net", fmt="csv", use_cache=False)
    df, p = validate_links(tmp_path / "net" / "links.csv", None)
    assert p == [] and df is not None and df["oneway"].dtype == bool and df["oneway"].sum() == 3
    text = (tmp_path / "net" / "links.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[1] = lines[1][: lines[1].rindex(",")] + ",maybe"
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, p = validate_links(tmp_path / "bad.csv", None)
    assert [(x.row, x.field) for x in p] == [(2, "oneway")]


def test_second_build_of_the_same_file_reads_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrocircle.network import osm

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pbf = write_grid_pbf(tmp_path / "g.osm.pbf", side=8)
    first = osm.build_network_files(pbf, tmp_path / "a")
    assert first["cached"] == 0

    def no_read(*_a: object, **_k: object) -> None:
        raise AssertionError("the extract was read again")

    monkeypatch.setattr(osm, "osm_network_tables", no_read)
    second = osm.build_network_files(pbf, tmp_path / "b")
    assert second["cached"] == 1
    for name in ("nodes.parquet", "links.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "a" / name), pd.read_parquet(tmp_path / "b" / name)
        )
    # another file (other bytes) is not served from that entry
    other = write_grid_pbf(tmp_path / "h.osm.pbf", side=9)
    with pytest.raises(AssertionError, match="read again"):
        osm.build_network_files(other, tmp_path / "c")


def test_a_seat_the_extract_does_not_cover_is_refused_by_name(tmp_path: Path) -> None:
    from metrocircle.network.osm_dataset import build_osm_dataset

    pbf = write_grid_pbf(tmp_path / "g.osm.pbf", side=8)  # 3 km of streets near 106.4, 29.5
    with pytest.raises(DataValidationError) as err:
        build_osm_dataset(pbf, "chongqing", tmp_path / "ds", contract=False, use_cache=False)
    msgs = [p for p in err.value.problems if p.file == "units.csv" and p.field == "seat_lon"]
    assert len(msgs) >= 20
    assert any("500103" in p.message and "osm.seat_snap_max_km" in p.message for p in msgs)
    assert all(p.row >= 2 for p in msgs)
    assert not (tmp_path / "ds" / "manifest.toml").exists()


@pytest.mark.timeout(900)
def test_dataset_folder_loads_and_gives_the_commute_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrocircle.access.workflows import commute_report
    from metrocircle.network.model import load_network
    from metrocircle.network.osm_dataset import build_osm_dataset
    from metrocircle.region import load_region, validate_dataset

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # streets every 0.04° (4.4 km) over the area: every seat within 3.2 km of a node
    pbf = write_area_grid_pbf(tmp_path / "area.osm.pbf", (105.3, 28.5, 107.7, 30.8), 0.04)
    counts = build_osm_dataset(
        pbf, "chongqing", tmp_path / "ds", seat_snap_max_km=3.5, contract=False
    )
    assert counts["seats_snapped"] == 27 and counts["zones_snapped"] > 500
    assert counts["rail_links"] > 400 and counts["station_access_links"] > 100
    assert 0 < counts["seat_snap_max_m"] <= 3500
    assert validate_dataset(tmp_path / "ds") == []
    region = load_region(tmp_path / "ds")
    assert region.name == "chongqing-osm"
    assert region.manifest.files["network_links"].format == "parquet"
    net = load_network(region)
    road = net.links["mode"] == "road"
    assert net.links.loc[road, "link_id"].str.startswith("osm:").all()
    snaps = pd.read_csv(tmp_path / "ds" / "network" / "snaps.csv", dtype={"code": str})
    assert set(snaps["kind"]) == {"seat", "zone"} and (snaps["snap_m"] <= 3500).all()
    rep = commute_report(region, "baseline-2020")
    assert len(rep.units) == 27
    assert all(r.minutes_road is not None and r.minutes_road > 0 for r in rep.units)
    assert any(r.minutes_rail is not None for r in rep.units)  # the rail layer is kept
    # the scenario of 2025 opens rail lines on the same roads; road projects are left out
    text = (tmp_path / "ds" / "network" / "scenarios.toml").read_text(encoding="utf-8")
    assert 'ref = "CRT18"' in text and 'ref = "G93_yusui_fuxian"' not in text
    later = commute_report(region, "plan-2025")
    assert [r.minutes_road for r in later.units] == [r.minutes_road for r in rep.units]


def test_cli_refuses_an_uncovered_seat_naming_the_unit_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from metrocircle.cli import app

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pbf = write_grid_pbf(tmp_path / "g.osm.pbf", side=8)
    args = ["network", "build", "--osm", str(pbf), "--from-dataset", "chongqing"]
    res = CliRunner().invoke(
        app, [*args, "--out", str(tmp_path / "ds"), "--no-contract"], env={"METROCIRCLE_LANG": "en"}
    )
    assert res.exit_code == 2, res.output
    assert "units.csv:" in res.stderr and "500103" in res.stderr and "seat_lon" in res.stderr
    assert not (tmp_path / "ds").exists()
    bad = CliRunner().invoke(
        app,
        [*args, "--out", str(tmp_path / "x"), "--format", "xml"],
        env={"METROCIRCLE_LANG": "en"},
    )
    assert bad.exit_code == 2 and "--format" in bad.stderr
