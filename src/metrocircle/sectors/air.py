"""Air quality index per HJ 633: IAQI, real-time (hourly) and daily AQI, primary pollutant, category.

Every result carries the edition of the standard it was computed under (``HJ633-2012`` or
``HJ633-2026``).  Arithmetic is exact (rational numbers); the published IAQI and AQI are
rounded *up* to integers, as HJ 633-2026 §4.2.6 states ("计算结果应全部向上进位取整数") and
as CNEMC publishes under HJ 633-2012 (reproduced exactly for the 41 stations of
``air_stations.csv`` in the tests).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

from metrocircle._errors import DataValidationError, MetrocircleError, Problem
from metrocircle.sectors._air_tables import CATEGORIES, IAQI_LEVELS, STANDARDS, Category

__all__ = [
    "DAILY_ITEMS",
    "HOURLY_ITEMS",
    "STANDARD_VERSIONS",
    "AQIResult",
    "Pollutant",
    "UnconfirmedStandardError",
    "category",
    "daily_aqi",
    "hourly_aqi",
    "iaqi",
    "standard_in_force",
]

StandardVersion = Literal["HJ633-2012", "HJ633-2026"]
Averaging = Literal["1h", "8h", "24h"]

#: Editions of HJ 633 this module implements.
STANDARD_VERSIONS: tuple[str, ...] = tuple(STANDARDS)


class UnconfirmedStandardError(MetrocircleError, NotImplementedError):
    """A rule of a standard edition is needed whose text has not been confirmed."""


class Pollutant(StrEnum):
    """The six pollutants of HJ 633 (tolerant of spellings such as ``pm25`` or ``pm2_5``)."""

    SO2 = "SO2"
    NO2 = "NO2"
    PM10 = "PM10"
    PM25 = "PM2.5"
    CO = "CO"
    O3 = "O3"

    @classmethod
    def _missing_(cls, value: object) -> Pollutant | None:
        if isinstance(value, str):
            key = value.strip().upper().replace("_", "").replace(".", "").replace("₂", "2")
            key = key.replace("₃", "3").replace("PM25", "PM2.5")
            for member in cls:
                if member.value.upper() == key:
                    return member
        return None


#: Daily report (日报) items: 24-h means, O3 daily maximum 1-h and daily maximum 8-h.
DAILY_ITEMS: Mapping[str, tuple[Pollutant, Averaging]] = {
    "so2": (Pollutant.SO2, "24h"),
    "no2": (Pollutant.NO2, "24h"),
    "pm10": (Pollutant.PM10, "24h"),
    "pm2_5": (Pollutant.PM25, "24h"),
    "co": (Pollutant.CO, "24h"),
    "o3_1h": (Pollutant.O3, "1h"),
    "o3_8h": (Pollutant.O3, "8h"),
}

#: Real-time report (实时报) items: 1-h values, O3 8-h moving mean.  PM uses its 1-h value on
#: the 24-h scale (CNEMC practice, reproduced exactly from published hourly AQI).
HOURLY_ITEMS: Mapping[str, tuple[Pollutant, Averaging]] = {
    "so2": (Pollutant.SO2, "1h"),
    "no2": (Pollutant.NO2, "1h"),
    "pm10": (Pollutant.PM10, "1h"),
    "pm2_5": (Pollutant.PM25, "1h"),
    "co": (Pollutant.CO, "1h"),
    "o3_1h": (Pollutant.O3, "1h"),
    "o3_8h": (Pollutant.O3, "8h"),
}

_SO2_1H_SWITCH = 800  # HJ 633-2012 Table 1 note 2 (µg/m³)
_O3_8H_SWITCH = 800  # HJ 633-2012 Table 1 note 3 (µg/m³)
_PRIMARY_ABOVE = 50  # HJ 633 §4.3: primary pollutant only when AQI > 50
_EXCEEDING_ABOVE = 100  # HJ 633 §4.3: 超标污染物 when IAQI > 100


def _std(standard: str) -> Any:
    try:
        return STANDARDS[standard]
    except KeyError:
        msg = f"`standard` was {standard!r} but is expected to be one of {list(STANDARDS)}"
        raise ValueError(msg) from None


def _exact(value: float, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        msg = f"{name}: concentration must be a number, got {value!r}"
        raise DataValidationError([Problem("<input>", 0, name, msg)], summary="invalid input")
    if isinstance(value, float) and not math.isfinite(value):
        msg = f"{name}: concentration must be finite, got {value!r}"
        raise DataValidationError([Problem("<input>", 0, name, msg)], summary="invalid input")
    if value < 0:
        msg = f"{name}: concentration must be >= 0, got {value!r}"
        raise DataValidationError([Problem("<input>", 0, name, msg)], summary="invalid input")
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def _table(pollutant: Pollutant, averaging: str, standard: str) -> tuple[int, ...]:
    std = _std(standard)
    if averaging not in ("1h", "8h", "24h"):
        msg = f"`averaging` was {averaging!r} but is expected to be '1h', '8h' or '24h'"
        raise ValueError(msg)
    # Real-time PM: the 1-h concentration is rated on the 24-h scale (no 1-h PM table exists).
    key_avg = (
        "24h" if pollutant in (Pollutant.PM10, Pollutant.PM25) and averaging == "1h" else averaging
    )
    try:
        table: tuple[int, ...] = std.tables[(pollutant.value, key_avg)]
    except KeyError:
        have = sorted(a for p, a in std.tables if p == pollutant.value)
        msg = f"{standard} has no {averaging} table for {pollutant.value}; it has {have}"
        raise ValueError(msg) from None
    return table


def _iaqi_exact(
    pollutant: Pollutant,
    conc: Fraction,
    averaging: str,
    standard: str,
    name: str,
    *,
    capped: list[str] | None = None,
) -> Fraction:
    table = _table(pollutant, averaging, standard)
    if pollutant is Pollutant.SO2 and averaging == "1h" and conc > _SO2_1H_SWITCH:
        msg = (
            f"{name}: SO2 1-hour {float(conc)} µg/m³ > 800: HJ 633 Table 1 note 2 — the 1-hour "
            "IAQI is not computed; rate the 24-hour mean instead (pass so2_24h)"
        )
        raise DataValidationError([Problem("<input>", 0, name, msg)], summary="invalid input")
    if pollutant is Pollutant.O3 and averaging == "8h" and conc > _O3_8H_SWITCH:
        msg = (
            f"{name}: O3 8-hour {float(conc)} µg/m³ > 800: HJ 633 Table 1 note 3 — the 8-hour "
            "IAQI is not computed; the 1-hour O3 IAQI is reported instead"
        )
        raise DataValidationError([Problem("<input>", 0, name, msg)], summary="invalid input")
    if conc > table[-1] and capped is not None:
        capped.append(
            f"{name} {float(conc)} above the top breakpoint {table[-1]}: IAQI set to the scale's top"
        )
        return Fraction(IAQI_LEVELS[len(table) - 1])
    if conc > table[-1]:
        msg = (
            f"{name}: {pollutant.value} {averaging} {float(conc)} is above the top breakpoint "
            f"{table[-1]} of {standard}; the standard defines no IAQI above {IAQI_LEVELS[len(table) - 1]}"
        )
        raise DataValidationError([Problem("<input>", 0, name, msg)], summary="invalid input")
    for i in range(1, len(table)):
        lo, hi = table[i - 1], table[i]
        if conc <= hi:
            i_lo, i_hi = IAQI_LEVELS[i - 1], IAQI_LEVELS[i]
            return Fraction(i_hi - i_lo, hi - lo) * (conc - lo) + i_lo
    raise AssertionError  # pragma: no cover - conc <= table[-1] was checked


def iaqi(
    pollutant: str | Pollutant,
    value: float,
    *,
    averaging: Averaging | str,
    standard: StandardVersion | str = "HJ633-2012",
) -> float:
    """Individual air quality index (空气质量分指数) of one concentration, unrounded.

    ``IAQI = (IAQI_hi − IAQI_lo) / (BP_hi − BP_lo) × (C − BP_lo) + IAQI_lo`` (HJ 633 formula 1),
    computed exactly; publication rounds it up (see :func:`daily_aqi`).

    Parameters
    ----------
    pollutant
        ``SO2``, ``NO2``, ``PM10``, ``PM2.5`` (``pm25``, ``pm2_5``), ``CO`` or ``O3``.
    value
        Concentration in µg/m³ (CO in mg/m³), >= 0.
    averaging
        ``"24h"`` (daily), ``"1h"`` (real-time; PM is rated on its 24-h scale) or ``"8h"`` (O3).
    standard
        ``"HJ633-2012"`` or ``"HJ633-2026"``.

    Returns
    -------
    float
        The IAQI, dimensionless, 0–500.

    Raises
    ------
    DataValidationError
        For a negative, non-finite or above-scale value, and for SO2 1 h > 800 or O3 8 h > 800,
        where HJ 633 forbids the IAQI (notes 2 and 3 of Table 1).

    Examples
    --------
    >>> iaqi("PM2.5", 80, averaging="24h")
    106.25
    >>> iaqi("PM2.5", 80, averaging="24h", standard="HJ633-2026")
    118.18181818181819
    """
    p = Pollutant(pollutant)
    name = f"{p.value}_{averaging}"
    return float(_iaqi_exact(p, _exact(value, name), str(averaging), str(standard), name))


def category(aqi: int) -> Category:
    """The HJ 633 category (优 … 严重污染) of an integer AQI.

    Examples
    --------
    >>> category(100).name_zh
    '良'
    """
    if aqi < 0:
        msg = f"`aqi` must be >= 0, got {aqi}"
        raise ValueError(msg)
    for cat in CATEGORIES:
        if cat.aqi_high is None or aqi <= cat.aqi_high:
            return cat
    raise AssertionError  # pragma: no cover


def standard_in_force(day: Any) -> str:
    """Edition of HJ 633 in force on ``day`` (a date or ISO string): 2026 edition from 2026-03-01."""
    iso = day.isoformat()[:10] if hasattr(day, "isoformat") else str(day)[:10]
    return "HJ633-2026" if iso >= STANDARDS["HJ633-2026"].in_force_from else "HJ633-2012"


@dataclass(frozen=True)
class AQIResult:
    """An AQI with its parts, tagged with the standard edition.

    Attributes
    ----------
    aqi
        Published AQI (integer, rounded up), None when no item was given.
    iaqi
        Published IAQI per item (integer, rounded up), e.g. ``{"pm2_5": 107}``.
    iaqi_exact
        Unrounded IAQI per item.
    primary_pollutants
        Items with the largest published IAQI when AQI > 50, else empty.
    exceeding
        Items with IAQI > 100 (超标污染物).
    category
        The HJ 633 category of ``aqi``.
    standard
        ``"HJ633-2012"`` or ``"HJ633-2026"``.
    report
        ``"daily"`` or ``"hourly"``.
    notes
        Switching rules applied (SO2 1 h > 800, O3 8 h > 800).
    """

    aqi: int
    iaqi: dict[str, int]
    iaqi_exact: dict[str, float]
    primary_pollutants: tuple[str, ...]
    exceeding: tuple[str, ...]
    category: Category
    standard: str
    report: str
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "aqi": self.aqi,
            "iaqi": dict(self.iaqi),
            "iaqi_exact": dict(self.iaqi_exact),
            "primary_pollutants": list(self.primary_pollutants),
            "exceeding": list(self.exceeding),
            "category": {
                "level": self.category.level,
                "name_zh": self.category.name_zh,
                "name_en": self.category.name_en,
                "colour": self.category.colour_hex,
            },
            "standard": self.standard,
            "report": self.report,
            "notes": list(self.notes),
        }


def _normalise(concentrations: Mapping[str, Any], allowed: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for raw_key, value in concentrations.items():
        key = str(raw_key).strip().lower().replace(".", "_").replace("pm25", "pm2_5")
        if key not in allowed:
            problems.append(
                Problem(
                    "<input>", 0, str(raw_key), f"unknown item; expected some of {sorted(allowed)}"
                )
            )
            continue
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if key in out:
            problems.append(Problem("<input>", 0, str(raw_key), "given twice"))
        out[key] = value
    if problems:
        raise DataValidationError(problems, summary="invalid concentration items")
    return out


def _combine(
    parts: dict[str, Fraction], *, standard: str, report: str, notes: tuple[str, ...]
) -> AQIResult:
    if not parts:
        msg = "no concentration given: at least one item is needed for an AQI"
        raise DataValidationError(
            [Problem("<input>", 0, "concentrations", msg)], summary="invalid input"
        )
    published = {k: math.ceil(v) for k, v in parts.items()}
    aqi = max(published.values())
    primary = tuple(k for k, v in published.items() if v == aqi) if aqi > _PRIMARY_ABOVE else ()
    exceeding = tuple(k for k, v in parts.items() if v > _EXCEEDING_ABOVE)
    return AQIResult(
        aqi=aqi,
        iaqi=published,
        iaqi_exact={k: float(v) for k, v in parts.items()},
        primary_pollutants=primary,
        exceeding=exceeding,
        category=category(aqi),
        standard=standard,
        report=report,
        notes=notes,
    )


def _require_confirmed(standard: str, rule: str) -> None:
    if not STANDARDS[standard].switching_rules_confirmed:
        msg = (
            f"{standard}: the wording of the {rule} rule is unconfirmed (no official text read; "
            "public implementations disagree), so this case is not computed under it; "
            "compute under HJ633-2012 or supply the confirmed rule"
        )
        raise UnconfirmedStandardError(msg)


def _o3_8h_switch(values: dict[str, Any], standard: str, notes: list[str]) -> None:
    if "o3_8h" in values and _exact(values["o3_8h"], "o3_8h") > _O3_8H_SWITCH:
        _require_confirmed(standard, "O3 8-hour > 800")
        if "o3_1h" not in values:
            msg = "o3_8h > 800 µg/m³: HJ 633 Table 1 note 3 rates O3 by its 1-hour value, so o3_1h is required"
            raise DataValidationError(
                [Problem("<input>", 0, "o3_1h", msg)], summary="invalid input"
            )
        del values["o3_8h"]
        notes.append(
            "O3 8-h > 800: 8-h IAQI not computed, O3 rated by its 1-h value (HJ 633 Table 1 note 3)"
        )


def daily_aqi(
    concentrations: Mapping[str, float | None],
    *,
    standard: StandardVersion | str = "HJ633-2012",
    above_scale: Literal["error", "cap"] = "error",
) -> AQIResult:
    """Daily AQI (日报) from daily statistics.

    Parameters
    ----------
    concentrations
        Items of :data:`DAILY_ITEMS`: ``so2``, ``no2``, ``pm10``, ``pm2_5``, ``co`` (24-h means),
        ``o3_1h`` (daily maximum 1-h) and ``o3_8h`` (daily maximum 8-h moving mean); µg/m³, CO
        mg/m³.  Missing or None items are left out of the AQI.
    standard
        ``"HJ633-2012"`` or ``"HJ633-2026"``.
    above_scale
        A value above an item's top breakpoint has no IAQI in HJ 633: ``"error"`` raises,
        ``"cap"`` rates it at the top of the scale (500; 300 for O3 8 h cannot happen, it
        switches first) and records a note.

    Returns
    -------
    AQIResult

    Examples
    --------
    >>> r = daily_aqi({"pm2_5": 80, "pm10": 120, "so2": 10, "no2": 30, "co": 1.2, "o3_1h": 90, "o3_8h": 70})
    >>> r.aqi, r.primary_pollutants, r.category.name_zh
    (107, ('pm2_5',), '轻度污染')
    """
    std = _std(str(standard)).code
    capped = _above_scale(above_scale)
    values = _normalise(concentrations, set(DAILY_ITEMS))
    notes: list[str] = []
    _o3_8h_switch(values, std, notes)
    parts = {
        k: _iaqi_exact(DAILY_ITEMS[k][0], _exact(v, k), DAILY_ITEMS[k][1], std, k, capped=capped)
        for k, v in values.items()
    }
    return _combine(parts, standard=std, report="daily", notes=(*notes, *(capped or ())))


def _above_scale(mode: str) -> list[str] | None:
    if mode not in ("error", "cap"):
        msg = f"`above_scale` was {mode!r} but is expected to be 'error' or 'cap'"
        raise ValueError(msg)
    return [] if mode == "cap" else None


def hourly_aqi(
    concentrations: Mapping[str, float | None],
    *,
    standard: StandardVersion | str = "HJ633-2012",
    above_scale: Literal["error", "cap"] = "error",
) -> AQIResult:
    """Real-time (hourly, 实时报) AQI.

    Parameters
    ----------
    concentrations
        Items of :data:`HOURLY_ITEMS`: ``so2``, ``no2``, ``co``, ``pm10``, ``pm2_5``, ``o3_1h``
        (1-h values) and ``o3_8h`` (8-h moving mean); optionally ``so2_24h`` (24-h mean), which
        rates SO2 when its 1-h value exceeds 800 µg/m³ (HJ 633 Table 1 note 2).
    standard
        ``"HJ633-2012"`` or ``"HJ633-2026"``.
    above_scale
        ``"error"`` or ``"cap"``, as in :func:`daily_aqi`.

    Returns
    -------
    AQIResult
    """
    std = _std(str(standard)).code
    capped = _above_scale(above_scale)
    values = _normalise(concentrations, {*HOURLY_ITEMS, "so2_24h"})
    so2_24h = values.pop("so2_24h", None)
    notes: list[str] = []
    parts: dict[str, Fraction] = {}
    if "so2" in values and _exact(values["so2"], "so2") > _SO2_1H_SWITCH:
        _require_confirmed(std, "SO2 1-hour > 800")
        if so2_24h is None:
            msg = "so2 1-hour > 800 µg/m³: HJ 633 Table 1 note 2 rates SO2 by its 24-hour mean, so so2_24h is required"
            raise DataValidationError(
                [Problem("<input>", 0, "so2_24h", msg)], summary="invalid input"
            )
        parts["so2"] = _iaqi_exact(
            Pollutant.SO2, _exact(so2_24h, "so2_24h"), "24h", std, "so2_24h", capped=capped
        )
        del values["so2"]
        notes.append("SO2 1-h > 800: rated by its 24-h mean (HJ 633 Table 1 note 2)")
    _o3_8h_switch(values, std, notes)
    for k, v in values.items():
        parts[k] = _iaqi_exact(
            HOURLY_ITEMS[k][0], _exact(v, k), HOURLY_ITEMS[k][1], std, k, capped=capped
        )
    return _combine(parts, standard=std, report="hourly", notes=(*notes, *(capped or ())))
