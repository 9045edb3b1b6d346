"""The Dask batch path equals the in-process engine; an all-node run's memory stays bounded."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from metrocircle.network.ch import CHEngine
from metrocircle.network.dask_batch import cumulative_opportunities_batch, matrix_batch

from .graphs import random_graph


def test_dask_local_cluster_equals_in_process() -> None:
    from distributed import LocalCluster

    g = random_graph(11, 500, 2000, symmetric=True)
    eng = CHEngine.build(g, use_cache=False)
    opp = np.arange(g.n_nodes, dtype=float) % 5
    org = np.arange(0, g.n_nodes, 3)
    tgt = np.arange(0, g.n_nodes, 7)
    want_c = eng.cumulative_opportunities(opp, 8.0, origins=org)
    want_m = eng.many_to_many(org, tgt, cutoff=8.0)
    opts = {"processes": False, "n_workers": 1, "threads_per_worker": 2}
    got_c = cumulative_opportunities_batch(eng, opp, 8.0, origins=org, chunk=40, local_cluster=opts)
    np.testing.assert_array_equal(got_c, want_c)
    # the same code path against a scheduler address
    with LocalCluster(dashboard_address=None, **opts) as cluster:
        got_m = matrix_batch(
            eng, org, tgt, cutoff=8.0, scheduler=cluster.scheduler_address, chunk=50
        )
    np.testing.assert_array_equal(got_m, want_m)
    with pytest.raises(ValueError, match="chunk"):
        matrix_batch(eng, org, tgt, chunk=0, local_cluster=opts)


_PROBE = textwrap.dedent(
    """
    import json, resource, sys
    import numpy as np
    # the graphs helper alone on the path: tests/ itself holds a `coverage` folder that
    # would shadow coverage.py, which numba imports
    sys.path.insert(0, {helpers!r})
    from graphs import grid_graph
    from metrocircle.network.ch import CHEngine
    g = grid_graph({side})
    eng = CHEngine.build(g, use_cache=False)
    opp = np.ones(g.n_nodes)
    eng.cumulative_opportunities(opp, 5.0, origins=np.arange(64))  # warm up the kernels
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = eng.cumulative_opportunities(opp, 60.0)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({{"growth_kib": after - before, "n": int(out.size), "max": float(out.max())}}))
    """
)


def test_all_node_run_memory_is_bounded() -> None:
    side = 150  # 22,500 origins: a dense origins × nodes float32 matrix would be 2 GB
    from pathlib import Path

    helpers = str(Path(__file__).resolve().parent)
    code = _PROBE.format(helpers=helpers, side=side)
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    info = json.loads(res.stdout.strip().splitlines()[-1])
    n = side * side
    assert info["n"] == n
    # the most central node reaches every node within 60 links (Manhattan distance)
    ii, jj = np.divmod(np.arange(n), side)
    c = side // 2
    assert info["max"] == float(np.sum(np.abs(ii - c) + np.abs(jj - c) <= 60))
    # per-thread distance blocks (n × 64 float32) plus slack, far below n × n × 4 bytes
    assert info["growth_kib"] * 1024 < 64 * 2**20
    assert info["growth_kib"] * 1024 < (n * n * 4) / 20
