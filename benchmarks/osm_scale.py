"""Time an OpenStreetMap extract through the whole pipeline beside pyrosm + pandana, in one run.

Usage::

    python benchmarks/osm_scale.py --pbf FILE [--json] [--peer-timeout S] [--rounds N]

``FILE`` is an ``.osm.pbf`` extract: ``../shared/bench/gen_osm.py``'s synthetic file or a real
one. Each round runs, alternating which goes first:

* **ours**: ``metrocircle network build --osm FILE --out DIR`` in a subprocess (read, drive
  filter, degree-2 chains joined, files written, read back, compiled, contracted; a fresh
  hierarchy cache each round), wall time and peak resident memory of that process;
* **peer**: pyrosm ``OSM(FILE).get_network(network_type="driving", nodes=True)`` then
  ``OSM.to_graph(nodes, edges, graph_type="pandana")`` (pandana's CH build) in the peers'
  venv (``$PEERS_VENV``, default ``~/peers-venv``, as ``benchmarks/engine.py`` uses), stopped
  after ``--peer-timeout`` seconds: a stopped peer is reported as ``">= cap"`` and the
  speedup as a lower bound.

Then, in this process, on the network built: a zone × zone matrix (random points in the
extract's bounding box, snapped to the network by its access join), isochrone latency as the
dashboard asks for it (polygon included) over random origins, one-to-all cumulative
opportunities per origin and all-node opportunities. With ``--json`` the last line is one
JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main"]

PEERS_VENV = Path(os.environ.get("PEERS_VENV", str(Path.home() / "peers-venv")))
PEER_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from pyrosm import OSM
nodes, edges = OSM(sys.argv[1]).get_network(network_type="driving", nodes=True)
t1 = time.perf_counter()
print(json.dumps({"stage": "read", "read_s": t1 - t0, "nodes": len(nodes), "edges": len(edges)}), flush=True)
net = OSM.to_graph(nodes, edges, graph_type="pandana")
t2 = time.perf_counter()
print(json.dumps({"stage": "done", "read_s": t1 - t0, "build_s": t2 - t0,
                  "graph_nodes": int(len(net.node_ids))}), flush=True)
"""


def _run(cmd: list[str], env: dict[str, str], timeout: float | None) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, peak RSS (GiB), stdout, and whether it was stopped."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, start_new_session=True)
        capped = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout is not None and time.perf_counter() - t0 > timeout:
                os.killpg(proc.pid, signal.SIGKILL)  # our own child's session only
                capped = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "wall_s": wall,
            "peak_gib": usage.ru_maxrss / 2**20,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "rc": proc.returncode,
            "capped": capped,
            "stdout": out.read(),
            "stderr": err.read()[-2000:],
        }


def _ours(pbf: Path, out: Path, cache: Path) -> dict[str, Any]:
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    cmd = [sys.executable, "-m", "metrocircle", "network", "build", "--osm", str(pbf)]
    res = _run([*cmd, "--out", str(out)], env, None)
    if res["rc"] != 0:
        msg = f"network build failed ({res['rc']}): {res['stderr']}"
        raise RuntimeError(msg)
    return res


def _peer(pbf: Path, cap: float) -> dict[str, Any] | None:
    py = PEERS_VENV / "bin" / "python"
    if not py.exists():
        return None
    res = _run([str(py), "-c", PEER_SCRIPT, str(pbf)], dict(os.environ), cap)
    # pandana's progress dots end without a newline: find the JSON records anywhere in a line
    lines = [json.loads(m) for m in re.findall(r'\{"stage".*?\}', res["stdout"])]
    if not res["capped"] and (res["rc"] != 0 or not lines or lines[-1]["stage"] != "done"):
        print(f"peer failed ({res['rc']}): {res['stderr']}", file=sys.stderr)
        return None
    info = lines[-1] if lines else {}
    keep = ("wall_s", "cpu_s", "peak_gib", "capped")
    return {**info, **{k: res[k] for k in keep}}


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table (and a JSON line with ``--json``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pbf", type=Path, required=True)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--peer-timeout", type=float, default=1800.0, help="seconds (default 1800)")
    ap.add_argument("--no-peer", action="store_true", help="skip pyrosm + pandana")
    ap.add_argument("--rounds", type=int, default=1, help="build rounds, alternating the order")
    ap.add_argument("--zones", type=int, default=600)
    ap.add_argument("--iso-origins", type=int, default=100)
    ap.add_argument("--iso-minutes", type=float, default=30.0)
    ap.add_argument(
        "--iso-compare",
        type=int,
        default=5,
        help="isochrones also built as the exact disc union (the old construction), to compare",
    )
    ap.add_argument("--one-to-all-origins", type=int, default=200)
    ap.add_argument("--opp-minutes", type=float, default=60.0)
    ap.add_argument("--no-allnode", action="store_true", help="skip the all-node opportunities")
    ap.add_argument("--work", type=Path, default=None, help="folder for the built network")
    args = ap.parse_args(argv)
    pbf = args.pbf.resolve()
    work = Path(args.work or tempfile.mkdtemp(prefix="osm-scale-"))
    out, cache = work / "network", work / "cache"
    load0 = os.getloadavg()

    ours: list[dict[str, Any]] = []
    peers: list[dict[str, Any] | None] = []
    for r in range(max(1, args.rounds)):
        order = ("ours", "peer") if r % 2 == 0 else ("peer", "ours")
        for who in order:
            if who == "ours":
                ours.append(_ours(pbf, out, cache))
                print(f"round {r}: ours {ours[-1]['wall_s']:.1f} s", file=sys.stderr)
            elif not args.no_peer:
                peers.append(_peer(pbf, args.peer_timeout))
                print(f"round {r}: peer {peers[-1]}", file=sys.stderr)
    build_s = statistics.median(x["wall_s"] for x in ours)
    peak = max(x["peak_gib"] for x in ours)
    peer_ok = [p for p in peers if p is not None]
    peer_capped = any(p["capped"] for p in peer_ok)
    peer_s = statistics.median(p["wall_s"] for p in peer_ok) if peer_ok else None
    peer_read = [p["read_s"] for p in peer_ok if "read_s" in p]

    # queries, in this process, on the files just written (the hierarchy comes from the cache)
    os.environ["XDG_CACHE_HOME"] = str(cache)
    from metrocircle.network.isochrone import isochrone
    from metrocircle.network.model import make_engine
    from metrocircle.network.osm import load_built_network

    t0 = time.perf_counter()
    net = load_built_network(out)
    eng = make_engine(net.graph)
    load_s = time.perf_counter() - t0
    n = net.graph.n_nodes
    rng = np.random.default_rng(0)
    lon, lat = net.nodes["lon"].to_numpy(), net.nodes["lat"].to_numpy()

    def points(k: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.uniform(lon.min(), lon.max(), k), rng.uniform(lat.min(), lat.max(), k)

    zx, zy = points(args.zones)
    t0 = time.perf_counter()
    jn, jm = net.join(zx, zy)
    snap_s = time.perf_counter() - t0
    zn, za = jn[:, 0], jm[:, 0]
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        mat = eng.many_to_many(zn, zn) + za[:, None] + za[None, :]
        times.append(time.perf_counter() - t0)
    zone_s = statistics.median(times)
    finite = float(np.isfinite(mat).mean())

    ix, iy = points(args.iso_origins + 1)
    iso_ms = []
    for k in range(ix.size):
        t0 = time.perf_counter()
        # as the dashboard's request computes it: bounded search, raster polygon, no engine
        geom = isochrone(net, float(ix[k]), float(iy[k]), args.iso_minutes)
        if k:  # the first one warms up (Numba kernels load from their cache)
            iso_ms.append((time.perf_counter() - t0) * 1000.0)
    assert not geom.is_empty
    cmp = _compare_discs(net, ix[1 : 1 + args.iso_compare], iy[1 : 1 + args.iso_compare], args)
    layer = _layer_sizes(net, lon, lat)
    api_iso = _api_isochrone_cache()

    ones = np.ones(n)
    org = rng.choice(n, min(n, args.one_to_all_origins), replace=False)
    t0 = time.perf_counter()
    reach = eng.cumulative_opportunities(ones, args.opp_minutes, origins=org)
    one_ms = (time.perf_counter() - t0) * 1000.0 / org.size
    allnode_s = None
    if not args.no_allnode:
        t0 = time.perf_counter()
        alls = eng.cumulative_opportunities(ones, args.opp_minutes)
        allnode_s = time.perf_counter() - t0
        assert alls.shape == (n,)

    speedup: float | str | None = None
    peer_field: float | str | None = None
    if peer_s is not None:
        peer_field = f">= {args.peer_timeout:g}" if peer_capped else round(peer_s, 2)
        ratio = peer_s / build_s
        speedup = f">= {ratio:.2f}" if peer_capped else round(ratio, 2)
    res = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pbf": str(args.pbf),
        "pbf_mb": round(pbf.stat().st_size / 1e6, 2),
        "load_avg_start": [round(x, 2) for x in load0],
        "load_avg_end": [round(x, 2) for x in os.getloadavg()],
        "rounds": len(ours),
        "graph_nodes": int(n),
        "graph_arcs": int(net.graph.n_arcs),
        "links": len(net.links),
        "build_s": round(build_s, 2),
        "build_runs_s": [round(x["wall_s"], 2) for x in ours],
        "build_cpu_s": round(statistics.median(x["cpu_s"] for x in ours), 2),
        "peak_gib": round(peak, 3),
        "peer": "pyrosm get_network(driving) + to_graph(pandana)",
        "peer_build_s": peer_field,
        "peer_capped": peer_capped,
        "peer_cpu_s": round(statistics.median(p["cpu_s"] for p in peer_ok), 2) if peer_ok else None,
        "peer_read_s": round(statistics.median(peer_read), 2) if peer_read else None,
        "peer_peak_gib": round(max(p["peak_gib"] for p in peer_ok), 3) if peer_ok else None,
        "peer_graph_nodes": next(
            (p.get("graph_nodes") for p in peer_ok if "graph_nodes" in p), None
        ),
        "build_speedup_vs_pyrosm_pandana": speedup,
        "load_network_s": round(load_s, 2),
        "zones": int(args.zones),
        "zone_snap_s": round(snap_s, 4),
        "zone_matrix_600_s": round(zone_s, 4),
        "zone_matrix_finite_share": round(finite, 4),
        "isochrone_minutes": args.iso_minutes,
        "isochrone_p50_ms": round(_pct(iso_ms, 50), 1),
        "isochrone_p95_ms": round(_pct(iso_ms, 95), 1),
        **cmp,
        **layer,
        **api_iso,
        "one_to_all_ms_per_origin": round(one_ms, 3),
        "one_to_all_mean_reached": round(float(reach.mean()), 1),
        "opp_minutes": args.opp_minutes,
        "allnode_s": None if allnode_s is None else round(allnode_s, 2),
        "peak_gib_queries": round(_self_peak_gib(), 3),
    }
    rows = [
        ("build, read to contracted hierarchy (s)", res["build_s"]),
        ("  CPU time of the build, user + system (s)", res["build_cpu_s"]),
        ("  peak RSS of the build (GiB)", res["peak_gib"]),
        ("peer pyrosm + pandana build (s)", _show(peer_field, peer_capped)),
        ("  peer CPU time, peak RSS", f"{res['peer_cpu_s']} s, {res['peer_peak_gib']} GiB"),
        ("  speedup (peer / ours)", _show(speedup, peer_capped)),
        ("graph nodes / arcs", f"{n} / {net.graph.n_arcs}"),
        (f"{args.zones} x {args.zones} zone matrix (s)", res["zone_matrix_600_s"]),
        (
            f"isochrone {args.iso_minutes:g} min p50 / p95 (ms)",
            f"{res['isochrone_p50_ms']} / {res['isochrone_p95_ms']}",
        ),
        (
            f"  old disc union, {cmp['iso_compare_n']} of them: ms mean / raster area diff",
            f"{cmp['iso_discs_mean_ms']} / {cmp['iso_area_diff_pct']} %",
        ),
        (
            "network layer: full features / bytes / s",
            f"{layer['layer_features']} / {layer['layer_bytes']} / {layer['layer_build_s']}",
        ),
        (
            "  zoom 7 whole extent: features / bytes / ms",
            f"{layer['layer_z7_features']} / {layer['layer_z7_bytes']} / {layer['layer_z7_ms']}",
        ),
        (
            "  zoom 12, 0.2 deg view: features / bytes / ms",
            f"{layer['layer_z12_features']} / {layer['layer_z12_bytes']} / {layer['layer_z12_ms']}",
        ),
        (
            "API isochrone (embedded data): first / cached (ms)",
            f"{api_iso['api_isochrone_first_ms']} / {api_iso['api_isochrone_cached_ms']}",
        ),
        (f"one-to-all {args.opp_minutes:g} min (ms/origin)", res["one_to_all_ms_per_origin"]),
        (f"all-node opportunities {args.opp_minutes:g} min (s)", res["allnode_s"]),
    ]
    for k, v in rows:
        print(f"{k:<44} {v}")
    if peer_capped:
        print(
            f"the peer was stopped at the {args.peer_timeout:g} s cap: its time and the speedup are lower bounds"
        )
    if args.json:
        print(json.dumps(res))
    return 0


def _compare_discs(net: Any, xs: np.ndarray, ys: np.ndarray, args: Any) -> dict[str, Any]:
    """The first origins' isochrones also as the exact disc union: its time and the area gap."""
    from metrocircle.network.isochrone import disc_union, raster_union, reach

    ms, diffs, nodes = [], [], []
    for x, y in zip(xs, ys, strict=True):
        rc = reach(net, float(x), float(y), args.iso_minutes)
        t0 = time.perf_counter()
        exact = disc_union(rc.x, rc.y, rc.r)
        ms.append((time.perf_counter() - t0) * 1000.0)
        geom, _ = raster_union(rc.x, rc.y, rc.r)
        diffs.append(100.0 * (geom.area - exact.area) / exact.area)
        nodes.append(rc.nodes.size)
    return {
        "iso_compare_n": len(ms),
        "iso_compare_reached_nodes": nodes,
        "iso_discs_mean_ms": round(statistics.mean(ms), 1) if ms else None,
        "iso_area_diff_pct": [round(d, 2) for d in diffs],
    }


def _layer_sizes(net: Any, lon: np.ndarray, lat: np.ndarray) -> dict[str, Any]:
    """The dashboard's network layer on this network: whole, at zoom 7, at zoom 12 in a view.

    The layer clips lines to the region's outline; an extract has none, so a stand-in region
    of one unit covering the extract's bounding box is used (nothing is clipped).
    """
    from types import SimpleNamespace

    import geopandas as gpd
    from shapely.geometry import box

    from metrocircle.network.layer import network_layer, simplify_layer

    w, s, e, n = float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())
    units = gpd.GeoDataFrame({"level": ["county"]}, geometry=[box(w, s, e, n)], crs="EPSG:4326")
    region = SimpleNamespace(units=units, data_version="osm-scale")
    t0 = time.perf_counter()
    full = network_layer(region, net)  # type: ignore[arg-type]
    build_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "layer_features": len(full["features"]),
        "layer_bytes": len(json.dumps(full)),
        "layer_build_s": round(build_s, 2),
    }
    cx, cy = (w + e) / 2, (s + n) / 2
    for name, kw in (
        ("z7", {"zoom": 7, "bbox": (w, s, e, n)}),
        ("z12", {"zoom": 12, "bbox": (cx - 0.1, cy - 0.1, cx + 0.1, cy + 0.1)}),
    ):
        t0 = time.perf_counter()
        doc = simplify_layer(full, **kw)  # type: ignore[arg-type]
        body = json.dumps(doc)
        out[f"layer_{name}_ms"] = round((time.perf_counter() - t0) * 1000.0, 1)
        out[f"layer_{name}_features"] = len(doc["features"])
        out[f"layer_{name}_bytes"] = len(body)
    return out


def _api_isochrone_cache() -> dict[str, Any]:
    """GET /api/access/isochrone on the embedded dataset: first answer, then the cached one."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from metrocircle.api.routes.access import router
    from metrocircle.region import load_region

    app = FastAPI()
    app.state.region = load_region("chongqing")
    app.include_router(router)
    client = TestClient(app)
    q = {"from": "500118", "minutes": 45}
    client.get("/api/access/scenarios")  # network and scenarios loaded before the clock
    t0 = time.perf_counter()
    first = client.get("/api/access/isochrone", params=q)
    t1 = time.perf_counter()
    again = client.get("/api/access/isochrone", params=q)
    t2 = time.perf_counter()
    assert first.status_code == again.status_code == 200
    return {
        "api_isochrone_first_ms": round((t1 - t0) * 1000.0, 1),
        "api_isochrone_cached_ms": round((t2 - t1) * 1000.0, 1),
        "api_isochrone_bytes": len(first.content),
    }


def _show(v: object, capped: bool) -> str:
    if v is None:
        return "unavailable (no peers venv, or the peer failed: see stderr)"
    return f"{v} (lower bound: peer stopped at the cap)" if capped else str(v)


def _self_peak_gib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


if __name__ == "__main__":
    raise SystemExit(main())
