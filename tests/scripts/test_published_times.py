"""scripts/build_published_times.py on a small input: dates, sources, duplicates and matches."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_published_times.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_published_times", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def test_build(tmp_path: Path) -> None:
    net = tmp_path / "network"
    _write(
        net / "calibration_times.csv",
        ["mode", "from_zh", "to_zh", "minutes", "kind", "statement_date", "source_url",
         "statement_or_route"],
        [
            ["road", "永川", "江津", "30", "stated", "2014-02-07", "http://a.example/1", "经永江"],
            ["road", "G50江北收费站", "长寿", "30", "stated", "2021-07", "(stored page without URL)", "x"],
            ["rail", "重庆北", "万州北", "105", "first train", "2016-11-28", "http://b.example/", "y"],
        ],
    )  # fmt: skip
    seat_header = ["from_code", "from_zh", "to_zh", "to_code", "kind", "km", "minutes",
                   "statement_zh", "source_url", "page_date", "qualifier", "reliability", "note"]  # fmt: skip
    _write(
        net / "road" / "seat_distances.csv",
        seat_header,
        [
            # the same statement as the first calibration row: dropped
            ["500118", "永川区", "江津", "", "expressway", "", "30", "s", "http://a.example/1",
             "2014-02-08", "forecast", "high", ""],
            # km only: not a time
            ["500151", "铜梁区", "重庆中心城区", "500103", "unspecified", "40", "", "s",
             "http://c.example/", "2025", "exact", "high", ""],
            ["511602", "广安市(城区, 广安区)", "重庆市区", "500103", "unspecified", "", "60",
             "一个小时的车程", "http://d.example/", "undated (c.2019)", "approx", "low", "repost"],
        ],
    )  # fmt: skip
    out = tmp_path / "published_times.csv"
    assert _script().main(["--shared", str(tmp_path), "--out", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["from_zh"], r["to_zh"]) for r in rows] == [
        ("永川", "江津"),
        ("G50江北收费站", "长寿"),
        ("重庆北", "万州北"),
        ("广安市(城区, 广安区)", "重庆市区"),
    ]
    by = {r["from_zh"]: r for r in rows}
    assert (by["永川"]["from_unit"], by["永川"]["to_unit"]) == ("500118", "500116")
    assert (by["G50江北收费站"]["from_unit"], by["G50江北收费站"]["to_unit"]) == ("", "500115")
    assert by["G50江北收费站"]["source_url"] == ""
    assert by["G50江北收费站"]["source_note"] == "(stored page without URL)"
    assert (by["重庆北"]["from_unit"], by["重庆北"]["to_unit"]) == ("", "")  # stations
    ga = by["广安市(城区, 广安区)"]
    assert (ga["from_unit"], ga["to_unit"]) == ("511602", "centre")
    assert ga["statement_date"] == "" and ga["date_note"] == "undated (c.2019)"
    assert ga["statement_kind"] == "approx; reliability low" and ga["source_note"] == "repost"
