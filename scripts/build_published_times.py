"""Write the dataset's ``network/published_times.csv`` from the shared network material.

Takes every published travel time of ``network/calibration_times.csv`` and every row of
``network/road/seat_distances.csv`` that states minutes, keeps the statement, its date and
its page, and names the place of the model each end is with
:func:`metrocircle.access.published.match_place` (a unit, ``centre`` or nothing). A seat
row that repeats a calibration row (same minutes between the same two places) is dropped.
Run::

    .venv/bin/python scripts/build_published_times.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from metrocircle.access.published import COLUMNS, _stem, match_place  # noqa: E402
from metrocircle.region import load_region  # noqa: E402

OUT = HERE.parent / "src/metrocircle/data/chongqing/network/published_times.csv"
_ISO = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def _date(text: str) -> tuple[str, str]:
    """(ISO prefix, the raw text when it said more than a date)."""
    t = text.strip()
    if "undated" in t or "c." in t:  # an estimated date is not a statement date
        return "", t
    m = _ISO.search(t)
    if not m:
        return "", t
    iso = "-".join(g for g in m.groups() if g)
    return iso, ("" if iso == t else t)


def _source(url: str) -> tuple[str, str]:
    u = url.strip()
    return (u, "") if u.startswith(("http://", "https://")) else ("", u)


def _key(a: str, b: str, minutes: float) -> tuple[frozenset[str], float]:
    return frozenset(
        {_stem(a.split("(", maxsplit=1)[0]), _stem(b.split("(", maxsplit=1)[0])}
    ), minutes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    region = load_region("chongqing")
    net = args.shared / "network"
    rows: list[dict[str, str]] = []
    seen: set[tuple[frozenset[str], float]] = set()
    with (net / "calibration_times.csv").open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            iso, note = _date(r["statement_date"])
            url, snote = _source(r["source_url"])
            rows.append(
                {
                    "mode": r["mode"],
                    "from_zh": r["from_zh"],
                    "to_zh": r["to_zh"],
                    "minutes": r["minutes"],
                    "statement_kind": r["kind"],
                    "statement_zh": r["statement_or_route"],
                    "statement_date": iso,
                    "date_note": note,
                    "source_url": url,
                    "source_note": snote,
                    "source_file": "network/calibration_times.csv",
                }
            )
            seen.add(_key(r["from_zh"], r["to_zh"], float(r["minutes"])))
    with (net / "road" / "seat_distances.csv").open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            if not r["minutes"].strip():
                continue
            if _key(r["from_zh"], r["to_zh"], float(r["minutes"])) in seen:
                continue
            iso, note = _date(r["page_date"])
            url, snote = _source(r["source_url"])
            kind = r["qualifier"] + (
                f"; reliability {r['reliability']}" if r["reliability"] else ""
            )
            rows.append(
                {
                    "mode": "rail" if r["kind"] == "rail" else "road",
                    "from_zh": r["from_zh"],
                    "to_zh": r["to_zh"],
                    "minutes": r["minutes"],
                    "statement_kind": kind,
                    "statement_zh": r["statement_zh"],
                    "statement_date": iso,
                    "date_note": note,
                    "source_url": url,
                    "source_note": "; ".join(x for x in (snote, r["note"]) if x),
                    "source_file": "network/road/seat_distances.csv",
                }
            )
    for r in rows:
        r["from_unit"] = match_place(region, r["from_zh"])
        r["to_unit"] = match_place(region, r["to_zh"])
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    matched = sum(1 for r in rows if r["from_unit"] and r["to_unit"])
    print(f"wrote {args.out} ({len(rows)} rows, {matched} between places of the model)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
