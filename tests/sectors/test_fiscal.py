"""Revenue-sharing ledger: a hand-computed example, validation, and exact splitting properties."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle._errors import DataValidationError
from metrocircle.region import Region
from metrocircle.sectors.fiscal import (
    LedgerEntry,
    load_shared_areas,
    parse_shares,
    read_ledger,
    split_increment,
    split_ledger,
)

D = Decimal
HALF = {"500112": D("0.5"), "511623": D("0.5")}


def _e(item: str, year: int, j: str, amount: str) -> LedgerEntry:
    return LedgerEntry("chuanyu_gaozhu", item, year, j, D(amount))


LEDGER = [
    _e("tax", 2020, "500112", "100.00"),
    _e("tax", 2020, "511623", "60.00"),
    _e("tax", 2021, "500112", "130.00"),
    _e("tax", 2021, "511623", "75.50"),
    _e("tax", 2022, "500112", "90.00"),
    _e("tax", 2022, "511623", "100.01"),
]


def test_hand_computed_example() -> None:
    # 2021: base total 160.00, total 205.50, increment 45.50 -> 22.75 each;
    #       渝北 100.00 + 22.75 = 122.75 (pays 7.25), 邻水 60.00 + 22.75 = 82.75 (receives 7.25).
    # 2022: total 190.01, increment 30.01 -> 15.005 each -> 15.01 / 15.00 (largest remainder, tie
    #       to the first jurisdiction); 渝北 115.01 (receives 25.01), 邻水 75.00 (pays 25.01).
    out = {(a.year, a.jurisdiction): a for a in split_ledger(LEDGER, base_year=2020, shares=HALF)}
    a, b = out[(2021, "500112")], out[(2021, "511623")]
    assert (a.increment_total, a.increment_share, a.allocated, a.transfer) == (
        D("45.50"),
        D("22.75"),
        D("122.75"),
        D("-7.25"),
    )
    assert (b.stock, b.allocated, b.transfer) == (D("60.00"), D("82.75"), D("7.25"))
    c, d = out[(2022, "500112")], out[(2022, "511623")]
    assert (c.increment_share, d.increment_share) == (D("15.01"), D("15.00"))
    assert (c.allocated, d.allocated) == (D("115.01"), D("75.00"))
    assert c.transfer == D("25.01") and d.transfer == D("-25.01")
    assert len(out) == 4  # the base year itself is not split


def test_other_shares_and_statistics() -> None:
    gdp = [
        _e("gdp", 2020, "500112", "10"),
        _e("gdp", 2020, "511623", "10"),
        _e("gdp", 2021, "500112", "30"),
        _e("gdp", 2021, "511623", "10"),
    ]
    out = split_ledger(
        gdp, base_year=2020, shares={"500112": D("0.6"), "511623": D("0.4")}, decimals=0
    )
    assert [(a.jurisdiction, a.allocated) for a in out] == [
        ("500112", D("22")),
        ("511623", D("18")),
    ]


@pytest.mark.parametrize(
    ("entries", "shares", "match"),
    [
        (
            [*LEDGER[:2], _e("tax", 2021, "500112", "50"), _e("tax", 2021, "511623", "50")],
            HALF,
            "negative increment",
        ),
        (LEDGER[:2] + LEDGER[4:], HALF, r"missing year\(s\) \[2021\]"),
        (LEDGER[:3], HALF, r"no value for \['511623'\]"),
        ([*LEDGER, _e("tax", 2021, "500109", "1")], HALF, "500109"),
        (LEDGER[2:], HALF, "base year 2020 missing"),
        ([*LEDGER, _e("tax", 2021, "500112", "1")], HALF, "given twice"),
        ([*LEDGER[:5], _e("tax", 2022, "511623", "-1")], HALF, "negative amount"),
        (LEDGER, {"500112": D("0.5"), "511623": D("0.6")}, "sum to exactly 1"),
        (LEDGER, {"500112": D("1")}, "at least two"),
        (LEDGER, {"500112": D("1.5"), "511623": D("-0.5")}, ">= 0"),
        (
            [_e("tax", 2019, "500112", "1"), _e("tax", 2019, "511623", "1"), *LEDGER],
            HALF,
            "before the base year",
        ),
        ([*LEDGER[:3], _e("tax", 2021, "511623", "75.505")], HALF, "decimal places"),
    ],
)
def test_invalid_ledgers(
    entries: list[LedgerEntry], shares: dict[str, Decimal], match: str
) -> None:
    with pytest.raises(DataValidationError, match=match):
        split_ledger(entries, base_year=2020, shares=shares)


def test_empty_and_mixed_areas() -> None:
    with pytest.raises(DataValidationError, match="empty"):
        split_ledger([], base_year=2020, shares=HALF)
    other = LedgerEntry("x", "tax", 2020, "500112", D(1))
    with pytest.raises(DataValidationError, match="one area"):
        split_ledger([*LEDGER, other], base_year=2020, shares=HALF)


def test_read_ledger(tmp_path: Path) -> None:
    p = tmp_path / "l.csv"
    p.write_text(
        "area_id,item,year,jurisdiction,amount\nchuanyu_gaozhu,tax,2020,500112,1.5\n",
        encoding="utf-8",
    )
    assert read_ledger(p)[0].amount == D("1.5")
    p.write_text(
        "area_id,item,year,jurisdiction,amount\na,tax,20x0,500112,1\na,tax,2020,500112,abc\n",
        encoding="utf-8",
    )
    with pytest.raises(DataValidationError) as err:
        read_ledger(p)
    assert ":2:year" in str(err.value) and ":3:amount" in str(err.value)
    p.write_text("area_id,item,year\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="missing column"):
        read_ledger(p)


def test_parse_shares() -> None:
    assert parse_shares("500112=0.5,511623=0.5") == HALF
    with pytest.raises(DataValidationError, match="CODE=SHARE"):
        parse_shares("500112:0.5")
    with pytest.raises(DataValidationError, match="not a decimal"):
        parse_shares("500112=x,511623=0.5")


def test_shipped_shared_area(region: Region) -> None:
    areas = load_shared_areas(region.dataset_path / "sectors" / "shared_areas.toml")
    gz = areas["chuanyu_gaozhu"]
    assert gz.shares == HALF
    assert gz.names_zh == {"500112": "渝北区", "511623": "邻水县"}
    assert set(gz.shares) <= set(region.unit_codes)


_amount = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@settings(deadline=None)
@given(
    st.lists(st.decimals(min_value=0, max_value=1, places=3), min_size=2, max_size=5),
    st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False),
)
def test_split_parts_sum_to_increment(raw: list[Decimal], inc: Decimal) -> None:
    total = sum(raw, D(0))
    if total == 0:
        return
    shares = {f"5001{i:02d}": r / total for i, r in enumerate(raw)}
    # make the shares sum to exactly 1
    last = list(shares)[-1]
    shares[last] = D(1) - sum((v for k, v in shares.items() if k != last), D(0))
    if shares[last] < 0:
        return
    parts = split_increment(inc, shares)
    assert sum(parts.values(), D(0)) == inc
    assert all(abs(parts[j] - inc * shares[j]) < D("0.01") for j in shares)


@settings(deadline=None)
@given(
    st.lists(st.tuples(_amount, _amount), min_size=2, max_size=6),
    st.sampled_from([D("0.5"), D("0.3"), D("0.77")]),
)
def test_ledger_allocations_sum_to_collected(
    years: list[tuple[Decimal, Decimal]], s: Decimal
) -> None:
    base = years[0]
    entries = [_e("tax", 2020, "500112", str(base[0])), _e("tax", 2020, "511623", str(base[1]))]
    for k, (a, b) in enumerate(years[1:], start=1):
        # keep every later total at or above the base total
        a2 = a + base[0] + base[1]
        entries += [_e("tax", 2020 + k, "500112", str(a2)), _e("tax", 2020 + k, "511623", str(b))]
    out = split_ledger(entries, base_year=2020, shares={"500112": s, "511623": 1 - s})
    for y in range(2021, 2020 + len(years)):
        ys = [a for a in out if a.year == y]
        assert sum(a.allocated for a in ys) == sum(a.collected for a in ys)
        assert sum(a.increment_share for a in ys) == ys[0].increment_total
        assert sum(a.transfer for a in ys) == 0
