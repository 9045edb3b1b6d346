"""GB 3838-2002 Table 1 limits (地表水环境质量标准基本项目标准限值), classes I–V.

Source: GB 3838-2002 Table 1, as reproduced in the C# ``Silence.SurfaceWater``
``QualityStandardV2002`` and the web reproductions at g230.com and r-can.com.cn (identical
values); team reference ``anchors-and-standards.md`` §5.2.  mg/L unless stated.

Kinds: ``max`` — the value must not exceed the limit; ``min`` — dissolved oxygen, the value
must be at least the limit; ``range`` — pH, 6–9 for every class.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = ["CLASS_LABELS", "EVALUATED", "NOT_EVALUATED", "PARAMETERS", "Parameter"]

#: Class labels; index 0..5 = I, II, III, IV, V, 劣V.
CLASS_LABELS: Final[tuple[str, ...]] = ("I", "II", "III", "IV", "V", "劣V")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One item of GB 3838-2002 Table 1.

    Attributes
    ----------
    key, name_zh, name_en, unit
        Identifier, names and unit of measure.
    kind
        ``"max"``, ``"min"`` or ``"range"``.
    limits
        Limits of classes I–V (for ``range``: the (low, high) pair, the same for all classes).
    lake_limits
        Limits for lakes and reservoirs where they differ (total phosphorus), else None.
    table_item
        Item number in Table 1.
    """

    key: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    limits: tuple[float, ...]
    lake_limits: tuple[float, ...] | None
    table_item: int


_P = Parameter
PARAMETERS: Final[MappingProxyType[str, Parameter]] = MappingProxyType(
    {
        p.key: p
        for p in (
            _P("ph", "pH", "pH", "dimensionless", "range", (6.0, 9.0), None, 2),
            _P("do", "溶解氧", "dissolved oxygen", "mg/L", "min", (7.5, 6, 5, 3, 2), None, 3),
            _P("codmn", "高锰酸盐指数", "permanganate index", "mg/L", "max", (2, 4, 6, 10, 15), None, 4),
            _P("cod", "化学需氧量", "chemical oxygen demand", "mg/L", "max", (15, 15, 20, 30, 40), None, 5),
            _P("bod5", "五日生化需氧量", "BOD5", "mg/L", "max", (3, 3, 4, 6, 10), None, 6),
            _P("nh3_n", "氨氮", "ammonia nitrogen", "mg/L", "max", (0.15, 0.5, 1.0, 1.5, 2.0), None, 7),
            _P(
                "tp", "总磷", "total phosphorus", "mg/L", "max",
                (0.02, 0.1, 0.2, 0.3, 0.4), (0.01, 0.025, 0.05, 0.1, 0.2), 8,
            ),
            _P("tn", "总氮", "total nitrogen (lakes, reservoirs)", "mg/L", "max", (0.2, 0.5, 1.0, 1.5, 2.0), None, 9),
            _P("cu", "铜", "copper", "mg/L", "max", (0.01, 1.0, 1.0, 1.0, 1.0), None, 10),
            _P("zn", "锌", "zinc", "mg/L", "max", (0.05, 1.0, 1.0, 2.0, 2.0), None, 11),
            _P("fluoride", "氟化物", "fluoride", "mg/L", "max", (1.0, 1.0, 1.0, 1.5, 1.5), None, 12),
            _P("se", "硒", "selenium", "mg/L", "max", (0.01, 0.01, 0.01, 0.02, 0.02), None, 13),
            _P("as", "砷", "arsenic", "mg/L", "max", (0.05, 0.05, 0.05, 0.1, 0.1), None, 14),
            _P("hg", "汞", "mercury", "mg/L", "max", (0.00005, 0.00005, 0.0001, 0.001, 0.001), None, 15),
            _P("cd", "镉", "cadmium", "mg/L", "max", (0.001, 0.005, 0.005, 0.005, 0.01), None, 16),
            _P("cr6", "铬（六价）", "chromium (VI)", "mg/L", "max", (0.01, 0.05, 0.05, 0.05, 0.1), None, 17),
            _P("pb", "铅", "lead", "mg/L", "max", (0.01, 0.01, 0.05, 0.05, 0.1), None, 18),
            _P("cyanide", "氰化物", "cyanide", "mg/L", "max", (0.005, 0.05, 0.2, 0.2, 0.2), None, 19),
            _P("volatile_phenol", "挥发酚", "volatile phenol", "mg/L", "max", (0.002, 0.002, 0.005, 0.01, 0.1), None, 20),
            _P("petroleum", "石油类", "petroleum", "mg/L", "max", (0.05, 0.05, 0.05, 0.5, 1.0), None, 21),
            _P("las", "阴离子表面活性剂", "anionic surfactant", "mg/L", "max", (0.2, 0.2, 0.2, 0.3, 0.3), None, 22),
            _P("sulfide", "硫化物", "sulfide", "mg/L", "max", (0.05, 0.1, 0.2, 0.5, 1.0), None, 23),
            _P(
                "faecal_coliform", "粪大肠菌群", "faecal coliforms", "count/L", "max",
                (200, 2000, 10000, 20000, 40000), None, 24,
            ),
        )
    }
)  # fmt: skip

#: Items outside the section class (环办〔2011〕22号《地表水环境质量评价办法（试行）》: water
#: temperature, total nitrogen and faecal coliforms are not evaluated; lakes' TN goes to the
#: trophic-state evaluation).  They are still classified one by one on request.
NOT_EVALUATED: Final[frozenset[str]] = frozenset({"tn", "faecal_coliform"})

#: The 21 items that set a section's class by the single-factor method.
EVALUATED: Final[tuple[str, ...]] = tuple(k for k in PARAMETERS if k not in NOT_EVALUATED)
