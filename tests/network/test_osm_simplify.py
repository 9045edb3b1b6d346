"""Degree-2 chains of an OSM extract joined into links: same travel times between the kept nodes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from metrocircle.network.osm import read_drive_segments, simplify_chains

from .osm_fixtures import write_grid_pbf


def _seg(rows: list[tuple[int, int, float, str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    seg = pd.DataFrame(rows, columns=["u", "v", "length", "highway", "oneway"])
    seg["id"] = np.arange(len(seg), dtype=np.int64) + 100
    seg["maxspeed"] = ""
    seg["name"] = ""
    ids = np.unique(np.r_[seg["u"], seg["v"]])
    nodes = pd.DataFrame({"id": ids, "lon": ids * 0.001, "lat": ids * 0.002})
    return nodes, seg


def _dist(u: np.ndarray, v: np.ndarray, w: np.ndarray, ids: np.ndarray) -> np.ndarray:
    pos = {int(x): i for i, x in enumerate(ids)}
    a = np.array([pos[int(x)] for x in u])
    b = np.array([pos[int(x)] for x in v])
    g = csr_array((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(ids.size, ids.size))
    return dijkstra(g, directed=True)


def test_a_chain_becomes_one_link_and_junctions_stay() -> None:
    # 1-2-3-4 a residential chain, 4 a T junction with 5 and 6, 6-7 changes class at 6
    nodes, seg = _seg(
        [
            (1, 2, 10.0, "residential", ""),
            (2, 3, 20.0, "residential", ""),
            (3, 4, 30.0, "residential", ""),
            (4, 5, 5.0, "residential", ""),
            (4, 6, 7.0, "residential", ""),
            (6, 7, 9.0, "primary", ""),
            (7, 7, 3.0, "primary", ""),  # a self-loop is dropped
        ]
    )
    kept, links = simplify_chains(nodes, seg)
    assert sorted(kept["id"]) == [1, 4, 5, 6, 7]
    chain = links[(links["u"].isin([1, 4])) & (links["v"].isin([1, 4]))]
    assert len(chain) == 1
    assert chain["length"].iloc[0] == pytest.approx(60.0)
    assert chain["segments"].iloc[0] == 3
    assert len(links) == 4
    assert kept.set_index("id").loc[6, "lon"] == pytest.approx(0.006)


def test_oneway_chains_keep_their_direction_and_stop_where_it_flips() -> None:
    # 1 -> 2 -> 3 one way: joined as 1 -> 3; 3 -> 4 <- 5 (both one-way into 4): 4 is kept
    nodes, seg = _seg(
        [
            (2, 3, 4.0, "primary", "yes"),
            (1, 2, 3.0, "primary", "yes"),
            (3, 4, 2.0, "primary", "yes"),
            (5, 4, 1.0, "primary", "yes"),
        ]
    )
    kept, links = simplify_chains(nodes, seg)
    assert 4 in set(kept["id"]) and 2 not in set(kept["id"])
    row = links[links["v"] == 4].set_index("u")
    assert row.loc[1, "length"] == pytest.approx(9.0)  # 1 -> 2 -> 3 -> 4, direction kept
    assert row.loc[5, "length"] == pytest.approx(1.0)


def test_simplified_extract_keeps_every_distance_between_kept_nodes(tmp_path: Path) -> None:
    pbf = write_grid_pbf(tmp_path / "grid.osm.pbf", side=10)
    raw, seg = read_drive_segments(pbf)
    assert set(seg["highway"]) == {"primary", "residential"}  # the footway is not drivable
    kept, links = simplify_chains(raw, seg)
    assert len(kept) < len(raw) / 2
    assert links["segments"].max() > 1
    seg = seg[seg["u"] != seg["v"]]
    ids_all = np.unique(np.r_[seg["u"], seg["v"]])
    d_all = _dist(seg["u"].to_numpy(), seg["v"].to_numpy(), seg["length"].to_numpy(), ids_all)
    ids_k = kept["id"].to_numpy()
    d_k = _dist(links["u"].to_numpy(), links["v"].to_numpy(), links["length"].to_numpy(), ids_k)
    at = np.searchsorted(ids_all, ids_k)
    np.testing.assert_allclose(d_k, d_all[np.ix_(at, at)], rtol=1e-9)


def test_build_caches_the_hierarchy_a_load_of_its_files_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrocircle.network.hierarchy import default_cache_dir, graph_hash
    from metrocircle.network.osm import build_network_files, load_built_network

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pbf = write_grid_pbf(tmp_path / "grid.osm.pbf", side=20)
    counts = build_network_files(pbf, tmp_path / "net", contract=True)
    net = load_built_network(tmp_path / "net")
    assert counts["graph_nodes"] == net.graph.n_nodes > 300  # above the CH engine threshold
    assert counts["graph_arcs"] == net.graph.n_arcs
    cached = sorted(p.name for p in default_cache_dir().glob("*.npz"))
    assert cached == [f"{graph_hash(net.graph)[:24]}-base.npz"]


def test_link_minutes_as_arrays_equal_the_row_by_row_rule(tmp_path: Path) -> None:
    from metrocircle.network.minutes import _speed_minutes, link_minutes
    from metrocircle.network.model import load_network_files
    from metrocircle.network.osm import build_network_files
    from metrocircle.region import load_region

    region = load_region("chongqing")
    _n, links, params = load_network_files(region.path, region.manifest)
    build_network_files(write_grid_pbf(tmp_path / "g.osm.pbf", side=8), tmp_path / "network")
    _n2, osm_links, _p = load_network_files(tmp_path, None)
    both = pd.concat([links, osm_links], ignore_index=True)
    assert {"expressway", "local", "metro"} <= set(both["category"])
    assert both["minutes"].notna().any() and both["minutes"].isna().any()
    rows = [_speed_minutes(r, params) for r in both.itertuples(index=False)]
    np.testing.assert_array_equal(link_minutes(both, params), np.asarray(rows))
