"""Published door-to-door times: matched to places of the model by rule, shown beside the model."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle._errors import DataValidationError
from metrocircle.access.published import (
    CENTRE,
    load_published,
    match_place,
    published_between,
    published_to_centre,
    read_published,
)
from metrocircle.region import Region, load_region, validate_dataset

runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("重庆主城", CENTRE),
        ("重庆(主城)", CENTRE),
        ("重庆中心城区", CENTRE),
        ("渝中", CENTRE),
        ("重庆北", ""),  # a station is not the centre
        ("重庆北站", ""),
        ("重庆江北国际机场", ""),
        ("重庆", ""),  # the city as a whole says no place
        ("G50江北收费站", ""),
        ("成都", ""),
        ("永川", "500118"),
        ("潼南区", "500152"),
        ("广安", "511602"),  # the prefecture's city proper
        ("广安市主城区", "511602"),
        ("广安市(城区, 广安区)", "511602"),
        ("邻水县", "511623"),
    ],
)
def test_match_place(region: Region, name: str, want: str) -> None:
    assert match_place(region, name) == want


def test_file_matches_are_the_rule(region: Region) -> None:
    """The from_unit/to_unit columns are what match_place says of the published names."""
    rows = load_published(region)
    assert len(rows) >= 30
    for p in rows:
        assert (p.from_unit, p.to_unit) == (
            match_place(region, p.from_zh),
            match_place(region, p.to_zh),
        )
        assert p.kind == "published" and (p.source_url or p.source_note)


def test_to_centre_and_between(region: Region) -> None:
    nanchuan = published_to_centre(region, "500119")
    assert [p.minutes for p in nanchuan] == [60.0]
    d = nanchuan[0].to_dict()
    assert d["kind"] == "published" and d["mode"] == "road"
    assert d["source_url"].startswith("http") and d["statement_date"] == "2020-11-01"
    assert "中心城区" in d["to_reference"]
    # 广安: two statements, the most recent first, undated after dated ones
    ga = published_to_centre(region, "511602")
    assert [p.minutes for p in ga] == [90.0, 60.0]
    assert published_to_centre(region, "500120") == []  # 璧山: none published
    # unit to unit, either direction
    assert [p.minutes for p in published_between(region, "500118", "500151")] == [40.0]
    assert [p.minutes for p in published_between(region, "500151", "500118")] == [40.0]
    # a time from 长寿 to a toll gate is not a time to the centre
    assert published_to_centre(region, "500115") == []


def test_bad_row_is_named(tmp_path: Path, region: Region) -> None:
    src = region.file("network_published_times")
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[2]["minutes"] = "soon"
    rows[4]["statement_date"] = "around 2019"
    bad = tmp_path / "published_times.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out, problems = read_published(bad)
    assert out is None
    assert {(p.row, p.field) for p in problems} == {(4, "minutes"), (6, "statement_date")}


def test_dataset_refuses_unknown_unit(tmp_path: Path, region: Region) -> None:
    ds = tmp_path / "ds"
    shutil.copytree(region.path, ds)
    f = ds / "network" / "published_times.csv"
    text = f.read_text(encoding="utf-8").replace(",500118,", ",599999,", 1)
    f.write_text(text, encoding="utf-8")
    problems = validate_dataset(ds)
    assert [(p.file, p.field) for p in problems] == [("network/published_times.csv", "to_unit")]
    assert "599999" in problems[0].message
    with pytest.raises(DataValidationError, match="599999"):
        load_region(ds)


def test_od_cli_shows_published() -> None:
    from metrocircle.cli.access import access_app

    res = runner.invoke(access_app, ["od", "--from", "铜梁", "--to", "永川", "--json"])
    assert res.exit_code == 0, res.output
    import json

    doc = json.loads(res.stdout)
    assert doc["value_kind"] == "modelled"
    [p] = doc["published"]
    assert p["kind"] == "published" and p["minutes"] == 40.0 and p["from_zh"] == "铜梁"
    assert doc["minutes"] == min(v for v in doc["by_mode"].values() if v is not None)
