"""Joint heavy-pollution episodes: grouping by neighbours and days, tier grading, adjacency."""

from __future__ import annotations

import pytest

from metrocircle._errors import DataValidationError
from metrocircle.region import Region
from metrocircle.sectors.air_warning import (
    adjacency_from_units,
    current_air_warnings,
    detect_episodes,
    load_warning_rules,
)

# A - B - C in a chain, D isolated
ADJ = {"A": {"B"}, "B": {"A", "C"}, "C": {"B"}, "D": set()}


def _days(series: dict[str, list[float]], start: int = 1) -> list[tuple[str, str, float | None]]:
    return [
        (u, f"2025-01-{start + i:02d}", v) for u, vals in series.items() for i, v in enumerate(vals)
    ]


def test_rules_file() -> None:
    r = load_warning_rules()
    assert (r.heavy_aqi_above, r.severe_aqi_above, r.extreme_aqi_at_least, r.min_units) == (
        200,
        300,
        500,
        2,
    )
    assert [t.id for t in r.tiers] == ["red", "orange", "yellow", "blue"]


def test_isolated_heavy_unit_is_not_joint() -> None:
    assert (
        detect_episodes(
            _days({"A": [250, 250], "C": [250, 250], "D": [400, 400], "B": [90, 90]}), ADJ
        )
        == []
    )


@pytest.mark.parametrize(
    ("a", "b", "tier"),
    [
        ([201], [201], "blue"),
        ([201, 210], [201, 205], "yellow"),
        ([201, 210, 301], [205, 205, 205], "orange"),  # A: 3 days, one > 300
        ([201, 210, 250], [205, 205, 205], "yellow"),  # 3 days but none > 300
        ([301, 301, 250, 250], [205, 205, 205, 205], "red"),  # A: 4 days, two > 300
        ([500], [205], "red"),  # AQI 500 on a day
        ([200], [300], None),  # 200 is not heavy (> 200 needed): no episode at all
    ],
)
def test_tiers(a: list[float], b: list[float], tier: str | None) -> None:
    eps = detect_episodes(_days({"A": a, "B": b}), ADJ)
    if tier is None:
        assert eps == []
        return
    assert len(eps) == 1
    assert eps[0].tier == tier


def test_episode_spans_days_through_shared_units() -> None:
    days = _days({"A": [250, 250, 90, 90], "B": [250, 250, 250, 90], "C": [90, 90, 250, 90]})
    eps = detect_episodes(days, ADJ)
    assert len(eps) == 1
    e = eps[0]
    assert (e.start, e.end, e.dates) == (
        "2025-01-01",
        "2025-01-03",
        ("2025-01-01", "2025-01-02", "2025-01-03"),
    )
    assert [u["unit"] for u in e.units] == ["A", "B", "C"]
    assert {u["unit"]: u["run_days"] for u in e.units} == {"A": 2, "B": 3, "C": 1}
    assert e.tier == "yellow" and not e.ongoing


def test_gap_day_splits_episodes_and_current_warnings() -> None:
    days = _days({"A": [250, 90, 250], "B": [250, 90, 250]})
    eps = detect_episodes(days, ADJ)
    assert [(e.start, e.end) for e in eps] == [
        ("2025-01-01", "2025-01-01"),
        ("2025-01-03", "2025-01-03"),
    ]
    cur = current_air_warnings(days, ADJ)
    assert [(e.start, e.ongoing) for e in cur] == [("2025-01-03", True)]


def test_invalid_days_are_skipped_and_errors_named() -> None:
    assert detect_episodes([("A", "2025-01-01", None), ("B", "2025-01-01", 300)], ADJ) == []
    with pytest.raises(DataValidationError, match="ISO date"):
        detect_episodes([("A", "01/01/2025", 250)], ADJ)
    with pytest.raises(DataValidationError, match="twice"):
        detect_episodes([("A", "2025-01-01", 250), ("A", "2025-01-01", 260)], ADJ)


def test_adjacency_of_the_region(region: Region) -> None:
    adj = adjacency_from_units(region.units.loc[list(region.county_codes)])
    assert adj["500103"] == {"500105", "500106", "500107", "500108"}  # 渝中区
    assert "511623" in adj["500112"] and "500112" in adj["511623"]  # 渝北—邻水 (川渝高竹新区)
    assert "500153" not in adj["500103"]
    assert all(u in adj[v] for u, vs in adj.items() for v in vs)
