"""Small HTML builders shared by the report sections (escaped text, plain tables)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

__all__ = ["ChineseName", "p", "table"]


class ChineseName(str):
    """A Chinese proper name or title quoted as it is in the English edition (marked ``lang="zh-CN"``)."""

    __slots__ = ()


def _cell(c: Any) -> str:
    if c is None:
        return "—"
    if isinstance(c, Markup):
        return str(c)
    if isinstance(c, ChineseName):
        return f'<span lang="zh-CN">{escape(str(c))}</span>'
    return escape(str(c))


def p(text: str) -> str:
    """A paragraph of escaped text."""
    return f"<p>{escape(text)}</p>"


def table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A table with escaped cells; ``None`` shows as an em dash.

    >>> table(["a"], [[None], ["<b>"]])
    '<table class="mc-table"><thead><tr><th>a</th></tr></thead><tbody><tr><td>—</td></tr><tr><td>&lt;b&gt;</td></tr></tbody></table>'
    """
    th = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="mc-table"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'
