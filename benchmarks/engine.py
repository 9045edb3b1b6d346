"""Time metrocircle's CH engine beside its peers on one road-like graph, in one run.

Usage::

    python benchmarks/engine.py --graph PATH [--json] [--rounds N] [--allnode-rounds N]
    python benchmarks/engine.py --graph PATH --only allnode [--allnode-rounds N] [--json]

``PATH`` is a ``graph.npz`` with arrays ``x, y, src, dst, w`` (seconds, one direction per
undirected edge), ``sources``, ``targets`` and ``opp``, as written by the shared peer bench
(``../shared/bench/gen_graph.py``). Peers: SciPy's ``dijkstra(limit=)`` in this process, and
pandana through ``~/peers-venv/bin/python ../shared/bench/peers.py`` when that venv exists
(otherwise it is reported as unavailable). Our engine and the peers run alternately, several
rounds; the table shows medians. With ``--json`` the last line is one JSON object.
``--only allnode`` times just the all-node 60-minute opportunities (build, then N rounds),
with CPU time (user + sys of the process) and the load average beside the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from metrocircle.network.ch import CHEngine, ContractionHierarchy
from metrocircle.network.engine import CSRGraph

__all__ = ["main"]

CUTOFF_S = 3600.0  # the 60-minute horizon of the peer bench, seconds
SSSP_SOURCES = 200  # one-to-all sources per round (the peer bench's default sample)
PEERS_PY = Path(
    os.environ.get(
        "PEERS_BENCH", str(Path(__file__).resolve().parents[2] / "shared" / "bench" / "peers.py")
    )
)
PEERS_VENV = Path(os.environ.get("PEERS_VENV", str(Path.home() / "peers-venv")))


def _load(path: Path) -> tuple[CSRGraph, Any, dict[str, np.ndarray]]:
    import scipy.sparse as sps

    z = dict(np.load(path))
    n = int(z["x"].shape[0])
    s = z["src"].astype(np.int64)
    d = z["dst"].astype(np.int64)
    w = z["w"].astype(np.float64)
    graph = CSRGraph.from_arcs(np.r_[s, d], np.r_[d, s], np.r_[w, w] / 60.0, n_nodes=n)
    # SciPy gets the same deduplicated arcs (a COO → CSR conversion would add parallel arcs)
    csr = sps.csr_array(
        (graph.weights.astype(np.float64) * 60.0, graph.indices, graph.indptr), shape=(n, n)
    )
    return graph, csr, z


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _allnode_only(graph: CSRGraph, opp: np.ndarray, rounds: int, as_json: bool) -> int:
    """Contract, then time all-node 60-min opportunities ``rounds`` times (wall, CPU, load)."""
    tb, ch = _timed(lambda: ContractionHierarchy.contract(graph))
    engine = CHEngine(graph, ch)
    engine.cumulative_opportunities(opp, CUTOFF_S / 60.0, origins=np.arange(128))  # warm
    runs = []
    for r in range(rounds):
        load = os.getloadavg()[0]
        c0 = _cpu_s()
        ta, res = _timed(lambda: engine.cumulative_opportunities(opp, CUTOFF_S / 60.0))
        runs.append({"wall_s": round(ta, 2), "cpu_s": round(_cpu_s() - c0, 2), "load1": load})
        print(f"all-node round {r + 1}/{rounds}: {runs[-1]}", file=sys.stderr)
    out = {
        "graph_nodes": graph.n_nodes,
        "build_s": round(tb, 2),
        "allnode_60min_seconds": statistics.median(x["wall_s"] for x in runs),
        "allnode_60min_cpu_seconds": statistics.median(x["cpu_s"] for x in runs),
        "allnode_runs": runs,
        "allnode_60min_peak_gib": round(_rss_gib(), 3),
        "allnode_sum": float(res.sum()),
    }
    print(json.dumps(out) if as_json else out)
    return 0


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _scipy_sssp(csr: Any, sources: np.ndarray, opp: np.ndarray) -> tuple[int, np.ndarray]:
    from scipy.sparse.csgraph import dijkstra

    reached = 0
    sums = np.empty(sources.size)
    for a in range(0, sources.size, 100):
        rows = dijkstra(csr, directed=True, indices=sources[a : a + 100], limit=CUTOFF_S)
        inside = rows <= CUTOFF_S
        reached += int(inside.sum())
        sums[a : a + 100] = inside @ opp
    return reached, sums


def _peer(lib: str, task: str, nsrc: int, graph_path: Path) -> dict[str, Any] | None:
    py = PEERS_VENV / "bin" / "python"
    if not (py.exists() and PEERS_PY.exists()):
        return None
    env = dict(os.environ, GRAPH=str(graph_path.resolve()))
    res = subprocess.run(
        [str(py), str(PEERS_PY), lib, task, str(nsrc)],
        capture_output=True,
        text=True,
        env=env,
        cwd=PEERS_PY.parent,
        timeout=1800,
        check=False,
    )
    if res.returncode != 0:
        print(f"peer {lib} {task} failed: {res.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    out: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _scenario_weights(graph: CSRGraph, rng: np.random.Generator, links: int) -> np.ndarray:
    """New weights where ``links`` random two-way links get 30 % slower or faster."""
    s, d, _ = graph.arcs()
    w = graph.weights.copy()
    picks = rng.choice(graph.n_arcs, links, replace=False)
    for k, a in enumerate(picks):
        f = np.float32(1.3 if k % 2 else 0.7)
        both = ((s == s[a]) & (d == d[a])) | ((s == d[a]) & (d == s[a]))
        w[both] *= f
    return w


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table (and a JSON line with ``--json``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", type=Path, required=True)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--allnode-rounds", type=int, default=1)
    ap.add_argument("--no-peers", action="store_true", help="skip the pandana subprocess")
    ap.add_argument("--only", choices=["all", "allnode"], default="all")
    args = ap.parse_args(argv)

    graph, csr, z = _load(args.graph)
    if args.only == "allnode":
        return _allnode_only(graph, z["opp"].astype(np.float64), args.allnode_rounds, args.json)
    n = graph.n_nodes
    src = z["sources"][:SSSP_SOURCES].astype(np.int64)
    mat_src = z["sources"].astype(np.int64)
    tgt = z["targets"].astype(np.int64)
    opp = z["opp"].astype(np.float64)
    ones = np.ones(n)
    cut_min = CUTOFF_S / 60.0
    print(f"graph {args.graph}: {n} nodes, {graph.n_arcs} arcs", file=sys.stderr)

    # JIT (cached after the first run on a machine) measured on a tiny graph
    t_jit, _ = _timed(
        lambda: CHEngine.build(
            CSRGraph.from_arcs([0, 1], [1, 0], [1.0, 1.0], n_nodes=2), use_cache=False
        ).cumulative_opportunities(np.ones(2), 1.0)
    )

    rec: dict[str, list[float]] = {
        k: []
        for k in (
            "build",
            "recustom",
            "sssp",
            "matrix",
            "scipy_sssp",
            "pandana_matrix",
            "pandana_build",
        )
    }
    checks: dict[str, Any] = {}
    engine: CHEngine | None = None
    rng = np.random.default_rng(7)
    for r in range(args.rounds):
        ours_first = r % 2 == 0

        def ours() -> None:
            nonlocal engine
            tb, ch = _timed(lambda: ContractionHierarchy.contract(graph))
            rec["build"].append(tb)
            engine = CHEngine(graph, ch)
            engine.cumulative_opportunities(ones, cut_min, origins=src[:32])  # warm threads
            ts, reached = _timed(
                lambda: engine.cumulative_opportunities(ones, cut_min, origins=src)
            )
            rec["sssp"].append(ts / src.size)
            checks["ours_reached"] = int(reached.sum())
            tm, m = _timed(lambda: engine.many_to_many(mat_src, tgt))
            rec["matrix"].append(tm)
            checks["ours_matrix_sum_s"] = float(np.round(m.astype(np.float64) * 60.0).sum())
            w2 = _scenario_weights(graph, rng, 5)
            tc, scen = _timed(lambda: engine.customize(w2))
            rec["recustom"].append(tc)
            checks["scenario_engine"] = (scen, w2)

        def peers() -> None:
            ts, (reached, _) = _timed(lambda: _scipy_sssp(csr, src, opp))
            rec["scipy_sssp"].append(ts / src.size)
            checks["scipy_reached"] = reached
            if not args.no_peers:
                p = _peer("pandana", "matrix", mat_src.size, args.graph)
                if p is not None:
                    rec["pandana_matrix"].append(float(p["query_s"]))
                    rec["pandana_build"].append(float(p["build_s"]))
                    checks["pandana_matrix_sum_s"] = p["checksum"]

        for step in (ours, peers) if ours_first else (peers, ours):
            step()
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    assert engine is not None
    # accuracy against SciPy (seconds), base and scenario
    from scipy.sparse.csgraph import dijkstra

    probe = src[:50]
    ref = dijkstra(csr, directed=True, indices=probe, limit=CUTOFF_S)
    got = engine.one_to_many(probe, cutoff=cut_min).astype(np.float64) * 60.0
    both = np.isfinite(ref) & np.isfinite(got)
    max_diff = float(np.abs(ref[both] - got[both]).max())
    boundary = int((np.isfinite(ref) != np.isfinite(got)).sum())
    scen, w2 = checks["scenario_engine"]
    csr2 = CSRGraph(graph.indptr, graph.indices, w2).to_scipy()
    ref2 = dijkstra(csr2, directed=True, indices=probe[:10]) * 60.0
    got2 = scen.one_to_many(probe[:10]).astype(np.float64) * 60.0
    max_diff_scen = float(np.abs(ref2 - got2).max())

    # all-node cumulative opportunities within 60 min
    t_all, c_all = [], []
    load_all = os.getloadavg()[0]
    for _ in range(args.allnode_rounds):
        c0 = _cpu_s()
        ta, res_all = _timed(lambda: engine.cumulative_opportunities(opp, cut_min))
        t_all.append(ta)
        c_all.append(_cpu_s() - c0)
    peak = _rss_gib()

    med = {k: (statistics.median(v) if v else None) for k, v in rec.items()}
    sssp_x = med["scipy_sssp"] / med["sssp"]
    mat_x = (med["pandana_matrix"] / med["matrix"]) if med["pandana_matrix"] else None
    h = engine.hierarchy
    out = {
        "graph_nodes": n,
        "graph_arcs": graph.n_arcs,
        "rounds": args.rounds,
        "ch_edges": h.n_up_arcs,
        "ch_shortcuts": h.n_shortcuts,
        "jit_warmup_s": round(t_jit, 3),
        "build_s": round(med["build"], 3),
        "pandana_build_s": None if med["pandana_build"] is None else round(med["pandana_build"], 3),
        "recustomize_5_links_s": round(med["recustom"], 3),
        "sssp_ms_per_source": round(1000 * med["sssp"], 4),
        "scipy_sssp_ms_per_source": round(1000 * med["scipy_sssp"], 3),
        "sssp_speedup_vs_scipy": round(sssp_x, 2),
        "matrix_1000x1000_s": round(med["matrix"], 4),
        "pandana_matrix_1000x1000_s": None
        if med["pandana_matrix"] is None
        else round(med["pandana_matrix"], 3),
        "matrix_speedup_vs_pandana": None if mat_x is None else round(mat_x, 2),
        "allnode_60min_seconds": round(statistics.median(t_all), 2),
        "allnode_60min_cpu_seconds": round(statistics.median(c_all), 2),
        "allnode_load1_at_start": load_all,
        "allnode_60min_peak_gib": round(peak, 3),
        "allnode_sum": float(res_all.sum()),
        "max_abs_diff_vs_scipy_s": max_diff,
        "cutoff_boundary_mismatches": boundary,
        "scenario_max_abs_diff_vs_scipy_s": max_diff_scen,
        "reached_pairs_ours": checks["ours_reached"],
        "reached_pairs_scipy": checks["scipy_reached"],
        "matrix_sum_s_ours": checks["ours_matrix_sum_s"],
        "matrix_sum_s_pandana": checks.get("pandana_matrix_sum_s"),
        "peers": "scipy (in-process)"
        + ("" if med["pandana_matrix"] is None else " + pandana (peers venv)"),
    }
    _table(out)
    if args.json:
        print(json.dumps(out))
    return 0


def _table(o: dict[str, Any]) -> None:
    def f(v: Any, fmt: str) -> str:
        return "unavailable" if v is None else format(v, fmt)

    rows = [
        (
            "one-to-all, 60-min cutoff (ms/source)",
            f(o["sssp_ms_per_source"], ".3f"),
            "scipy dijkstra(limit=)",
            f(o["scipy_sssp_ms_per_source"], ".2f"),
            f(o["sssp_speedup_vs_scipy"], ".1f") + "×",
        ),
        (
            "1000 × 1000 matrix (s)",
            f(o["matrix_1000x1000_s"], ".3f"),
            "pandana shortest_path_lengths",
            f(o["pandana_matrix_1000x1000_s"], ".2f"),
            f(o["matrix_speedup_vs_pandana"], ".1f") + "×",
        ),
        (
            "preprocessing (s)",
            f(o["build_s"], ".2f"),
            "pandana Network() build (CH)",
            f(o["pandana_build_s"], ".2f"),
            f(None if o["pandana_build_s"] is None else o["pandana_build_s"] / o["build_s"], ".2f")
            + "×",
        ),
        (
            "re-customise, 5 links changed (s)",
            f(o["recustomize_5_links_s"], ".2f"),
            "goal",
            "1.00",
            "",
        ),
        (
            "all-node opportunities, 60 min (s)",
            f(o["allnode_60min_seconds"], ".1f"),
            "goal (pandana: OOM)",
            "120",
            "",
        ),
        (
            "  peak RSS of the whole run (GiB)",
            f(o["allnode_60min_peak_gib"], ".2f"),
            "goal",
            "4.00",
            "",
        ),
    ]
    print("| kernel | metrocircle CH | peer | peer | ratio (peer / ours) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(
        f"\nmax |ours − scipy| = {o['max_abs_diff_vs_scipy_s']:.4g} s over finite pairs; "
        f"{o['cutoff_boundary_mismatches']} pairs differ only at the cutoff boundary; "
        f"scenario max diff {o['scenario_max_abs_diff_vs_scipy_s']:.4g} s; "
        f"reached pairs ours {o['reached_pairs_ours']} vs scipy {o['reached_pairs_scipy']}; "
        f"CH edges {o['ch_edges']} ({o['ch_shortcuts']} shortcuts); JIT warm-up {o['jit_warmup_s']} s."
    )


if __name__ == "__main__":
    sys.exit(main())
