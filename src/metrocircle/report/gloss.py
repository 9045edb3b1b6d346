"""English names for the Chinese sources the report cites, and brackets that do not nest.

The English edition gives a Chinese publication or publisher as an English rendering with
the Chinese original beside it, e.g. "Statistical Communiqué of Chongqing on the 2023
National Economic and Social Development (《2023年重庆市国民经济和社会发展统计公报》)". The
renderings are built from the parts of the title (year, place, kind of document), with
place names from the dataset's own units; a title no rule knows is described by its kind
("news report", "government work report") and the original shown. Nothing is translated
freely: a headline stays in Chinese, beside what kind of text it is.

>>> publication_en("《2023年重庆市国民经济和社会发展统计公报》（2024-03-28）")
'Chongqing Statistical Communiqué on National Economic and Social Development 2023 (published 2024-03-28)'
>>> flatten("广安市人口数据汇编（称引自《公报》（2022年），非原文）")
'广安市人口数据汇编（称引自《公报》，2022年，非原文）'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import Markup, escape

__all__ = ["cite", "flatten", "place_en", "publication_en", "publisher_en"]

# places that appear in the sources but are not county-level units of the dataset
_PLACES: dict[str, str] = {
    "重庆市": "Chongqing",
    "重庆": "Chongqing",
    "四川省": "Sichuan Province",
    "四川": "Sichuan",
    "中国": "China",
}

_PUBLISHERS: dict[str, str] = {
    "中国新闻网": "China News Service",
    "人民网重庆频道": "People's Daily Online, Chongqing channel",
    "人民网": "People's Daily Online",
    "华龙网-新重庆客户端": "Hualong Net (New Chongqing app)",
    "华龙网": "Hualong Net",
    "央视网": "CCTV.com",
    "新华社": "Xinhua News Agency",
    "新华网重庆频道": "Xinhua Net, Chongqing channel",
    "重庆日报": "Chongqing Daily",
    "成都商报": "Chengdu Economic Daily",
    "澎湃新闻": "The Paper",
    "南方周末": "Southern Weekly",
    "上游新闻": "Shangyou News",
    "中新网": "China News Service",
    "国家统计局": "National Bureau of Statistics",
    "问答网站网友回答": "answer on a question-and-answer website",
}
_ORGANS: tuple[tuple[str, str], ...] = (
    (
        "第七次全国人口普查领导小组办公室",
        "Office of the Leading Group for the Seventh National Census",
    ),
    ("国务院", "State Council"),
    ("人口和就业统计司", "Department of Population and Employment Statistics"),
    ("发展和改革委员会", "Development and Reform Commission"),
    ("生态环境局", "Ecology and Environment Bureau"),
    ("调查总队", "Survey Organisation of the National Bureau of Statistics"),
    ("调查队", "Survey Office of the National Bureau of Statistics"),
    ("统计局", "Statistics Bureau"),
    ("人民政府", "People's Government"),
    ("交通局", "Transport Bureau"),
    ("水利局", "Water Resources Bureau"),
    ("水文监测总站", "Hydrological Monitoring Centre"),
    ("防汛抗旱指挥部办公室", "Flood Control and Drought Relief Headquarters Office"),
)

_DOCS: tuple[tuple[str, str], ...] = (
    (
        "国民经济和社会发展统计公报",
        "Statistical Communiqué on National Economic and Social Development",
    ),
    (
        "国民经济和社会发展计划执行情况",
        "Report on the Implementation of the Plan for National Economic and Social Development",
    ),
    ("第七次全国人口普查公报", "Communiqué of the Seventh National Population Census"),
    ("人口普查分县资料", "Population Census County-level Data"),
    ("生态环境状况公报", "Bulletin on the State of the Ecological Environment"),
    ("政府工作报告完成情况", "Government Work Report: Progress Review"),
    ("政府工作报告", "Government Work Report"),
    ("统计年鉴", "Statistical Yearbook"),
    ("统计公报", "Statistical Communiqué"),
    ("经济运行情况", "Economic Performance"),
    ("社会民生统计报告", "Statistical Report on Social Welfare and Livelihoods"),
    ("发展规划", "Development Plan"),
)
_KINDS: tuple[tuple[str, str], ...] = (
    ("报道", "news report"),
    ("电：", "news dispatch"),
    ("版：", "newspaper article"),
    ("排行榜", "ranking table"),
    ("汇编", "compilation"),
    ("问答", "answer on a question-and-answer website"),
    ("网站发布", "data published on the website"),
)
_NOTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4}-\d{2}-\d{2})$"), "published {0}"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日"), "published {0}-{1:0>2}-{2:0>2}"),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), "published {0}-{1:0>2}"),
    (re.compile(r"据.*转载页所引|据转载页所引"), "as quoted on a page that reposted it"),
    (re.compile(r"据.*汇编页.*所引"), "as quoted on a data compilation page"),
    (re.compile(r"据问答页所引"), "as quoted on a question-and-answer page"),
    (re.compile(r"非原文"), "not the original text"),
    (re.compile(r"摘要"), "summary"),
    (re.compile(r"前言"), "preface"),
    (re.compile(r"工作回顾"), "review of the year's work"),
)

_YEAR = re.compile(r"(\d{4})年?")
_INNER = re.compile(r"（([^（）]*)）")


def _place_names(places: Mapping[str, str] | None) -> list[tuple[str, str]]:
    names = dict(_PLACES)
    for zh, en in (places or {}).items():
        names[zh] = en
        stem = re.sub(r"(自治县|新区|区|县|市)$", "", zh)
        if len(stem) >= 2:
            names.setdefault(stem + "区", en)
    return sorted(names.items(), key=lambda kv: -len(kv[0]))


def _places_in(s: str, places: Mapping[str, str] | None) -> list[str]:
    found: list[str] = []
    rest = s
    for zh, en in _place_names(places):
        if zh in rest:
            found.append(en)
            rest = rest.replace(zh, "\0")
    out: list[str] = []
    for p in found:
        if p not in out:
            out.append(p)
    # a district's name says enough ("Fuling District", not "Chongqing Fuling District")
    if any(p.endswith((" District", " County")) for p in out):
        out = [p for p in out if p.endswith((" District", " County"))]
    elif len(out) > 1:
        out = [p for p in out if p not in ("Chongqing", "Sichuan Province", "Sichuan")] or out
    return out


def _notes_en(notes: list[str]) -> list[str]:
    out: list[str] = []
    for n in notes:
        for raw in re.split(r"[，,；;]", n):
            part = raw.strip()
            for rx, tmpl in _NOTES:
                m = rx.search(part)
                if m:
                    out.append(tmpl.format(*m.groups()))
                    break
    return out


def publication_en(title: str, places: Mapping[str, str] | None = None) -> str | None:
    """An English rendering of a Chinese publication title, or None when no rule knows it.

    ``places``: Chinese → English names of the dataset's units (e.g. 涪陵区 → Fuling District).
    """
    core = title
    book = re.search(r"《([^》]+)》", title)
    notes = [m.group(1) for m in _INNER.finditer(title)]
    if book:
        core = book.group(1)
        before = title[: book.start()]
        if any(w in before for w in ("称引自", "汇编", "问答", "排行榜")):
            cited = publication_en(f"《{core}》", places)
            if cited is None:
                return None
            kind = _kind_en(before)
            kind = "compilation" if kind == "Chinese-language source" else kind
            tail = _notes_en(notes)
            out = f"{kind[0].upper()}{kind[1:]} citing the {cited}"
            return f"{out} ({'; '.join(tail)})" if tail else out
    if places and core in places:
        return places[core]
    doc = next((en for zh, en in _DOCS if zh in core), None)
    if doc is None:
        return None
    if doc.startswith("Report on the Implementation"):
        years = _YEAR.findall(core)
        where = " ".join(_places_in(core, places))
        return f"{where} {doc} {years[0]}".strip() if years else f"{where} {doc}".strip()
    years = [y for y in _YEAR.findall(core) if 1949 <= int(y) <= 2100]
    where = " ".join(_places_in(core, places))
    parts = [f"{where} {doc}".strip()]
    if years:
        parts.append(years[0])
    tail = _notes_en(notes)
    out = " ".join(parts)
    return f"{out} ({'; '.join(tail)})" if tail else out


def publisher_en(name: str, places: Mapping[str, str] | None = None) -> str | None:
    """An English name for a Chinese publisher (several joined by 、), or None when unknown."""
    out: list[str] = []
    for raw in re.split(r"[、，,]", name):
        one = raw.strip()
        if not one:
            continue
        if one in _PUBLISHERS:
            out.append(_PUBLISHERS[one])
            continue
        head = re.sub(r"（.*?）|\(.*?\)", "", one)
        organ = next(((zh, en) for zh, en in _ORGANS if head.endswith(zh)), None)
        if organ is None:
            if re.fullmatch(r"[A-Za-z0-9 .\-]+", head):
                out.append(head)
                continue
            return None
        zh, en = organ
        where = " ".join(_places_in(head[: -len(zh)], places))
        out.append(f"{where} {en}".strip())
    return ", ".join(out) if out else None


_CENTRE = re.compile(r"^重庆\s*[（(]?主城(?:区|都市区)?[）)]?$|^主城(?:区)?$|^中心城区$")


def place_en(name: str, places: Mapping[str, str] | None = None) -> str:
    """A place named in a Chinese source, in English (重庆主城区 → central Chongqing)."""
    n = name.strip()
    if _CENTRE.match(n):
        return "central Chongqing"
    if places and n in places:
        return places[n]
    found = _places_in(n, places)
    if found:
        return " ".join(found)
    for zh, en in _place_names(places):
        if zh.startswith(n) and len(n) >= 2:
            return en
    return n


def _kind_en(title: str) -> str:
    return next((en for zh, en in _KINDS if zh in title), "Chinese-language source")


def cite(
    title: str, lang: str, places: Mapping[str, str] | None = None, *, publisher: bool = False
) -> Markup:
    """A publication (or, with ``publisher``, a publisher) as the edition shows it.

    zh: the title itself, brackets flattened. en: the English rendering with the Chinese
    original beside it in brackets, marked ``lang="zh-CN"``; a title no rule renders is
    named by its kind of text (a news report, a compilation) with the original beside it.
    """
    flat = flatten(title, lang="zh")
    if lang == "zh" or not re.search(r"[\u4e00-\u9fff]", flat):
        return Markup(escape(flat))
    if not publisher and "；" in flat:  # a derived value: every source it was derived from
        return Markup("; ").join(cite(x, lang, places) for x in flat.split("；") if x.strip())
    en = publisher_en(flat, places) if publisher else publication_en(flat, places)
    if en is None and publisher:
        m = re.match(r"^[^（(]*?([A-Za-z][A-Za-z0-9 .\-]+)", flat)
        en = m.group(1).strip() if m else "Chinese-language publisher"
    if en is None:
        outlet = next((v for k, v in _PUBLISHERS.items() if flat.startswith(k)), None)
        date = re.search(r"(\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月)", flat)
        en = _kind_en(flat)
        if outlet:
            en = f"{outlet} {en}"
        if date:
            y, _, mo = date.group(1).replace("月", "").partition("年")
            en += f", {y}-{int(mo):02d}" if mo else f", {date.group(1)}"
        en = en[0].upper() + en[1:]
    return Markup(f'{escape(en)} (<span lang="zh-CN">{escape(flat)}</span>)')


def flatten(s: str, *, lang: str = "zh") -> str:
    """Brackets inside brackets written as one level: （a（b））→（a，b）, (a (b)) → (a; b)."""
    if lang == "zh":
        pairs, sep = ("（", "）"), "，"
    else:
        pairs, sep = ("(", ")"), "; "
    opening, closing = pairs
    out: list[str] = []
    depth = 0
    for ch in s:
        if ch == opening:
            depth += 1
            if depth > 1:
                while out and out[-1] == " ":
                    out.pop()
                out.append(sep)
                continue
        elif ch == closing:
            depth = max(depth - 1, 0)
            if depth >= 1:
                continue
        out.append(ch)
    text = "".join(out)
    return text.replace(sep + sep, sep).replace(sep + closing, closing)
