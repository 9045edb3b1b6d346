"""sectors.results: the checks a batch of visitor counts passes before it is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from metrocircle._errors import DataValidationError, PermissionDeniedError
from metrocircle.data import get_path
from metrocircle.sectors.results import CheckedCount, check_visitor_counts

ROOT = get_path("chongqing")
NOW = datetime(2025, 10, 1, 4, 0, tzinfo=UTC)  # 12:00 in Chongqing
# urban_hongyadong (洪崖洞) lies in 500103 and carries a published daily capacity


@dataclass(frozen=True)
class Who:
    name: str
    role: str
    units: frozenset[str]
    can_submit: bool = True
    is_admin: bool = False


def _check(
    who: Who, counts: list[tuple[str, str, int | None, int | None]]
) -> tuple[CheckedCount, ...]:
    return check_visitor_counts(
        ROOT,
        counts,
        reporter=who,
        timezone="Asia/Shanghai",
        max_clock_skew_seconds=300,
        now=NOW,
    )


def test_officer_of_the_unit_may_report_and_local_time_is_converted() -> None:
    (c,) = _check(
        Who("yz", "officer", frozenset({"500103"})),
        [("urban_hongyadong", "2025-10-01T11:00", None, 100)],
    )
    assert c.time == "2025-10-01T11:00"
    assert c.observed_at == datetime(2025, 10, 1, 3, 0, tzinfo=UTC)


def test_officer_of_another_unit_is_refused_per_count() -> None:
    with pytest.raises(PermissionDeniedError, match="outside the units of 'bs'") as exc:
        _check(
            Who("bs", "officer", frozenset({"500120"})),
            [("urban_hongyadong", "2025-10-01T11:00", 5, None)],
        )
    assert [p.row for p in exc.value.problems] == [0]


def test_a_viewer_may_not_report() -> None:
    with pytest.raises(PermissionDeniedError, match="has role 'viewer'"):
        _check(
            Who("v", "viewer", frozenset(), can_submit=False),
            [("urban_hongyadong", "2025-10-01T11:00", 5, None)],
        )


@pytest.mark.parametrize(
    ("count", "field", "message"),
    [
        (("nowhere", "2025-10-01T11:00", 5, None), "scenic_id", "unknown scenic area"),
        (("urban_guangyang_island", "2025-10-01T11:00", 5, None), "scenic_id", "no capacity"),
        (("urban_hongyadong", "2025-10-01T11:00", None, None), "in_park", "give in_park"),
        (("urban_hongyadong", "yesterday", 5, None), "time", "not a date-time"),
        (("urban_hongyadong", "2025-10-01T12:06", 5, None), "time", "in the future"),
    ],
)
def test_bad_counts_are_named(
    count: tuple[str, str, int | None, int | None], field: str, message: str
) -> None:
    admin = Who("root", "admin", frozenset(), is_admin=True)
    with pytest.raises(DataValidationError) as exc:
        _check(admin, [("urban_hongyadong", "2025-10-01T11:00", 5, None), count])
    assert [(p.row, p.field) for p in exc.value.problems] == [(1, field)]
    assert message in exc.value.problems[0].message
