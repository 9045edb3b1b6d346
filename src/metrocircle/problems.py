"""Problems as a person reads them: in their language, and each root cause once.

A :class:`~metrocircle._errors.Problem` carries the ``problem.*`` entry of the message
catalogue it says and its values (:meth:`Problem.coded`); :func:`describe` renders it from
the catalogue in the chosen language. A problem made before it had a code (a loader still
writing its English text) is read back into its entry by :func:`translate`; one no entry
matches is said by a catalogue sentence of its own, the original quoted, so the chosen
language still frames it (a test keeps every loader's message in the catalogue); :func:`summarise` folds the same
message on many rows of one file (an unknown unit code used by 40 rows) into one line with a
count, and drops the knock-on problems of a root cause (a units file without its code column
makes every reference to a unit unknown).

>>> translate("unknown unit code 500999", "zh")
'未知的区县代码 500999'
>>> translate("something new", "zh")
'something new'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from metrocircle._errors import Problem
from metrocircle.messages import CATALOGUE, text

__all__ = [
    "ProblemGroup",
    "describe",
    "from_pydantic",
    "key_of",
    "match",
    "render",
    "summarise",
    "translate",
]

_V = r"(?P<{}>.+?)"


def _rx(key: str) -> re.Pattern[str]:
    """The English template of ``problem.<key>`` as a regular expression with named groups."""
    en = CATALOGUE[f"problem.{key}"][1]
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}", en):
        out.append(re.escape(en[pos : m.start()]))
        out.append(_V.format(m.group(1)))
        pos = m.end()
    out.append(re.escape(en[pos:]))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


_PREFIX = "problem."
_FALLBACK = "unrecognised"
_KEYS = [
    k.removeprefix(_PREFIX) for k in CATALOGUE if k.startswith(_PREFIX) and k != _PREFIX + _FALLBACK
]
# longer (more specific) templates first, so "unknown unit code X" is not read as a detail
_PATTERNS = sorted(((k, _rx(k)) for k in _KEYS), key=lambda kr: -len(CATALOGUE[_PREFIX + kr[0]][1]))
_PYDANTIC_TAIL = re.compile(r"^(Input should be a valid (?:number|integer)),.*$", re.DOTALL)
_VALUE_ERROR = re.compile(r"^Value error, (?P<rest>.*)$", re.DOTALL)


def match(message: str) -> tuple[str, dict[str, str]] | None:
    """The catalogue key (without ``problem.``) and values an English problem message was made from."""
    msg = message.strip()
    v = _VALUE_ERROR.match(msg)
    if v:
        msg = v.group("rest")
    t = _PYDANTIC_TAIL.match(msg)
    if t:
        msg = t.group(1)
    for key, rx in _PATTERNS:
        m = rx.match(msg)
        if m:
            return key, {k: (v or "") for k, v in m.groupdict().items()}
    return None


def translate(message: str, lang: str) -> str:
    """``message`` (an English problem or error text) in ``lang``; unknown texts stay as they are."""
    found = match(message)
    if found is None:
        return message
    return _say(found, lang)


def key_of(p: Problem) -> tuple[str, dict[str, str]] | None:
    """The catalogue key (without ``problem.``) and values ``p`` says: its own code, else read from its text."""
    if p.code:
        return p.code, dict(p.params)
    return match(p.message)


_QUOTED = re.compile(r"^'(?P<v>[^']*)'$|^\"(?P<w>[^\"]*)\"$")
_LISTED = re.compile(r"^\[(?P<items>.*)\]$", re.DOTALL)
_MEASURE_PARAMS = frozenset({"unit", "expected", "units"})


def _plain(value: str, lang: str, *, measure: bool = False) -> str:
    """A value as a person reads it: no Python quotes or list brackets; a unit of measure with its name.

    >>> _plain("['pct', 'km']", "zh", measure=True)
    'pct（%）、km（公里）'
    >>> _plain("'pct'", "en", measure=True)
    'pct (percent)'
    """
    from metrocircle.schema import MEASURE_UNITS

    listed = _LISTED.match(value.strip())
    if listed:
        items = [i.strip() for i in listed.group("items").split(",") if i.strip()]
        sep = "、" if lang == "zh" else ", "
        return sep.join(_plain(i, lang, measure=measure) for i in items)
    q = _QUOTED.match(value.strip())
    v = (q.group("v") if q.group("v") is not None else q.group("w")) if q else value
    if measure and v in MEASURE_UNITS:
        zh, en = MEASURE_UNITS[v][0], MEASURE_UNITS[v][1]
        label = zh if lang == "zh" else en
        if label == v:
            return v
        return f"{v}（{label}）" if lang == "zh" else f"{v} ({label})"
    return v


def _say(found: tuple[str, dict[str, str]], lang: str) -> str:
    key, values = found
    values = {k: _plain(v, lang, measure=k in _MEASURE_PARAMS) for k, v in values.items()}
    if key == "pyd_choice" and lang == "zh":
        values = {"choices": values["choices"].replace(" or ", "、")}
    return text(f"{_PREFIX}{key}", lang, **values)


def describe(p: Problem, lang: str) -> str:
    """What is wrong, in ``lang``, from the catalogue (never the loader's English alone)."""
    found = key_of(p)
    if found is None:
        return text(_PREFIX + _FALLBACK, lang, detail=p.message)
    return _say(found, lang)


@dataclass(frozen=True)
class ProblemGroup:
    """One root cause: a message in one file, on one or more rows."""

    file: str
    field: str
    message: str
    rows: tuple[int, ...]
    first: Problem | None = None
    """The first problem of the group (its code and values say the message)."""

    def line(self, lang: str, *, shown_rows: int = 8) -> str:
        """``file:row:field: message`` in ``lang``, with the count of rows when more than one."""
        p = self.first or Problem(self.file, self.rows[0], self.field, self.message)
        head = f"{self.file}:{self.rows[0]}:{self.field}: {describe(p, lang)}"
        if len(self.rows) == 1:
            return head
        listed = (", " if lang == "en" else "、").join(str(r) for r in self.rows[:shown_rows])
        key = "cli.problem_rows" if len(self.rows) <= shown_rows else "cli.problem_rows_more"
        return head + text(key, lang, n=len(self.rows), rows=listed)


def _is_file_level(p: Problem) -> bool:
    return p.row <= 1 and (p.field in ("*", "code") or p.message == "required column is missing")


_UNKNOWN_UNIT = ("unknown_unit_code", "unknown_unit_or_scope")


def summarise(
    problems: Iterable[Problem],
    *,
    units_file: str | None = None,
    unit_rows: dict[int, str] | None = None,
) -> tuple[list[ProblemGroup], int]:
    """Fold ``problems`` into root causes; return them and how many knock-on problems were dropped.

    Parameters
    ----------
    problems
        As the loader found them, in file order.
    units_file
        The dataset's units file: when it cannot give the unit codes (it is missing, or
        has no ``code`` column), every "unknown unit code" elsewhere follows from that.
    unit_rows
        Line number → unit code of the units file: a unit whose own line is wrong is left
        out of the dataset, so "unknown unit code" of that code elsewhere follows from it.

    Examples
    --------
    >>> ps = [Problem("targets.csv", i, "scope", "unknown unit code 500999") for i in (2, 3, 4)]
    >>> groups, dropped = summarise(ps)
    >>> [g.line("en") for g in groups], dropped
    (['targets.csv:2:scope: unknown unit code 500999 (3 rows: 2, 3, 4)'], 0)
    """
    items = list(problems)
    no_codes = any(
        p.file == units_file and _is_file_level(p) and p.field in ("*", "code") for p in items
    )
    rows = unit_rows or {}
    bad_units = {rows[p.row] for p in items if p.file == units_file and p.row in rows}
    kept: list[Problem] = []
    dropped = 0
    for p in items:
        found = key_of(p) if p.file != units_file else None
        if found and found[0] in _UNKNOWN_UNIT:
            code = found[1]["code"].strip("'\"")
            if no_codes or code in bad_units:
                dropped += 1
                continue
        kept.append(p)
    order: dict[tuple[str, str, str], list[int]] = {}
    firsts: dict[tuple[str, str, str], Problem] = {}
    for p in kept:
        order.setdefault((p.file, p.field, p.message), []).append(p.row)
        firsts.setdefault((p.file, p.field, p.message), p)
    groups = [
        ProblemGroup(f, fld, msg, tuple(rows), firsts[(f, fld, msg)])
        for (f, fld, msg), rows in order.items()
    ]
    return groups, dropped


def render(
    problems: Sequence[Problem],
    lang: str,
    *,
    units_file: str | None = None,
    unit_rows: dict[int, str] | None = None,
    total: bool = True,
) -> list[str]:
    """The lines ``metrocircle validate`` prints: one per root cause, then the summary."""
    groups, dropped = summarise(problems, units_file=units_file, unit_rows=unit_rows)
    lines = [g.line(lang) for g in groups]
    if dropped:
        lines.append(text("cli.problem_knock_on", lang, n=dropped))
    if total:
        lines.append(text("cli.problems_found", lang, n=len(problems), causes=len(groups)))
    return lines


_PYDANTIC: dict[str, tuple[str, str | None]] = {
    # pydantic error type -> (catalogue key, the ctx value filling its one placeholder)
    "missing": ("field_required", None),
    "float_parsing": ("pyd_number", None),
    "float_type": ("pyd_number", None),
    "int_parsing": ("pyd_integer", None),
    "int_type": ("pyd_integer", None),
    "int_from_float": ("pyd_integer", None),
    "greater_than_equal": ("pyd_ge", "ge"),
    "greater_than": ("pyd_gt", "gt"),
    "less_than_equal": ("pyd_le", "le"),
    "string_too_short": ("pyd_short", None),
    "literal_error": ("pyd_choice", "expected"),
    "enum": ("pyd_choice", "expected"),
}
_PYD_PARAM = {"pyd_ge": "v", "pyd_gt": "v", "pyd_le": "v", "pyd_choice": "choices"}


def from_pydantic(file: str, row: int, field: str, err: Mapping[str, Any]) -> Problem:
    """One pydantic validation error as a problem with its catalogue code.

    A validator's own ``ValueError`` keeps its text and is read back by :func:`match`.
    """
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", ""))
    if kind in _PYDANTIC:
        key, ctx_name = _PYDANTIC[kind]
        ctx = err.get("ctx") or {}
        if ctx_name is None:
            return Problem(file, row, field, msg, key, ())
        if ctx_name in ctx:
            return Problem(file, row, field, msg, key, ((_PYD_PARAM[key], str(ctx[ctx_name])),))
    found = match(msg)
    if found is None:
        return Problem(file, row, field, msg)
    return Problem(file, row, field, msg, found[0], tuple(found[1].items()))
