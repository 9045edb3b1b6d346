"""Evaluation results in the report's words: goals, values, reasons and notes from the message catalogue."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from metrocircle import fmt
from metrocircle.messages import text
from metrocircle.schema import ROLES

if TYPE_CHECKING:
    from metrocircle.indicators.model import Evaluation, Observation
    from metrocircle.region import Region
    from metrocircle.schema import TargetRow

__all__ = [
    "goal",
    "note_texts",
    "reason_text",
    "scope_words",
    "section_words",
    "unit_name",
    "value_year",
]

_COMPUTATION_NOTES = {"computation_missing", "computation_failed", "computation_needs_data"}


def unit_name(unit: str, lang: str) -> str:
    """A unit of measure standing alone, as a table column gives it (百分比（%）, 万吨)."""
    if unit == "pct":
        return text("report.unit_pct_name", lang)
    if unit == "bool":
        return text("report.unit_bool_name", lang)
    return fmt.unit_words(unit, lang)


def quoted_name(t: TargetRow, lang: str) -> str:
    """The target's name inside a sentence: “…” in Chinese unless it already has quotes."""
    if lang != "zh":
        return t.name_en
    return t.name_zh if any(q in t.name_zh for q in "“”《》") else f"“{t.name_zh}”"


def goal(t: TargetRow, lang: str) -> str:
    """The target in words: 不低于 80.0%（2025 年） / at least 80.0% by 2025."""
    d = fmt.direction_words(t.direction.value, lang)
    v = fmt.quantity(t.target_value, t.unit, lang)
    if t.unit == "bool":
        d, v = "", text("report.in_place", lang)
    ordinal = fmt.ordinal_goal(t.direction.value, t.target_value, t.unit, lang)
    if ordinal is not None:
        d, v = "", ordinal
    if t.target_year is None:
        return text("report.goal_no_year", lang, dir=d, value=v).strip()
    return text("report.goal_with_year", lang, dir=d, value=v, year=fmt.year(t.target_year)).strip()


def value_year(x: float | None, year: int | None, unit: str, lang: str) -> str:
    """``73.9%（2020 年）``, or "no data"."""
    if x is None or year is None:
        return fmt.NO_DATA[lang]
    return text("report.value_year", lang, value=fmt.quantity(x, unit, lang), year=fmt.year(year))


def scope_words(region: Region, scope: str, lang: str) -> str:
    """The name of a scope code (the area, a unit, a group of units)."""
    zh = lang == "zh"
    if scope == "region":
        return region.manifest.title_zh if zh else region.manifest.title_en
    if scope in region.unit_codes:
        u = region.unit(scope)
        return u.name_zh if zh else u.name_en
    if scope.startswith("group:") and scope[6:] in ROLES:
        name = ROLES[scope[6:]][0 if zh else 1]
        return text("report.scope_group", lang, name=name)
    extra = region.manifest.extra_scopes.get(scope, "")
    # manifest descriptions read "<Chinese name> as a whole (...)" / "<Chinese name>: ..."
    head = re.split(r"[:：(（]| as a whole", extra, maxsplit=1)[0].strip()
    if zh:
        return head or text("report.authority_unknown", lang)
    return {"500000": "Chongqing Municipality"}.get(scope, head or scope)


def section_words(chapter: str, lang: str) -> str:
    """``4.2/专栏3`` → 第4章第2节 / chapter 4, section 2."""
    head = chapter.split("/", 1)[0]
    ch, _, sec = head.partition(".")
    if sec:
        return text("report.section_no", lang, ch=ch, sec=sec)
    return text("report.chapter_no", lang, ch=ch)


def _pace(ev: Evaluation, lang: str) -> str:
    return fmt.change(ev.observed_yearly_change, ev.unit, lang)


def reason_text(ev: Evaluation, t: TargetRow, region: Region, lang: str) -> str:
    """Why the target has its status, in plain words, from the catalogue entry of the reason's code."""
    code = ev.reason.code
    g = goal(t, lang)
    latest = fmt.quantity(ev.latest_value, t.unit, lang)
    yr = fmt.year(ev.latest_year, lang=lang)
    if ev.latest_value is None or code == "no_data":
        since = t.baseline_year
        years = (
            text("report.needed_years_after", lang, year=fmt.year(since))
            if since
            else text("report.needed_any_year", lang)
        )
        name = quoted_name(t, lang)
        return text(
            "reason.no_data",
            lang,
            scope=scope_words(region, t.scope, lang),
            name=name,
            years=years,
            unit=unit_name(t.unit, lang),
        )
    kw = {
        "latest": latest,
        "year": yr,
        "goal": g,
        "pace": _pace(ev, lang),
        "reached": fmt.year(ev.year_reached, lang=lang),
        "target_year": fmt.year(ev.target_year, lang=lang),
        "projected": fmt.quantity(ev.projected_value, t.unit, lang),
    }
    key = f"reason.{code}"
    try:
        return text(key, lang, **kw)
    except KeyError:
        return _scrub(ev.reason.text(lang))


def _scrub(s: str) -> str:
    """Drop commands, codes and ids that a message from elsewhere may carry."""
    s = re.sub(r"`[^`]*`", "", s)
    s = re.sub(r"[（(]\s*\d{6}\s*[)）]", "", s)
    s = re.sub(r"[（(]?(?:指标|indicator) [a-z0-9_.#]+[，,]?\s*", "", s)
    return re.sub(r"\s{2,}", " ", s).strip()


def _stand_in_scope(ev: Evaluation, region: Region, lang: str) -> str:
    scopes = {o.scope for o in ev.series if o.scope and o.scope != ev.scope}
    names = [scope_words(region, s, lang) for s in sorted(scopes)]
    return text("report.list_sep", lang).join(names) or scope_words(region, ev.scope, lang)


def _derived_note(latest: Observation | None, lang: str) -> str:
    if latest is None or lang != "zh":
        return ""
    return latest.note.replace("【派生】", "").strip()


def note_texts(ev: Evaluation, t: TargetRow, region: Region, lang: str) -> list[str]:
    """The evaluation's notes in plain words (catalogue entries by note code), duplicates dropped."""
    out: list[str] = []
    for w in ev.warnings:
        code = w.code
        if code == "no_data":
            continue  # the reason and the data-gaps annex say what is needed
        if code in _COMPUTATION_NOTES:
            s = text("note.computation", lang)
        elif code == "pace":
            s = text(
                "note.pace",
                lang,
                target_year=fmt.year(ev.target_year, lang=lang),
                required=fmt.change(ev.required_yearly_change, t.unit, lang),
                observed=fmt.change(ev.observed_yearly_change, t.unit, lang),
            )
        elif code == "required":
            s = text(
                "note.required",
                lang,
                target_year=fmt.year(ev.target_year, lang=lang),
                required=fmt.change(ev.required_yearly_change, t.unit, lang),
            )
        elif code == "no_plan_baseline":
            s = text(
                "note.no_plan_baseline",
                lang,
                year=fmt.year(ev.baseline_year, lang=lang),
                value=fmt.quantity(ev.baseline_value, t.unit, lang),
            )
        elif code == "stand_in":
            s = text("note.stand_in", lang, scope=_stand_in_scope(ev, region, lang))
        elif code == "derived_value":
            note = _derived_note(ev.latest, lang)
            s = text(
                "note.derived_value", lang, year=fmt.year(ev.latest_year, lang=lang), note=note
            )
            s = s.rstrip("：")
        elif code == "inferred_attribution":
            s = text("note.inferred_attribution", lang, year=fmt.year(ev.latest_year, lang=lang))
        elif f"note.{code}" in _catalogue_keys():
            s = text(f"note.{code}", lang)
        else:
            s = _scrub(w.text(lang))
        if s and s not in out:
            out.append(s)
    if ev.latest is not None and str(ev.latest.kind) == "computation":
        s = text("note.modelled", lang)
        if s not in out:
            out.append(s)
    return out


def _catalogue_keys() -> frozenset[str]:
    from metrocircle.messages import CATALOGUE

    return frozenset(CATALOGUE)
