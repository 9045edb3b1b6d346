"""The batch matrix on Dask: a scheduler address and the default local cluster give the in-process answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from metrocircle.access.commute import seats
from metrocircle.cli.access import access_app
from metrocircle.network.dask_batch import DaskEngine
from metrocircle.network.model import make_engine, points_cost_matrix
from metrocircle.network.scenarios import scenario_network
from metrocircle.region import Region


def test_matrix_command_on_a_scheduler_equals_in_process(region: Region, tmp_path: Path) -> None:
    from distributed import LocalCluster

    net = scenario_network(region, "plan-2025")
    pts = seats(region)
    ll = pts[["lon", "lat"]].to_numpy(dtype=float)
    expected = points_cost_matrix(net, ll, ll)
    out = tmp_path / "m.parquet"
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        res = CliRunner().invoke(
            access_app,
            [
                "matrix",
                "--scenario",
                "plan-2025",
                "--out",
                str(out),
                "--scheduler",
                cluster.scheduler_address,
            ],
        )
    assert res.exit_code == 0, res.output
    df = pd.read_parquet(out)
    got = df["minutes"].to_numpy().reshape(len(pts), len(pts))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)
    assert set(df["scenario"]) == {"plan-2025"}


def test_dask_engine_matches_its_inner_engine(region: Region) -> None:
    net = scenario_network(region, "baseline-2020")
    inner = make_engine(net.graph)
    dask_engine = DaskEngine(inner, local_cluster={"processes": False, "n_workers": 1}, chunk=50)
    src = np.arange(0, net.graph.n_nodes, 7)
    dst = np.arange(0, net.graph.n_nodes, 5)
    np.testing.assert_array_equal(
        dask_engine.many_to_many(src, dst, cutoff=90.0), inner.many_to_many(src, dst, cutoff=90.0)
    )
    opp = np.ones(net.graph.n_nodes)
    np.testing.assert_allclose(
        dask_engine.cumulative_opportunities(opp, 60.0, origins=src),
        inner.cumulative_opportunities(opp, 60.0, origins=src),
    )
