"""LB/T 034-2014 capacity formulas, warning-tier edges, visitor-count import, current warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrocircle._errors import DataValidationError
from metrocircle.region import Region
from metrocircle.sectors.tourism import (
    A_LEVELS,
    PLACED_BY,
    Capacity,
    VisitorCount,
    current_warnings,
    gate_capacity,
    load_capacities,
    load_scenic_areas,
    load_tiers,
    read_visitor_counts,
    registry_capacities,
    spatial_capacity,
    trail_capacity,
    warning_tier,
)


def test_spatial_capacity() -> None:
    # C1 = 20000/20 + 5000/10 = 1500; Int(10/3) = 3 -> C2 = 4500
    assert spatial_capacity([(20000, 20), (5000, 10)]) == 1500.0
    assert spatial_capacity([(20000, 20), (5000, 10)], open_hours=10, visit_hours=3) == 4500.0
    assert spatial_capacity([(100, 10)], open_hours=8, visit_hours=8) == 10.0
    with pytest.raises(ValueError, match="go together"):
        spatial_capacity([(100, 10)], open_hours=8)
    with pytest.raises(ValueError, match="m2_per_visitor"):
        spatial_capacity([(100, 0)])
    with pytest.raises(ValueError, match="empty"):
        spatial_capacity([])


def test_gate_and_trail_capacity() -> None:
    # t1 = 10 - 2 = 8 h, D = 8 / 0.5 = 16 batches, C = 16 * 40 = 640
    assert gate_capacity(open_hours=10, route_hours=2, interval_hours=0.5, batch_size=40) == 640.0
    with pytest.raises(ValueError, match="shorter"):
        gate_capacity(open_hours=2, route_hours=2, interval_hours=0.5, batch_size=40)
    # loop: 3000 m * 4 / 5 m = 2400; out-and-back: 3000 * 4 / (5 + 5 * 1/2) = 1600
    assert trail_capacity(length_m=3000, m_per_visitor=5, turnover=4) == 2400.0
    assert (
        trail_capacity(length_m=3000, m_per_visitor=5, turnover=4, return_hours=1, trail_hours=2)
        == 1600.0
    )
    with pytest.raises(ValueError, match="go together"):
        trail_capacity(length_m=1, m_per_visitor=1, turnover=1, return_hours=1)


@pytest.mark.parametrize(
    ("ratio", "tier"),
    [
        (0.0, None),
        (0.7999, None),
        (0.8, "announce"),
        (0.8999, "announce"),
        (0.9, "orange"),
        (0.9999, "orange"),
        (1.0, "red"),
        (1.7, "red"),
    ],
)
def test_tier_edges(ratio: float, tier: str | None) -> None:
    t = warning_tier(ratio)
    assert (t.id if t else None) == tier


def test_tiers_file() -> None:
    tiers = load_tiers()
    assert [t.threshold for t in tiers] == [0.8, 0.9, 1.0]
    assert "停止售票" in tiers[0].actions_zh and tiers[0].source.startswith("LB/T 034")
    with pytest.raises(ValueError, match="ratio"):
        warning_tier(-0.1)


def test_tiers_file_errors(tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text('[[tier]]\nid = "a"\nthreshold = 0.5\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match="missing"):
        load_tiers(p)


def test_current_warnings_latest_count_and_both_ratios() -> None:
    caps = {
        "a": Capacity("a", 1000, 5000, "spatial", "approval 1"),
        "b": Capacity("b", None, 1000, "gate", "approval 2"),
    }
    counts = [
        VisitorCount("a", "2025-10-01T10:00:00", 950, 1000),  # older: ignored
        VisitorCount("a", "2025-10-01T11:00:00", 850, 2000),  # 85 % instantaneous
        VisitorCount("b", "2025-10-01T11:00:00", None, 1000),  # 100 % daily
    ]
    out = current_warnings(
        counts, caps, names={"a": {"name_zh": "甲", "name_en": "A", "unit_code": "500103"}}
    )
    assert [(w["scenic_id"], w["tier"]) for w in out] == [("b", "red"), ("a", "announce")]
    assert out[1]["ratio_instantaneous"] == 0.85 and out[1]["ratio_daily"] == 0.4
    assert out[1]["name_zh"] == "甲"
    assert current_warnings([VisitorCount("a", "2025-10-01T11:00:00", 10, None)], caps) == []
    with pytest.raises(DataValidationError, match="no capacity"):
        current_warnings([VisitorCount("zz", "2025-10-01T11:00:00", 10, None)], caps)


def test_read_counts_and_capacities(tmp_path: Path) -> None:
    c = tmp_path / "c.csv"
    c.write_text(
        "scenic_id,time,in_park,cumulative_today\na,2025-10-01T10:00,5,\n", encoding="utf-8"
    )
    assert read_visitor_counts(c)[0].in_park == 5
    c.write_text(
        "scenic_id,time,in_park,cumulative_today\na,notatime,5,\nb,2025-10-01,-1,\nc,2025-10-01,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        read_visitor_counts(c)
    text = str(err.value)
    assert ":2:time" in text and ":3:in_park" in text and ":4:in_park" in text
    k = tmp_path / "k.csv"
    k.write_text(
        "scenic_id,capacity_instantaneous,capacity_daily,method,source\na,0,,x,\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError) as err2:
        load_capacities(k)
    assert ":2:capacity_instantaneous" in str(err2.value) and ":2:source" in str(err2.value)


def test_shipped_scenic_areas(region: Region) -> None:
    areas = load_scenic_areas(region.dataset_path / "sectors" / "scenic_areas.csv")
    assert len(areas) == 36
    assert {a["theme"] for a in areas} == {"red", "urban", "heritage", "industrial", "eco"}
    assert all("专栏5" in a["source"] for a in areas)
    coded = [a for a in areas if a["unit_code"]]
    # 西部欢乐城: no published location was found, so it keeps no unit and no point
    assert [a["id"] for a in areas if not a["unit_code"]] == ["urban_western_happy_city"]
    assert all(a["unit_code"] in region.county_codes for a in coded)
    assert all(a["lon"] is not None and a["placed_by"] in PLACED_BY for a in coded)
    assert {a["placed_by"] for a in coded} == {"township_point", "unit_seat"}


def test_shipped_scenic_points_follow_their_rule_and_lie_in_their_unit(region: Region) -> None:
    import csv

    from shapely.geometry import Point

    with (region.dataset_path / "network" / "zones.csv").open(encoding="utf-8") as fh:
        zones = {r["zone_id"]: r for r in csv.DictReader(fh)}
    for a in load_scenic_areas(region.dataset_path / "sectors" / "scenic_areas.csv"):
        if a["lon"] is None:
            continue
        code = a["unit_code"]
        assert region.units.geometry.loc[code].contains(Point(a["lon"], a["lat"])), a["id"]
        if a["placed_by"] == "township_point":
            z = zones[a["township_code"]]  # the township point of the dataset's zones
            assert z["code"] == code, a["id"]
            assert (float(z["lon"]), float(z["lat"])) == (a["lon"], a["lat"]), a["id"]
            assert a["location_source"], a["id"]
        else:
            u = region.unit(code)
            assert (u.seat_lon, u.seat_lat) == (a["lon"], a["lat"]), a["id"]


def test_shipped_grades_and_capacities_have_sources(region: Region) -> None:
    areas = load_scenic_areas(region.dataset_path / "sectors" / "scenic_areas.csv")
    for a in areas:
        assert not a["a_level"] or (a["a_level"] in A_LEVELS and a["a_level_source"]), a["id"]
        has_cap = a["capacity_instant"] is not None or a["capacity_daily"] is not None
        assert not has_cap or a["capacity_source"], a["id"]
    caps = registry_capacities(areas)
    assert all(c.source and c.method == "published" for c in caps.values())


def test_shipped_grades_name_a_year_or_say_they_are_secondary(region: Region) -> None:
    import re

    year = re.compile(r"(19|20)\d\d")
    graded = [
        a
        for a in load_scenic_areas(region.dataset_path / "sectors" / "scenic_areas.csv")
        if a["a_level"]
    ]
    assert len(graded) >= 15  # 9 before the issue-20 data pass, 6 added with it
    for a in graded:
        src = str(a["a_level_source"])
        assert year.search(src) or "secondary source" in src, a["id"]
    by_id = {a["id"]: a for a in graded}
    # 邓小平故里 is graded from the 广安 government's own portal, not only from a repost
    assert by_id["red_deng_xiaoping_hometown"]["a_level"] == "5A"
    assert "guang-an.gov.cn" in str(by_id["red_deng_xiaoping_hometown"]["a_level_source"])


def test_registry_rows_are_checked(tmp_path: Path) -> None:
    head = "id,name_zh,name_en,theme,unit_code,township_code,placed_by,lon,lat,location_source,a_level,a_level_source,capacity_instant,capacity_daily,capacity_source\n"
    f = tmp_path / "s.csv"
    f.write_text(
        head
        + "a,甲,A,red,500103,,township_point,106.5,29.5,src,6A,,,,\n"
        + "b,乙,B,red,500103,,,106.5,,,,,-3,100,\n"
        + "c,丙,C,red,,,unit_seat,,,,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        load_scenic_areas(f)
    text = str(err.value)
    for where in (
        ":2:township_code",
        ":2:a_level",
        ":2:a_level_source",
        ":3:lat",
        ":3:placed_by",
        ":3:capacity_instant",
        ":3:capacity_source",
        ":4:placed_by",
    ):
        assert where in text, where
    f.write_text(
        head + "a,甲,A,red,500103,,unit_seat,106.5,29.5,,5A,src,2000,,approval 2024\n",
        encoding="utf-8",
    )
    (row,) = load_scenic_areas(f)
    assert (row["capacity_instant"], row["capacity_daily"]) == (2000.0, None)
    assert registry_capacities([row])["a"].instantaneous == 2000.0
