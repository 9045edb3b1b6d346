"""Measure the time and memory of one heavy API request, each in a fresh process.

Usage::

    python benchmarks/heavy_request.py [--sites N ...] [--model pmedian] [--json]

Each run starts a new Python process that builds the app on an in-memory store, warms it
with a small request (so the region, network and cost caches are loaded, as on a running
server), then posts one ``/api/coverage/site`` request with ``N`` inline candidate sites
(the first ``N`` township points of the embedded region). It reports the wall time, the
peak Python heap of the request alone (``tracemalloc``), and the process's peak resident
memory before and after the request (``ru_maxrss``). Runs below the public limit
(``anonymous_max_sites``, default 60) are posted anonymously, larger ones as a logged-in user.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

__all__ = ["main"]

_CHILD = r"""
import json, resource, sys, time, tracemalloc, warnings
warnings.simplefilter("ignore")
from fastapi.testclient import TestClient
from metrocircle.api.app import create_app
from metrocircle.coverage.service import builtin_candidates
from metrocircle.settings import Settings
from metrocircle.store import Store

n, model = int(sys.argv[1]), sys.argv[2]
key = "6f1c0b9e2d4a87f35c1e0a9b7d3f2e48a5c6b1d09e8f7a6b5c4d3e2f1a0b9c8d"
s = Settings(environment="test", db="sqlite://", secret_key=key, heavy_user_timeout_seconds=3600)
app = create_app(s)
store = Store("sqlite://")
app.state.store = store
c = TestClient(app)
c.__enter__()
headers = {}
if n > s.anonymous_max_sites:
    store.add_user("bench_user", role="viewer", password="Jialing-river-bridge-2026", actor="bench")
    r = c.post("/api/auth/token", data={"username": "bench_user", "password": "Jialing-river-bridge-2026"})
    headers = {"Authorization": "Bearer " + r.json()["access_token"]}
towns = builtin_candidates(app.state.region, "townships").table
def body(k):
    rows = [
        {"id": f"c{i}", "name_zh": f"候选{i}", "type": "emergency_reserve",
         "source": "benchmark: a township point as a candidate",
         "lon": float(r.lon), "lat": float(r.lat)}
        for i, r in enumerate(towns.head(k).itertuples())
    ]
    out = {"model": model, "candidates": rows}
    if model != "lscp":
        out["p"] = max(1, min(5, k))
    return out
r = c.post("/api/coverage/site", json=body(3), headers=headers)
assert r.status_code == 200, r.text
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t0 = time.perf_counter()
r = c.post("/api/coverage/site", json=body(n), headers=headers)
dt = time.perf_counter() - t0
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "sites": n, "model": model, "status": r.status_code, "anonymous": not headers,
    "seconds": round(dt, 2), "heap_peak_mib": round(peak / 2**20, 1),
    "rss_before_mib": round(rss_before / 1024, 1), "rss_after_mib": round(rss_after / 1024, 1),
}))
"""


def _run(n: int, model: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n), model],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {"sites": n, "model": model, "error": out.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table (or JSON lines)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, nargs="+", default=[27, 60, 200])
    ap.add_argument("--model", default="pmedian", choices=["lscp", "mclp", "pmedian"])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = [_run(n, args.model) for n in args.sites]
    if args.json:
        for r in rows:
            print(json.dumps(r))
        return 0
    print(f"{'sites':>6} {'who':>10} {'status':>6} {'s':>7} {'heap MiB':>9} {'RSS MiB':>15}")
    for r in rows:
        if "error" in r:
            print(f"{r['sites']:>6} error: {r['error']}")
            continue
        who = "anonymous" if r["anonymous"] else "logged in"
        rss = f"{r['rss_before_mib']}→{r['rss_after_mib']}"
        print(
            f"{r['sites']:>6} {who:>10} {r['status']:>6} {r['seconds']:>7} "
            f"{r['heap_peak_mib']:>9} {rss:>15}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
