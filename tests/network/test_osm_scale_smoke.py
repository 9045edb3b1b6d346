"""benchmarks/osm_scale.py end to end on a tiny generated extract: the JSON it promises, sane values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .osm_fixtures import write_grid_pbf

ROOT = Path(__file__).resolve().parents[2]
KEYS = (
    "graph_nodes",
    "build_s",
    "peak_gib",
    "peer_build_s",
    "build_speedup_vs_pyrosm_pandana",
    "zone_matrix_600_s",
    "isochrone_p95_ms",
)


@pytest.mark.timeout(600)
def test_osm_scale_benchmark_runs_on_a_tiny_extract(tmp_path: Path) -> None:
    pbf = write_grid_pbf(tmp_path / "tiny.osm.pbf", side=14)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    cmd = [sys.executable, str(ROOT / "benchmarks" / "osm_scale.py"), "--pbf", str(pbf)]
    cmd += ["--json", "--zones", "20", "--iso-origins", "5", "--one-to-all-origins", "10"]
    cmd += ["--peer-timeout", "0.5", "--work", str(tmp_path / "work")]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=580, check=False)
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    for k in KEYS:
        assert k in out, k
    assert 100 < out["graph_nodes"] < 14 * 14 + 1  # shape points joined away, junctions kept
    assert out["graph_arcs"] >= 2 * out["graph_nodes"]
    assert out["build_s"] > 0 and 0 < out["peak_gib"] < 8
    assert out["zone_matrix_600_s"] >= 0 and out["zones"] == 20
    assert 0.9 <= out["zone_matrix_finite_share"] <= 1.0
    assert out["isochrone_p50_ms"] <= out["isochrone_p95_ms"]
    assert out["one_to_all_mean_reached"] >= 1.0
    assert out["allnode_s"] is not None and out["allnode_s"] >= 0
    # the peer: absent without its venv, else stopped at the 0.5 s cap and so a lower bound
    if out["peer_build_s"] is None:
        assert out["build_speedup_vs_pyrosm_pandana"] is None
    else:
        assert out["peer_capped"] is True
        assert out["peer_build_s"] == ">= 0.5"
        assert str(out["build_speedup_vs_pyrosm_pandana"]).startswith(">= ")
        assert "lower bounds" in res.stdout
    assert (tmp_path / "work" / "network" / "links.parquet").is_file()
