"""LB/T 034-2014 capacity formulas, warning-tier edges, visitor-count import, current warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrocircle._errors import DataValidationError
from metrocircle.region import Region
from metrocircle.sectors.tourism import (
    Capacity,
    VisitorCount,
    current_warnings,
    gate_capacity,
    load_capacities,
    load_scenic_areas,
    load_tiers,
    read_visitor_counts,
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
    assert all(a["lon"] is None for a in areas)  # no sourced coordinates shipped
    coded = [a for a in areas if a["unit_code"]]
    assert len(coded) == 17  # heritage 5, industrial 4, eco 8 carry a district in their name
    assert all(a["unit_code"] in region.unit_codes for a in coded)
    assert all("专栏5" in a["source"] for a in areas)
