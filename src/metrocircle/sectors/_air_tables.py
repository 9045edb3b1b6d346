"""Breakpoint tables, categories and confirmation status of HJ 633-2012 and HJ 633-2026.

Every number here is transcribed from a cited source; nothing is derived.

HJ 633-2012 《环境空气质量指数（AQI）技术规定（试行）》, Table 1 (表1 空气质量分指数及对应的
污染物项目浓度限值), MEE PDF W020120410332725219541.pdf, as reproduced in
openaq/aqi-hub ``docs/data/china/breakpoints.csv`` and many independent implementations
(the sequence SO2 24 h "50, 150, 475, 800"); team reference
``anchors-and-standards.md`` §5.1.1.

HJ 633-2026 (in force 2026-03-01), Table 3, as transcribed from the official PDF
(mee.gov.cn .../W020260225366493492011.pdf, p. 3) in OpenMapX/openmapx
``packages/air-quality/src/data/standards/hj633-2026.json`` at commit 103c0951; cross-checked
with caiyunapp/aqi-hub ``src/cn.rs`` and two further public tools; team reference
``aqi-2026-verification.md`` §1 (confidence H).  Only the IAQI-100 breakpoints of PM2.5
(75 -> 60) and PM10 (150 -> 120) changed; every other row equals the 2012 table.

Units: µg/m³, except CO in mg/m³.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = [
    "CATEGORIES",
    "IAQI_LEVELS",
    "STANDARDS",
    "Category",
    "StandardTables",
]

#: The IAQI values at which concentration breakpoints are given (HJ 633 Table 1 first row).
IAQI_LEVELS: Final[tuple[int, ...]] = (0, 50, 100, 150, 200, 300, 400, 500)

_Table = tuple[int, ...]
_Key = tuple[str, str]  # (pollutant, averaging)

# HJ 633-2012 Table 1.  SO2 1 h stops at IAQI 200 (note 2: above 800 µg/m³ the 1-hour IAQI
# is not computed; the 24-hour one is reported).  O3 8 h stops at IAQI 300 (note 3: above
# 800 µg/m³ the 8-hour IAQI is not computed; the 1-hour one is reported).
_HJ633_2012: Final[dict[_Key, _Table]] = {
    ("SO2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("SO2", "1h"): (0, 150, 500, 650, 800),
    ("NO2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("NO2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("PM10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("CO", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("CO", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("O3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("O3", "8h"): (0, 100, 160, 215, 265, 800),
    ("PM2.5", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}

_HJ633_2026: Final[dict[_Key, _Table]] = {
    **_HJ633_2012,
    ("PM10", "24h"): (0, 50, 120, 250, 350, 420, 500, 600),
    ("PM2.5", "24h"): (0, 35, 60, 115, 150, 250, 350, 500),
}


@dataclass(frozen=True, slots=True)
class StandardTables:
    """One edition of HJ 633: its tables, its rules and what of it is confirmed.

    Attributes
    ----------
    code
        ``"HJ633-2012"`` or ``"HJ633-2026"``.
    title
        Full title and clause of the table.
    in_force_from
        ISO date the edition took effect.
    tables
        ``(pollutant, averaging) -> concentration breakpoints`` aligned with
        :data:`IAQI_LEVELS` (µg/m³; CO mg/m³).
    source
        Where the numbers were transcribed from.
    switching_rules_confirmed
        Whether the edition's wording of the SO2 1-h > 800 and O3 8-h > 800 rules is
        confirmed.  For 2026 it is not (``aqi-2026-verification.md`` §1: two
        implementations report a different rule, unverified), so those cases raise.
    """

    code: str
    title: str
    in_force_from: str
    tables: MappingProxyType[_Key, _Table]
    source: str
    switching_rules_confirmed: bool


STANDARDS: Final[MappingProxyType[str, StandardTables]] = MappingProxyType(
    {
        "HJ633-2012": StandardTables(
            code="HJ633-2012",
            title="HJ 633-2012 环境空气质量指数（AQI）技术规定（试行）, 表1",
            in_force_from="2016-01-01",
            tables=MappingProxyType(_HJ633_2012),
            source=(
                "MEE PDF W020120410332725219541.pdf Table 1, via openaq/aqi-hub "
                "docs/data/china/breakpoints.csv (anchors-and-standards.md §5.1.1)"
            ),
            switching_rules_confirmed=True,
        ),
        "HJ633-2026": StandardTables(
            code="HJ633-2026",
            title="HJ 633-2026 环境空气质量指数（AQI）技术规定, 表3",
            in_force_from="2026-03-01",
            tables=MappingProxyType(_HJ633_2026),
            source=(
                "MEE PDF W020260225366493492011.pdf Table 3 p.3, via OpenMapX/openmapx "
                "hj633-2026.json @103c0951, cross-checked with caiyunapp/aqi-hub cn.rs "
                "(aqi-2026-verification.md §1)"
            ),
            switching_rules_confirmed=False,
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Category:
    """An AQI category (空气质量指数类别) of HJ 633 Table 2.

    Attributes
    ----------
    level
        1 (一级) to 6 (六级).
    aqi_low, aqi_high
        Integer AQI range of the category, inclusive (``aqi_high`` is None for 六级).
    name_zh, name_en
        Category name (优 / excellent ... 严重污染 / severe).
    colour_hex
        Publication colour.
    """

    level: int
    aqi_low: int
    aqi_high: int | None
    name_zh: str
    name_en: str
    colour_hex: str


# HJ 633-2012 Table 2; unchanged in 2026 (aqi-2026-verification.md §1, M-H).
CATEGORIES: Final[tuple[Category, ...]] = (
    Category(1, 0, 50, "优", "excellent", "#00E400"),
    Category(2, 51, 100, "良", "good", "#FFFF00"),
    Category(3, 101, 150, "轻度污染", "lightly polluted", "#FF7E00"),
    Category(4, 151, 200, "中度污染", "moderately polluted", "#FF0000"),
    Category(5, 201, 300, "重度污染", "heavily polluted", "#99004C"),
    Category(6, 301, None, "严重污染", "severely polluted", "#7E0023"),
)
