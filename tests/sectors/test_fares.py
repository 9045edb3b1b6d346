"""Fares: the published rail-transit bands, the one-hour transfer, integrated schemes, by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrocircle._errors import DataValidationError
from metrocircle.sectors.fares import FareLeg, FareRules, band_fare, load_fare_rules, trip_fare


@pytest.fixture(scope="module")
def rules() -> FareRules:
    return load_fare_rules()


@pytest.mark.parametrize(
    ("km", "base"),
    [(0.5, 2), (6.0, 2), (6.01, 3), (11.0, 3), (17.0, 4), (24.0, 5), (32.0, 6), (41.0, 7)],
)
def test_rail_bands_as_published(rules: FareRules, km: float, base: int) -> None:
    rail = rules.system_for("metro")
    assert rail is not None and rail.id == "cq_rail_transit"
    assert rail.fare(km) == pytest.approx(base * 0.9)


def test_rail_cap_of_seven_yuan(rules: FareRules) -> None:
    rail = rules.system_for("metro")
    assert band_fare(63.1, rail.band_upper_km, rail.band_fare_yuan) == 10.0
    assert rail.fare(63.1) == pytest.approx(6.3)  # capped at 7, then 9折
    assert rail.fare(45.0) == pytest.approx(6.3)  # band 8 元, capped at 7


def test_rail_then_bus_within_the_hour_by_hand(rules: FareRules) -> None:
    # 8 km on rail transit: 3 元 × 0.9 = 2.70; the bus (2 元) within 60 min: discount
    # min(2.00, 2.70, 2.00) = 2.00, so the bus costs nothing.  Total 2.70 元.
    f = trip_fare(
        [FareLeg("metro", "轨道1号线", 8.0, 18.0), FareLeg("bus", "公交", 4.0, 12.0)], rules
    )
    assert f.separate == pytest.approx(2.70)
    assert [leg["fare_yuan"] for leg in f.legs] == [pytest.approx(2.70), 0.0]


def test_bus_then_long_rail_by_hand(rules: FareRules) -> None:
    # bus 2.00; rail 30 km: 6 元 × 0.9 = 5.40, less min(5.40, 2.00, 2.00) = 3.40.  Total 5.40.
    f = trip_fare(
        [FareLeg("bus", "公交", 4.0, 15.0), FareLeg("suburban", "江跳线", 30.0, 35.0)], rules
    )
    assert f.separate == pytest.approx(5.40)


def test_no_transfer_discount_after_the_hour(rules: FareRules) -> None:
    f = trip_fare([FareLeg("bus", "公交", 20.0, 70.0), FareLeg("metro", "轨道", 8.0, 15.0)], rules)
    assert f.separate == pytest.approx(2.0 + 2.7)


def test_one_gate_for_consecutive_rail_legs(rules: FareRules) -> None:
    f = trip_fare(
        [FareLeg("metro", "2号线", 5.0, 10.0), FareLeg("metro", "3号线", 4.0, 8.0)], rules
    )
    assert f.separate == pytest.approx(2.7)  # 9 km in one paid area: 3 元 × 0.9
    assert len(f.legs) == 1


def test_railway_leg_without_published_fare_is_no_data(rules: FareRules) -> None:
    f = trip_fare(
        [FareLeg("high_speed", "成渝高铁", 60.0, 25.0), FareLeg("metro", "轨道", 8.0, 15.0)],
        rules,
    )
    assert f.separate is None
    assert f.unpriced_legs == ("成渝高铁",)
    # the integrated scheme prices all 68 km on the rail bands (10 元, no cap) × 0.9
    assert f.integrated["one_ticket_distance"] == pytest.approx(9.0)
    doc = f.to_dict()
    assert doc["fare_yuan"] == {"separate": None, "integrated": pytest.approx(9.0)}
    assert doc["monthly_yuan"]["separate"] is None


def test_monthly_and_generalised(rules: FareRules) -> None:
    f = trip_fare([FareLeg("metro", "轨道", 8.0, 20.0)], rules, access_minutes=10.0)
    doc = f.to_dict()
    assert doc["minutes"] == 30.0
    assert doc["monthly_yuan"]["separate"] == pytest.approx(2.7 * 2 * 22)
    assert doc["generalised_minutes"] == pytest.approx(30.0 + 2.7 / 0.38, abs=0.05)


def test_bad_rules_named(tmp_path: Path) -> None:
    p = tmp_path / "fares.toml"
    p.write_text(
        """
[parameters]
working_days_per_month = 22
value_of_time_yuan_per_min = 0.38
[[systems]]
id = "x"
name_zh = "x"
kind = "distance_bands"
band_upper_km = [6.0, 5.0]
band_fare_yuan = [2.0, 3.0]
""",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        load_fare_rules(p)
    fields = {q.field for q in err.value.problems}
    assert "systems[0].band_fare_yuan" in fields
    assert "systems[0].source" in fields
    assert "parameters.why_working_days_per_month" in fields
