"""Report markup helpers: one level of brackets in text, the plan's document number, numbered tables."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup

from metrocircle.report.chapters import Numbering
from metrocircle.report.i18n import text

__all__ = ["flatten_text_brackets", "number_tables", "plan_ref"]


_TEXT_NODE = re.compile(r">([^<>]+)<")
_HIDDEN = re.compile(r"(<(style|script)\b.*?</\2>)", re.S)


def flatten_text_brackets(html: str) -> str:
    """Every text node of ``html`` with brackets inside brackets written as one level.

    A sentence quoting a value with its year inside a bracket would read （89.9%（2024 年））;
    a report writes （89.9%，2024 年）, and (a; b) in English. Styles and scripts are left alone.
    """
    from metrocircle.report.gloss import flatten

    def node(m: re.Match[str]) -> str:
        return ">" + flatten(flatten(m.group(1), lang="zh"), lang="en") + "<"

    parts = _HIDDEN.split(html)
    out = []
    i = 0
    while i < len(parts):
        chunk = parts[i]
        if i % 3 == 1:
            out.append(chunk)  # a whole <style>/<script> element
            i += 2
            continue
        out.append(_TEXT_NODE.sub(node, chunk))
        i += 1
    return "".join(out)


_DOC_PREFIX_EN = {"渝府发": "Yufufa", "川府发": "Chuanfufa", "发改规划": "Fagai Guihua"}
"""Romanised prefixes of official document numbers (文号)."""


def plan_ref(ref: str, lang: str) -> str:
    """The plan's document number, issuers and date as the edition's language writes them.

    >>> plan_ref("渝府发〔2022〕37号 (重庆市人民政府、四川省人民政府, 2022-08-11)", "zh")
    '渝府发〔2022〕37号，重庆市人民政府、四川省人民政府2022年8月11日印发'
    >>> plan_ref("渝府发〔2022〕37号 (重庆市人民政府、四川省人民政府, 2022-08-11)", "en")
    'document Yufufa [2022] No. 37, issued 2022-08-11'
    """
    number, _, rest = ref.partition("(")
    number = number.strip()
    issuers, _, when = rest.rstrip(") ").rpartition(",")
    when = when.strip()
    y, m, d = ([*when.split("-"), "", ""])[:3]
    if lang == "zh":
        if not (y.isdigit() and m.isdigit() and d.isdigit()):
            return ref
        return f"{number}，{issuers.strip()}{int(y)}年{int(m)}月{int(d)}日印发"
    mt = re.fullmatch(r"(.+?)〔(\d{4})〕(\d+)号", number)
    if mt and mt.group(1) in _DOC_PREFIX_EN:
        number = f"{_DOC_PREFIX_EN[mt.group(1)]} [{mt.group(2)}] No. {mt.group(3)}"
    return f"document {number}, issued {when}" if when else f"document {number}"


def number_tables(
    sections: Sequence[tuple[str, Markup]], num: Numbering, lang: str
) -> list[tuple[str, Markup]]:
    """Give every plain table of the section modules its number (表 n) as a caption."""
    out = []
    for title, body in sections:
        parts = str(body).split('<table class="mc-table">')
        rebuilt = parts[0]
        for rest in parts[1:]:
            n = num.table()
            cap = text(lang, "table_no", n=n)
            rebuilt += f'<table class="mc-table"><caption>{cap}</caption>{rest}'
        out.append((title, Markup(rebuilt)))
    return out
