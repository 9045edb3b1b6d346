"""Peak memory of ``import observations``: the streamed import beside the old list-based one.

Usage::

    python benchmarks/import_memory.py [--rows 100000] [--db-old URL --db-new URL] [--json]

Writes a CSV of ``--rows`` distinct observations (the embedded Chongqing region's
``urbanisation_rate_pct``, one source per row) to a temporary folder, then imports it, in
this one process, twice into fresh stores (SQLite files in the temporary folder, or the two
empty databases given):

- old: :func:`read_observations_file` (every row validated into a list) then
  :meth:`Store.import_observations`, what the CLI did before issue 19 (a 2 M-row file once
  took 2.8 GB);
- new: :func:`iter_observation_chunks` into :meth:`Store.import_observation_chunks`, one
  chunk of ``CHUNK_ROWS`` rows in memory at a time (keys and digest lines in a temporary
  table).

For each it reports the wall time and the peak Python heap during the call
(``tracemalloc``: what the database driver allocates in C is not counted), and the ratio
old / new. Both must record the same batch digest or the script exits 1. The peak of the
new path should stay flat as ``--rows`` grows; the old one grows with the file.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metrocircle.region import load_region
from metrocircle.store import Store, read_observations_file
from metrocircle.store.db import CHUNK_ROWS
from metrocircle.store.observations_file import iter_observation_chunks

__all__ = ["main", "write_file"]


def write_file(path: Path, rows: int) -> None:
    """A CSV of ``rows`` distinct, valid observations (one source per row)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("indicator,scope,period,value,unit,source,source_url\n")
        for i in range(rows):
            fh.write(
                f"urbanisation_rate_pct,500103,{1949 + i % 150},{(i % 1000) / 10},pct,"
                f"重庆市统计年鉴 benchmark row {i},https://tjj.cq.gov.cn/bench/{i}\n"
            )


def _measure(run: Callable[[], Any]) -> tuple[Any, float, int]:
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = run()
        seconds = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, seconds, peak


def _digest(store: Store) -> str:
    entry = next(e for e in store.audit_entries() if e.action == "import_observations")
    return str(entry.after["digest"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--db-old", default=None, help="empty store for the old path")
    ap.add_argument("--db-new", default=None, help="empty store for the streamed path")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    region = load_region("chongqing")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        write_file(path, args.rows)
        size = path.stat().st_size
        old_url = args.db_old or f"sqlite:///{Path(tmp) / 'old.sqlite'}"
        new_url = args.db_new or f"sqlite:///{Path(tmp) / 'new.sqlite'}"
        with Store(old_url) as old, Store(new_url) as new:

            def old_path() -> Any:
                rows = read_observations_file(path, region)
                return old.import_observations(rows, submitted_by="bench", file=path.name)

            def new_path() -> Any:
                return new.import_observation_chunks(
                    iter_observation_chunks(path, region, chunk_rows=CHUNK_ROWS),
                    submitted_by="bench",
                    file=path.name,
                )

            res_old, t_old, peak_old = _measure(old_path)
            res_new, t_new, peak_new = _measure(new_path)
            same = res_old.rows == res_new.rows == args.rows and _digest(old) == _digest(new)
    out = {
        "rows": args.rows,
        "file_bytes": size,
        "old": {"seconds": round(t_old, 2), "peak_bytes": peak_old},
        "new": {"seconds": round(t_new, 2), "peak_bytes": peak_new},
        "peak_ratio_old_over_new": round(peak_old / max(peak_new, 1), 1),
        "same_digest": same,
    }
    if args.json:
        print(json.dumps(out))
    else:
        mb = 1024 * 1024
        print(f"{args.rows} rows, file {size / mb:.1f} MiB")
        print(f"old (list):   {t_old:7.2f} s  peak {peak_old / mb:8.1f} MiB")
        print(f"new (stream): {t_new:7.2f} s  peak {peak_new / mb:8.1f} MiB")
        print(f"peak ratio old/new: {out['peak_ratio_old_over_new']}x; same digest: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
