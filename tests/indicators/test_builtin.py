"""The built-in computed indicators: census population and urbanisation of the area and its groups."""

from __future__ import annotations

import dataclasses

import pytest

from metrocircle.indicators.builtin import group_members
from metrocircle.indicators.registry import ComputeContext, compute, list_indicators
from metrocircle.region import Region, load_region


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region("chongqing")


def _by_scope(indicator: str, region: Region) -> dict[str, float | None]:
    return {v.scope: v.value for v in compute(indicator, ComputeContext(region))}


def test_registered() -> None:
    ids = {s.id for s in list_indicators()}
    assert {"region.population", "region.urbanisation_rate"} <= ids


def test_region_totals_match_unit_sums(region: Region) -> None:
    units = region.units[region.units["level"] != "prefecture"]
    pop = _by_scope("region.population", region)
    urb = _by_scope("region.urbanisation_rate", region)
    assert pop["region"] == pytest.approx(units["population_2020"].sum() / 10_000)
    expected = 100 * units["urban_population_2020"].sum() / units["population_2020"].sum()
    assert urb["region"] == pytest.approx(expected)
    # the plan's chapter 1 speaks of "74 %" in 2020; the census sum is 73.9 %
    assert urb["region"] == pytest.approx(73.92, abs=0.01)


def test_groups(region: Region) -> None:
    groups = group_members(region)
    assert set(groups["group:core"]) == set(region.role_members("core"))
    assert set(groups["511600"]) == set(region.children("511600"))
    pop = _by_scope("region.population", region)
    urb = _by_scope("region.urbanisation_rate", region)
    for scope in (
        "group:core",
        "group:strategic_pivot",
        "group:bridgehead",
        "group:integration_pioneer",
        "511600",
    ):
        members = groups[scope]
        p = sum(region.unit(c).population_2020 or 0 for c in members)
        u = sum(region.unit(c).urban_population_2020 or 0 for c in members)
        assert pop[scope] == pytest.approx(p / 10_000)
        assert urb[scope] == pytest.approx(100 * u / p)
    # Guang'an's children add up to the prefecture's own census total
    assert pop["511600"] == pytest.approx((region.unit("511600").population_2020 or 0) / 10_000)


def test_provenance_and_missing_data(region: Region) -> None:
    vals = compute("region.population", ComputeContext(region))
    assert all(v.provenance["data_version"] == region.data_version for v in vals)
    assert all("model" in v.provenance for v in vals)
    rows = dict(region._unit_rows)
    rows["511621"] = rows["511621"].model_copy(update={"population_2020": None})
    broken = dataclasses.replace(region, _unit_rows=rows)
    out = {v.scope: v for v in compute("region.population", ComputeContext(broken))}
    assert out["511600"].value is None
    assert "511621.population_2020" in out["511600"].provenance["needs"]
    assert out["region"].value is None
    assert out["group:core"].value is not None
