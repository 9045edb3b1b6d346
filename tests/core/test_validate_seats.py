"""`validate` finds a seat outside its unit's boundary (issue 14.7)."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.region import validate_dataset


def _move_seat(dataset: Path, code: str, lon: float, lat: float) -> int:
    path = dataset / "units.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    row = next(i for i, r in enumerate(rows) if r["code"] == code)
    rows[row]["seat_lon"], rows[row]["seat_lat"] = str(lon), str(lat)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return row


def test_shipped_dataset_has_every_seat_inside_its_unit() -> None:
    assert validate_dataset("chongqing") == []


def test_a_seat_outside_its_boundary_is_one_problem_naming_both_files(dataset_copy: Path) -> None:
    # 渝中区's seat moved to 荣昌区 (about 90 km west): inside the area, outside its own unit
    _move_seat(dataset_copy, "500103", 105.59, 29.40)
    problems = validate_dataset(dataset_copy)
    seat = [p for p in problems if p.field == "seat_lon"]
    assert len(seat) == 1, problems
    msg = str(seat[0])
    assert seat[0].file == "units.csv" and "500103" in msg and "渝中区" in msg
    assert "boundaries" in msg and "km away" in msg
    res = CliRunner().invoke(app, ["validate", str(dataset_copy), "--lang", "en"])
    assert res.exit_code == 2
    assert "lies outside the unit's boundary" in res.stderr
