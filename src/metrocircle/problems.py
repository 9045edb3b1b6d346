"""Problems as a person reads them: in their language, and each root cause once.

The loaders write every :class:`~metrocircle._errors.Problem` in English (``file:row:field:
message``). :func:`translate` reads such a message back into its ``problem.*`` entry of the
message catalogue and says it in the chosen language; :func:`summarise` folds the same
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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from metrocircle._errors import Problem
from metrocircle.messages import CATALOGUE, text

__all__ = ["ProblemGroup", "match", "render", "summarise", "translate"]

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
_KEYS = [k.removeprefix(_PREFIX) for k in CATALOGUE if k.startswith(_PREFIX)]
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
    key, values = found
    if key == "pyd_choice" and lang == "zh":
        values = {"choices": values["choices"].replace(" or ", "、")}
    return text(f"{_PREFIX}{key}", lang, **values)


@dataclass(frozen=True)
class ProblemGroup:
    """One root cause: a message in one file, on one or more rows."""

    file: str
    field: str
    message: str
    rows: tuple[int, ...]

    def line(self, lang: str, *, shown_rows: int = 8) -> str:
        """``file:row:field: message`` in ``lang``, with the count of rows when more than one."""
        head = f"{self.file}:{self.rows[0]}:{self.field}: {translate(self.message, lang)}"
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
        found = match(p.message) if p.file != units_file else None
        if found and found[0] in _UNKNOWN_UNIT:
            code = found[1]["code"].strip("'\"")
            if no_codes or code in bad_units:
                dropped += 1
                continue
        kept.append(p)
    order: dict[tuple[str, str, str], list[int]] = {}
    for p in kept:
        order.setdefault((p.file, p.field, p.message), []).append(p.row)
    groups = [ProblemGroup(f, fld, msg, tuple(rows)) for (f, fld, msg), rows in order.items()]
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
