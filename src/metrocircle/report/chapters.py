"""The chapters of the evaluation report as plain data: findings, tables, risks and recommendations drawn from the evaluation."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle import fmt
from metrocircle.indicators.model import Status
from metrocircle.messages import text
from metrocircle.report import words
from metrocircle.schema import ROLES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pandas as pd

    from metrocircle.indicators.model import Evaluation, Observation
    from metrocircle.region import Region
    from metrocircle.schema import TargetRow

__all__ = [
    "Numbering",
    "TransportFacts",
    "changes_since",
    "findings",
    "key_numbers",
    "project_tables",
    "ranking_rows",
    "snapshot",
    "target_rows",
    "transport_facts",
    "unit_rows",
]

BEHIND = (Status.OFF_TRACK, Status.AT_RISK)
_PSTATUS = ("build", "upgrade", "continue", "start", "prepare", "study")


@dataclass
class Numbering:
    """Table and figure numbers in document order (表 1, 图 1)."""

    tables: int = 0
    figures: int = 0

    def table(self) -> int:
        """The next table number."""
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        """The next figure number."""
        self.figures += 1
        return self.figures


@dataclass
class TransportFacts:
    """What the network model says per unit and project, computed once for the report."""

    scenario: str = ""
    scenario_name: dict[str, str] = field(default_factory=dict)
    minutes: dict[str, float] = field(default_factory=dict)
    core: set[str] = field(default_factory=set)
    ranking: pd.DataFrame | None = None


def _name(t: TargetRow, lang: str) -> str:
    return t.name_zh if lang == "zh" else t.name_en


def _sep(lang: str) -> str:
    return text("report.list_sep", lang)


def transport_facts(region: Region) -> TransportFacts:
    """Seat-to-centre minutes of every unit in the plan scenario and the project ranking (empty without a network)."""
    if not region.has_file("network_links"):
        return TransportFacts()
    from metrocircle.access.commute import commute_table
    from metrocircle.access.ranking import rank_projects
    from metrocircle.network.scenarios import load_region_scenarios, scenario_network

    scenarios = load_region_scenarios(region)
    sid = next((s for s in scenarios if s.startswith("plan")), next(iter(scenarios)))
    sc = scenarios[sid]
    t = commute_table(region, scenario_network(region, sid)).table
    minutes = {str(r.code): float(r.minutes_to_centre) for r in t.itertuples(index=False)}
    core = {str(r.code) for r in t.itertuples(index=False) if bool(r.core)}
    return TransportFacts(
        scenario=sid,
        scenario_name={"zh": sc.name_zh, "en": sc.name_en},
        minutes=minutes,
        core=core,
        ranking=rank_projects(region, sid),
    )


def _lagging(region: Region, tf: TransportFacts, lang: str) -> list[tuple[str, float]]:
    out = []
    for code, m in tf.minutes.items():
        if code in tf.core or not math.isfinite(m) or m <= 60:
            continue
        u = region.unit(code)
        out.append((u.name_zh if lang == "zh" else u.name_en, m))
    return sorted(out, key=lambda x: -x[1])


def target_rows(
    region: Region, evs: Sequence[Evaluation], lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of the targets table (with data) and of the compact no-data table."""
    targets = {t.id: t for t in region.targets}
    with_data, without = [], []
    for ev in evs:
        t = targets[ev.id]
        row: dict[str, Any] = {
            "id": ev.id,
            "name": _name(t, lang),
            "chapter": words.section_words(t.chapter, lang),
            "scope": words.scope_words(region, t.scope, lang),
            "goal": words.goal(t, lang),
            "status": str(ev.status),
            "status_label": ev.status.label(lang),
            "reason": words.reason_text(ev, t, region, lang),
        }
        if ev.latest_value is None:
            row["needed"] = _needed(t, lang)
            without.append(row)
            continue
        modelled = ev.latest is not None and str(ev.latest.kind) == "computation"
        latest = words.value_year(ev.latest_value, ev.latest_year, t.unit, lang)
        if modelled:
            latest += text("report.modelled_mark", lang)
        shown = None if ev.status is Status.NO_DATA else ev.progress
        pct = None if shown is None or not math.isfinite(shown) else 100 * shown
        row |= {
            "latest": latest,
            "progress": fmt.progress(shown, lang),
            "bar": 0 if pct is None else max(0, min(100, round(pct))),
            "has_progress": pct is not None,
        }
        with_data.append(row)
    return with_data, without


def _needed(t: TargetRow, lang: str) -> str:
    years = (
        text("report.needed_years_after", lang, year=fmt.year(t.baseline_year))
        if t.baseline_year
        else text("report.needed_any_year", lang)
    )
    unit = words.unit_name(t.unit, lang)
    if not unit.strip():  # a count has no unit word in English: "in ; a value" read as a gap
        return text("report.needed_line_bare", lang, years=years)
    return text("report.needed_line", lang, unit=unit, years=years)


def _chapters_of(region: Region, evs: Sequence[Evaluation], lang: str) -> str:
    targets = {t.id: t for t in region.targets}
    counts = Counter(targets[e.id].chapter.split(".", 1)[0] for e in evs)
    top = sorted((ch for ch, _n in counts.most_common(3)), key=_chnum)
    if len(top) > 1:
        # 第4、8、11章 / chapters 4, 8 and 11 (not "chapter 4, chapter 8, chapter 11")
        return text("report.chapters_list", lang, items=_sep(lang).join(top[:-1]), last=top[-1])
    return text("report.chapter_no", lang, ch=top[0]) if top else ""


def _chnum(ch: str) -> float:
    try:
        return float(ch)
    except ValueError:
        return math.inf


def key_numbers(
    region: Region, evs: Sequence[Evaluation], tf: TransportFacts, lang: str
) -> list[tuple[str, str]]:
    """The few numbers that matter, as (figure, label)."""
    n_data = sum(1 for e in evs if e.latest_value is not None)
    out = [
        (fmt.number(len(evs)), text("report.kn_targets", lang)),
        (f"{fmt.number(n_data)} / {fmt.number(len(evs))}", text("report.kn_with_data", lang)),
        (
            fmt.number(sum(1 for e in evs if e.status is Status.ACHIEVED)),
            text("report.kn_achieved", lang),
        ),
        (fmt.number(sum(1 for e in evs if e.status in BEHIND)), text("report.kn_behind", lang)),
        (fmt.number(len(region.projects)), text("report.kn_projects", lang)),
    ]
    if tf.minutes:
        non_core = [c for c in tf.minutes if c not in tf.core]
        inside = sum(1 for c in non_core if tf.minutes[c] <= 60)
        label = text("report.kn_within60", lang, scenario=tf.scenario_name[lang])
        out.append((f"{fmt.number(inside)} / {fmt.number(len(non_core))}", label))
    return out


def findings(region: Region, evs: Sequence[Evaluation], tf: TransportFacts, lang: str) -> list[str]:
    """The three to five main findings in plain sentences."""
    targets = {t.id: t for t in region.targets}
    by = Counter(e.status for e in evs)
    out = [
        text(
            "report.f_overview",
            lang,
            n=len(evs),
            achieved=by[Status.ACHIEVED],
            on_track=by[Status.ON_TRACK],
            behind=by[Status.OFF_TRACK] + by[Status.AT_RISK],
            no_data=by[Status.NO_DATA],
        )
    ]

    def item(e: Evaluation) -> str:
        t = targets[e.id]
        v = words.value_year(e.latest_value, e.latest_year, t.unit, lang)
        return text("report.f_item", lang, name=_name(t, lang), value=v)

    achieved = [item(e) for e in evs if e.status is Status.ACHIEVED]
    if achieved:
        out.append(text("report.f_achieved", lang, items=_sep(lang).join(achieved)))
    behind = [e for e in evs if e.status in BEHIND]
    if behind:
        out.append(text("report.f_behind", lang, items=_sep(lang).join(item(e) for e in behind)))
    nodata = [e for e in evs if e.latest_value is None]
    if nodata:
        out.append(
            text(
                "report.f_no_data",
                lang,
                no_data=len(nodata),
                chapters=_chapters_of(region, nodata, lang),
            )
        )
    lag = _lagging(region, tf, lang)
    if lag:
        c = region.manifest.centre
        out.append(
            text(
                "report.f_units",
                lang,
                scenario=tf.scenario_name[lang],
                n_out=len(lag),
                centre=c.name_zh if lang == "zh" else c.name_en,
                worst=lag[0][0],
                minutes=fmt.quantity(lag[0][1], "minutes", lang, digits=0),
            )
        )
    return out[:5]


def snapshot(evs: Sequence[Evaluation], *, generated: str, as_of: int) -> dict[str, Any]:
    """What a later run compares with: each target's status and latest value."""
    return {
        "generated": generated,
        "as_of": as_of,
        "targets": {
            e.id: {
                "status": str(e.status),
                "latest_value": e.latest_value,
                "latest_year": e.latest_year,
            }
            for e in evs
        },
    }


def changes_since(
    region: Region, evs: Sequence[Evaluation], previous: Mapping[str, Any] | Path | None, lang: str
) -> tuple[str, list[str]] | None:
    """(date of the previous evaluation, lines saying which targets changed status), or None."""
    if previous is None:
        return None
    prev = (
        json.loads(Path(previous).read_text(encoding="utf-8"))
        if isinstance(previous, Path)
        else previous
    )
    old = prev.get("targets", {})
    targets = {t.id: t for t in region.targets}
    lines = []
    for e in evs:
        o = old.get(e.id)
        if o is None or o.get("status") == str(e.status):
            continue
        lines.append(
            text(
                "report.change_line",
                lang,
                name=_name(targets[e.id], lang),
                old=Status(o["status"]).label(lang),
                new=e.status.label(lang),
            )
        )
    return str(prev.get("generated", "")), lines


def project_tables(
    region: Region, evs: Sequence[Evaluation], lang: str
) -> tuple[list[str], list[list[Any]], list[list[Any]]]:
    """(header, rows by plan section and what the plan asks, rows of section targets)."""
    statuses = [s for s in _PSTATUS if any(p.status == s for p in region.projects)]
    others = any(p.status not in _PSTATUS for p in region.projects)
    head = [
        text("report.col_section", lang),
        *[text(f"report.pstatus_{s}", lang) for s in statuses],
        *([text("report.pstatus_other", lang)] if others else []),
        text("report.col_total", lang),
    ]
    sections: dict[str, Counter[str]] = {}
    for p in region.projects:
        sec = p.chapter.split("/", 1)[0]
        sections.setdefault(sec, Counter())[p.status if p.status in _PSTATUS else "other"] += 1
    rows, served = [], []
    targets = {t.id: t for t in region.targets}
    ev_by_sec: dict[str, list[Evaluation]] = {}
    for e in evs:
        ev_by_sec.setdefault(targets[e.id].chapter.split("/", 1)[0], []).append(e)
    for sec in sorted(sections, key=lambda s: tuple(_chnum(x) for x in s.split("."))):
        c = sections[sec]
        name = words.section_words(sec, lang)
        rows.append(
            [
                name,
                *[fmt.number(c[s]) if c[s] else "—" for s in statuses],
                *([fmt.number(c["other"]) if c["other"] else "—"] if others else []),
                fmt.number(sum(c.values())),
            ]
        )
        tl = ev_by_sec.get(sec, [])
        desc = _sep(lang).join(
            f"{_name(targets[e.id], lang)}（{e.status.label(lang)}）"
            if lang == "zh"
            else f"{_name(targets[e.id], lang)} ({e.status.label(lang)})"
            for e in tl
        ) or text("report.no_section_targets", lang)
        served.append([name, fmt.number(sum(c.values())), desc])
    return head, rows, served


def ranking_rows(region: Region, tf: TransportFacts, lang: str) -> list[list[str]]:
    """Transport projects by the time they save alone; network changes outside the plan's list in one row."""
    if tf.ranking is None:
        return []
    names = {p.id: (p.name_zh if lang == "zh" else p.name_en) for p in region.projects}
    rows, other = [], []
    for r in tf.ranking.sort_values("mean_minutes_add_one", ascending=False).itertuples(
        index=False
    ):
        pid = str(r.project)
        if pid in names:
            rows.append(
                [
                    names[pid],
                    fmt.year(r.in_service_year, lang=lang),
                    fmt.quantity(float(r.mean_minutes_add_one), "minutes", lang, digits=2),
                    fmt.quantity(float(r.mean_minutes_remove_one), "minutes", lang, digits=2),
                    fmt.number(int(r.units_within_60_add_one)),
                ]
            )
        else:
            other.append(r)
    if other:
        rows.append(
            [
                text("report.ranking_other", lang, n=len(other)),
                "—",
                fmt.quantity(
                    max(float(r.mean_minutes_add_one) for r in other), "minutes", lang, digits=2
                ),
                fmt.quantity(
                    max(float(r.mean_minutes_remove_one) for r in other), "minutes", lang, digits=2
                ),
                fmt.number(max(int(r.units_within_60_add_one) for r in other)),
            ]
        )
    return rows


def unit_rows(
    region: Region,
    by_unit: Mapping[str, Mapping[int, Mapping[str, Observation]]],
    tf: TransportFacts,
    lang: str,
) -> tuple[int | None, list[list[str]]]:
    """(GDP year shown, one row per county-level unit)."""
    gdp = by_unit.get("gdp", {})
    gdp_year = max(gdp, key=lambda y: (len(gdp[y]), y)) if gdp else None
    rows = []
    for code in region.county_codes:
        u = region.unit(code)
        roles = _sep(lang).join(ROLES[r][0 if lang == "zh" else 1] for r in u.roles) or "—"
        pop = None if u.population_2020 is None else u.population_2020 / 10_000
        g = gdp[gdp_year].get(code) if gdp_year is not None else None
        m = tf.minutes.get(code)
        within = (
            "—"
            if m is None or not math.isfinite(m)
            else text("report.yes" if m <= 60 else "report.no", lang)
        )
        rows.append(
            [
                u.name_zh if lang == "zh" else u.name_en,
                roles,
                fmt.number(pop, digits=1, lang=lang, fixed=True),
                fmt.percent(u.urbanisation_rate_2020_pct, lang=lang),
                fmt.number(None if g is None else g.value, digits=0, lang=lang),
                "—" if m is None else fmt.number(m, digits=0, lang=lang),
                within,
            ]
        )
    return gdp_year, rows


_MOVED = {
    "risks": "advice",
    "recommendations": "advice",
    "annex_gaps": "annexes",
    "annex_sources": "annexes",
    "place_names": "annexes",
}


def __getattr__(name: str) -> Any:
    # chapters 5-6 and the annexes have their own modules; the old names still resolve here
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(f"metrocircle.report.{_MOVED[name]}"), name)
    msg = f"module 'metrocircle.report.chapters' has no attribute {name!r}"
    raise AttributeError(msg)
