"""The all-node job: population within reach of every node, in process and on Dask worker processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from metrocircle.access.opportunities import node_opportunities, zone_weights
from metrocircle.access.zones import load_zones
from metrocircle.network.scenarios import scenario_network
from metrocircle.region import Region


def _reference(region: Region, scenario: str, minutes: float) -> tuple[np.ndarray, np.ndarray]:
    """SciPy's Dijkstra from every physical node, summing zone weights within the budget."""
    net = scenario_network(region, scenario)
    g = net.graph
    src = np.repeat(np.arange(g.n_nodes), np.diff(g.indptr))
    mat = csr_matrix((g.weights.astype(np.float64), (src, g.indices)), shape=(g.n_nodes,) * 2)
    keep = np.flatnonzero((net.nodes["kind"] != "platform").to_numpy())
    dist = dijkstra(mat, indices=keep, limit=minutes + 1e-3)
    w = zone_weights(net, load_zones(region))
    return keep, np.where(dist <= minutes, 1.0, 0.0) @ w


def test_in_process_equals_scipy_and_counts_the_origin(region: Region) -> None:
    res = node_opportunities(region, "plan-2025", 60.0)
    keep, want = _reference(region, "plan-2025", 60.0)
    got = np.array([r["population_within"] for r in res.rows])
    assert len(res.rows) == keep.size
    # float32 arc minutes: a node exactly at the budget may fall either side
    close = np.isclose(got, want, rtol=1e-6)
    assert close.mean() > 0.99
    assert res.total_population == pytest.approx(load_zones(region)["population_est"].sum())
    assert all(0 <= r["population_within"] <= res.total_population + 1e-6 for r in res.rows)
    assert "estimate" in res.basis
    # a longer budget never reaches fewer people
    longer = node_opportunities(region, "plan-2025", 90.0)
    assert all(
        b["population_within"] >= a["population_within"] - 1e-6
        for a, b in zip(res.rows, longer.rows, strict=True)
    )


# a loaded machine makes distributed warn (slow scratch directories, slow heartbeats): the
# answer is what this test checks, not the cluster's timing
@pytest.mark.filterwarnings("ignore::UserWarning:distributed.*")
def test_dask_worker_processes_give_the_single_process_answer(region: Region) -> None:
    single = node_opportunities(region, "plan-2035", 60.0)
    on_dask = node_opportunities(region, "plan-2035", 60.0, local_workers=2)
    assert on_dask.engine == "dask"
    assert single.rows == on_dask.rows


def test_bad_budget_and_worker_count_are_refused(region: Region) -> None:
    with pytest.raises(ValueError, match="minutes"):
        node_opportunities(region, "baseline-2020", 0.0)
    with pytest.raises(ValueError, match="local_workers"):
        node_opportunities(region, "baseline-2020", 60.0, local_workers=0)


def test_cli_writes_one_row_per_node_and_says_what_it_is(tmp_path: Path) -> None:
    import pandas as pd
    from typer.testing import CliRunner

    from metrocircle.cli.access import access_app

    out = tmp_path / "opp.parquet"
    res = CliRunner().invoke(
        access_app,
        ["opportunities", "--minutes", "45", "-s", "plan-2025", "--out", str(out), "--lang", "zh"],
    )
    assert res.exit_code == 0, res.output
    assert "模型推算" in res.output
    assert "population" not in res.output
    df = pd.read_parquet(out)
    assert {"node_id", "population_within", "scenario", "minutes", "data_version"} <= set(df)
    assert set(df["scenario"]) == {"plan-2025"}
    assert (df["population_within"] >= 0).all()
    bad = CliRunner().invoke(access_app, ["opportunities", "--workers", "0", "--lang", "en"])
    assert bad.exit_code == 2
    assert "--workers" in bad.output
