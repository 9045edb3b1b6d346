"""Units named the way people name them: a GB/T 2260 code, 璧山区, 璧山 or Bishan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from metrocircle._errors import UnknownUnitError

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = ["resolve_unit"]

_SUFFIXES = ("自治县", "新区", "区", "县", "市")
_EN_SUFFIXES = (" district", " county", " city")


def _stem(name: str) -> str:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def _en_stem(name: str) -> str:
    n = name.lower().split("(")[0].strip()
    for s in _EN_SUFFIXES:
        if n.endswith(s):
            return n[: -len(s)].strip()
    return n


def resolve_unit(region: Region, text: str, *, field: str = "unit") -> str:
    """The unit code ``text`` names: a code, a full name (璧山区), a stem (璧山) or an English name.

    Parameters
    ----------
    region
        The loaded region.
    text
        What the user typed.
    field
        The request field or option, named in the error.

    Raises
    ------
    UnknownUnitError
        When no unit, or more than one, matches; the message names ``field``.

    Examples
    --------
    >>> from metrocircle.region import load_region
    >>> r = load_region("chongqing")
    >>> resolve_unit(r, "璧山"), resolve_unit(r, "璧山区"), resolve_unit(r, "500120"), resolve_unit(r, "Bishan")
    ('500120', '500120', '500120', '500120')
    """
    q = str(text).strip()
    units = region.units
    if q in units.index:
        return q
    hits = [c for c in units.index if units.at[c, "name_zh"] == q]
    if not hits:
        hits = [c for c in units.index if _stem(str(units.at[c, "name_zh"])) == q]
    if not hits:
        ql = q.lower()
        hits = [
            c
            for c in units.index
            if str(units.at[c, "name_en"]).lower() == ql
            or _en_stem(str(units.at[c, "name_en"])) == ql
        ]
    if len(hits) == 1:
        return str(hits[0])
    known = ", ".join(f"{c} {units.at[c, 'name_zh']}" for c in list(units.index)[:6])
    why = "matches several units" if hits else "is not a unit code or name"
    msg = f"{field}: {q!r} {why} of {region.name} (e.g. {known} …)"
    raise UnknownUnitError(msg)
