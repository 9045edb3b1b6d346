"""Numbers as people read them: one formatting module for the report, the CLI tables and API display text.

Years have no separator (2025), counts have thousands separators (24,377,261), shares one
decimal (73.9%), units of measure in words (万吨, 亿立方米, 分钟 / 10,000 tonnes, minutes), never
e-notation, and "no data" where a value is missing instead of a made-up figure.

>>> number(19618900.0)
'19,618,900'
>>> number(1.2345)
'1.23'
>>> year(2025.0)
'2025'
>>> percent(73.9234)
'73.9%'
>>> quantity(143.33, "minutes", "zh")
'143.3 分钟'
>>> quantity(None, "minutes", "en")
'no data'
>>> progress(None, "zh")
'暂无数据'
"""

from __future__ import annotations

import math

__all__ = [
    "NO_DATA",
    "UNIT_WORDS",
    "change",
    "direction_words",
    "number",
    "ordinal_goal",
    "percent",
    "progress",
    "quantity",
    "unit_words",
    "year",
]

NO_DATA: dict[str, str] = {"zh": "暂无数据", "en": "no data"}
"""What a missing value reads as, per language."""

UNIT_WORDS: dict[str, tuple[str, str]] = {
    "pct": ("%", "%"),
    "minutes": ("分钟", "minutes"),
    "hours": ("小时", "hours"),
    "km": ("公里", "km"),
    "count": ("个", ""),
    "10k_tonnes": ("万吨", "10,000 tonnes"),
    "100m_m3": ("亿立方米", "100 million cubic metres"),
    "10k_persons": ("万人", "10,000 people"),
    "persons": ("人", "people"),
    "100m_yuan": ("亿元", "100 million yuan"),
    "road_grade": ("级", "grade"),
    "class": ("类", "class"),
    "bool": ("", ""),
    "ugm3": ("微克/立方米", "micrograms per cubic metre"),
    "days": ("天", "days"),
}
"""Unit of measure id → words (Chinese, English) printed after a number."""

_DIRECTION: dict[str, tuple[str, str]] = {
    ">=": ("不低于", "at least"),
    "<=": ("不高于", "at most"),
    "=": ("达到", "equal to"),
}


def _plain(x: float, digits: int) -> str:
    """Fixed-point text of ``x`` with at most ``digits`` decimals, trailing zeros trimmed."""
    s = f"{x:,.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in {"-0", ""} else s


def number(
    x: float | None, *, digits: int | None = None, lang: str = "zh", fixed: bool = False
) -> str:
    """A number with thousands separators and no e-notation; "no data" when missing.

    ``digits`` decimals at most (default: 0 from 1,000 up, 1 from 100, else 2); with
    ``fixed``, exactly ``digits`` (a table column reads 136.0 beside 58.9, not 136).

    >>> number(136.0, digits=1), number(136.0, digits=1, fixed=True)
    ('136', '136.0')

    >>> number(0.000012)
    '0'
    >>> number(-0.004)
    '0'
    >>> number(1500.4)
    '1,500'
    >>> number(float("nan"), lang="en")
    'no data'
    """
    if x is None or not math.isfinite(float(x)):
        return NO_DATA[lang]
    v = float(x)
    if digits is None:
        a = abs(v)
        digits = 0 if a >= 1000 else 1 if a >= 100 else 2
    if fixed:
        out = f"{v:,.{digits}f}"
        return out.lstrip("-") if float(out.replace(",", "")) == 0 else out
    return _plain(v, digits)


def year(y: float | None, *, lang: str = "zh") -> str:
    """A year without a thousands separator (``2025``)."""
    if y is None or (isinstance(y, float) and not math.isfinite(y)):
        return NO_DATA[lang]
    return str(int(y))


def percent(x: float | None, *, digits: int = 1, lang: str = "zh") -> str:
    """A percentage (``x`` already in percent) with one decimal: ``73.9%``."""
    if x is None or not math.isfinite(float(x)):
        return NO_DATA[lang]
    s = f"{float(x):,.{digits}f}"
    return f"{'0.0' if s in {'-0.0', '-0'} else s}%"


def unit_words(unit: str, lang: str) -> str:
    """The unit of measure in words (``万吨`` / ``10,000 tonnes``); the id itself if unknown."""
    zh, en = UNIT_WORDS.get(unit, (unit, unit))
    return zh if lang == "zh" else en


_SINGULAR: dict[str, str] = {
    "minutes": "minute",
    "hours": "hour",
    "days": "day",
    "people": "person",
}
"""English unit words that take the singular after exactly 1."""

_EN_SCALE: dict[str, tuple[float, str]] = {
    "100m_yuan": (0.1, "billion yuan"),
    "10k_persons": (0.01, "million people"),
    "10k_tonnes": (0.01, "million tonnes"),
    "100m_m3": (0.1, "billion cubic metres"),
}
"""Chinese myriad units (万, 亿) as English writes them: 1,403 亿元 = 140.3 billion yuan."""


def _en_digits(v: float) -> int:
    """Decimals of a rescaled English amount: one, or two below 10 (2.12 million)."""
    return 2 if abs(v) < 10 else 1


_ROMAN = ("", "I", "II", "III", "IV", "V", "VI")
_ZH_ORDINAL = ("", "一", "二", "三", "四", "五", "六")


def _ordinal(x: float, unit: str, lang: str) -> str | None:
    """Grades and classes as they are written: 二级 / grade II, Ⅱ类 / Class II.

    Highway technical grades (《公路工程技术标准》 JTG B01: 一级…四级) and surface-water
    classes (GB 3838-2002: Ⅰ…Ⅴ类, 6 = worse than V, 劣Ⅴ类) are ordinals, not amounts.
    """
    n = round(float(x))
    if abs(float(x) - n) > 1e-9 or not 1 <= n <= 6:
        return None
    if unit == "road_grade" and n <= 5:
        return f"{_ZH_ORDINAL[n]}级" if lang == "zh" else f"grade {_ROMAN[n]}"
    if unit == "class":
        if n == 6:
            return "劣Ⅴ类" if lang == "zh" else "worse than Class V"
        zh_roman = "ⅠⅡⅢⅣⅤ"[n - 1]
        return f"{zh_roman}类" if lang == "zh" else f"Class {_ROMAN[n]}"
    return None


def quantity(x: float | None, unit: str, lang: str, *, digits: int | None = None) -> str:
    """A value with its unit of measure in words; "no data" when missing.

    >>> quantity(80, "pct", "en")
    '80.0%'
    >>> quantity(400, "10k_tonnes", "zh")
    '400 万吨'
    >>> quantity(1, "bool", "zh")
    '是'
    >>> quantity(1, "hours", "en"), quantity(1.28, "hours", "en")
    ('1 hour', '1.28 hours')
    >>> quantity(2, "road_grade", "zh"), quantity(2, "road_grade", "en")
    ('二级', 'grade II')
    >>> quantity(3, "class", "zh"), quantity(6, "class", "en")
    ('Ⅲ类', 'worse than Class V')
    >>> quantity(164, "count", "en"), quantity(164, "count", "zh")
    ('164', '164 个')
    >>> quantity(1403.2, "100m_yuan", "en"), quantity(400, "10k_tonnes", "en")
    ('140.3 billion yuan', '4 million tonnes')
    """
    if x is None or not math.isfinite(float(x)):
        return NO_DATA[lang]
    if unit == "pct":
        return percent(x, lang=lang)
    if unit == "bool":
        yes = float(x) >= 0.5
        return ("是" if yes else "否") if lang == "zh" else ("yes" if yes else "no")
    if unit in ("road_grade", "class"):
        ordinal = _ordinal(float(x), unit, lang)
        if ordinal is not None:
            return ordinal
    if lang != "zh" and unit in _EN_SCALE:
        factor, words = _EN_SCALE[unit]
        v = float(x) * factor
        return f"{number(v, digits=digits if digits is not None else _en_digits(v), lang=lang)} {words}"
    words = unit_words(unit, lang)
    text = number(x, digits=digits, lang=lang)
    if lang != "zh" and text == "1":
        words = _SINGULAR.get(words, words)
    return f"{text} {words}".strip()


def change(x: float | None, unit: str, lang: str) -> str:
    """A yearly change with its sign and unit: ``+1.2 个百分点/年`` / ``+1.2 points a year``.

    >>> change(1.224, "pct", "zh")
    '+1.2 个百分点/年'
    >>> change(-0.27, "minutes", "en")
    '-0.27 minutes a year'
    >>> change(85, "100m_yuan", "en")
    '+8.5 billion yuan a year'
    """
    if x is None or not math.isfinite(float(x)):
        return NO_DATA[lang]
    v = float(x)
    if unit == "pct":
        body = f"{v:+.1f}"
        return f"{body} 个百分点/年" if lang == "zh" else f"{body} points a year"
    words = unit_words(unit, lang)
    if lang != "zh" and unit in _EN_SCALE:
        factor, words = _EN_SCALE[unit]
        v *= factor
    body = number(v)
    if v > 0:
        body = "+" + body
    return f"{body} {words}/年" if lang == "zh" else f"{body} {words} a year"


def progress(p: float | None, lang: str) -> str:
    """Progress (a fraction, 1 = target) as a percentage with one decimal; "no data" when unknown."""
    if p is None or not math.isfinite(p):
        return NO_DATA[lang]
    return percent(100 * p, lang=lang)


def ordinal_goal(direction: str, x: float | None, unit: str, lang: str) -> str | None:
    """A goal on a grade or class, as plans write it; ``None`` for other units.

    Grade and class numbers run from best (1) to worst, so "at most 2" reads 二级及以上.

    >>> ordinal_goal("<=", 2, "road_grade", "zh"), ordinal_goal("<=", 3, "class", "en")
    ('二级及以上', 'Class III or better')
    >>> ordinal_goal("<=", 80, "pct", "zh") is None
    True
    """
    if unit not in ("road_grade", "class") or x is None or direction != "<=":
        return None
    q = _ordinal(float(x), unit, lang)
    if q is None:
        return None
    return f"{q}及以上" if lang == "zh" else f"{q} or better"


def direction_words(direction: str, lang: str) -> str:
    """``>=`` → 不低于 / at least; ``<=`` → 不高于 / at most; ``=`` → 达到 / equal to."""
    zh, en = _DIRECTION.get(direction, (direction, direction))
    return zh if lang == "zh" else en
