"""Build the plan implementation evaluation report: self-contained HTML (inline SVG figures), optional PDF."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from metrocircle import fmt
from metrocircle._errors import MetrocircleError
from metrocircle.indicators.model import Evaluation, Status, Thresholds
from metrocircle.indicators.service import (
    evaluate_region,
    indicator_names,
    values_by_unit,
)
from metrocircle.report import advice, annexes, words
from metrocircle.report import chapters as ch
from metrocircle.report.charts import (
    choose_map_layers,
    choropleth_svg,
    svg_data_uri,
    target_chart_svg,
)
from metrocircle.report.i18n import LANGS, METHOD_PARAGRAPHS, STRINGS, text
from metrocircle.report.markup import flatten_text_brackets, number_tables, plan_ref
from metrocircle.report.output import check_pdf_support, replace_atomically, write_pdf
from metrocircle.report.sections import access as access_section
from metrocircle.report.sections import coverage as coverage_section
from metrocircle.report.sections import flood as flood_section
from metrocircle.report.sections import sectors as sectors_section

if TYPE_CHECKING:
    from collections.abc import Mapping

    from metrocircle.indicators.model import Observation
    from metrocircle.region import Region
    from metrocircle.schema import TargetRow

__all__ = [
    "SECTIONS",
    "ProgressFn",
    "SectionFn",
    "build_report",
    "check_pdf_support",
    "extra_sections",
    "render_report",
    "write_pdf",
]

logger = logging.getLogger(__name__)

ProgressFn = Callable[[str, int, int], None]
"""Progress callback: (what is being done, steps done, steps in all)."""

SectionFn = Callable[..., Sequence[tuple[str, str]]]
"""``render_sections(region, *, lang) -> [(title, HTML fragment), ...]``."""

SECTIONS: tuple[tuple[str, SectionFn], ...] = (
    ("access", access_section.render_sections),
    ("coverage", coverage_section.render_sections),
    ("sectors", sectors_section.render_sections),
    ("flood", flood_section.render_sections),
)
"""The report's extra sections by name, in the order they appear."""


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        msg = f"`lang` was {lang!r} but is expected to be one of {list(LANGS)}"
        raise ValueError(msg)


@dataclass
class _Steps:
    total: int
    callback: ProgressFn | None
    done: int = 0
    log: list[str] = field(default_factory=list)

    def __call__(self, label: str) -> None:
        self.done += 1
        self.log.append(label)
        if self.callback is not None:
            self.callback(label, self.done, self.total)


def _sections_by_module(region: Region, *, lang: str) -> dict[str, list[tuple[str, Markup]]]:
    """The sections of :data:`SECTIONS` by name; one that raises says it could not be rendered."""
    out: dict[str, list[tuple[str, Markup]]] = {}
    for name, fn in SECTIONS:
        secs = out.setdefault(name, [])
        try:
            for title, body in fn(region, lang=lang):
                secs.append((str(title), Markup(body)))
        except MetrocircleError as exc:
            logger.warning("report section %s failed: %s", name, exc)
            secs.append(
                (name, Markup("<p>{}</p>").format(text(lang, "section_failed", error=str(exc))))
            )
    return out


def extra_sections(region: Region, *, lang: str) -> list[tuple[str, Markup]]:
    """The extra sections of :data:`SECTIONS` as (title, HTML), in their order.

    A section whose computation raises a :class:`MetrocircleError` is replaced by one
    saying it could not be rendered.
    """
    return [s for secs in _sections_by_module(region, lang=lang).values() for s in secs]


_ANNEX_SECTIONS = frozenset({"coverage", "sectors"})
"""Section modules whose analyses go to the thematic annex; the others go to chapter 4."""


def _pct(x: float) -> str:
    return fmt.percent(100 * x, digits=1).replace(".0%", "%")


def render_report(
    region: Region,
    *,
    lang: str = "zh",
    store: Any = None,
    as_of: int | None = None,
    thresholds: Thresholds | None = None,
    progress: ProgressFn | None = None,
    extra_steps: int = 0,
    previous: Mapping[str, Any] | Path | None = None,
) -> str:
    """The report as one self-contained HTML document (figures inline as SVG data URIs).

    Laid out as a plan implementation evaluation (规划实施评估报告): 一 overall assessment,
    二 targets, 三 key projects, 四 districts and counties, 五 problems and risks,
    六 recommendations, and annexes (methods, data gaps, sources by authority, thematic
    analyses). Tables and figures are numbered in document order.

    Parameters
    ----------
    region
        The dataset to report on.
    lang
        ``"zh"`` (default) or ``"en"``.
    store
        Optional store whose observations join the evaluation and the maps.
    as_of
        Evaluation year (default: this year).
    thresholds
        Status thresholds (default: the shipped ones).
    progress
        Called after each step with (label, done, total).
    extra_steps
        Steps the caller adds after rendering (counted in ``total``).
    previous
        A previous run's snapshot (:func:`metrocircle.report.chapters.snapshot`, or the path
        of the JSON file :func:`build_report` writes): chapter 1 then says what changed.
    """
    return _render(
        region,
        lang=lang,
        store=store,
        as_of=as_of,
        thresholds=thresholds,
        progress=progress,
        extra_steps=extra_steps,
        previous=previous,
    )[0]


def _render(
    region: Region,
    *,
    lang: str,
    store: Any,
    as_of: int | None,
    thresholds: Thresholds | None,
    progress: ProgressFn | None,
    extra_steps: int,
    previous: Mapping[str, Any] | Path | None,
) -> tuple[str, list[Evaluation]]:
    _check_lang(lang)
    from jinja2 import Environment, PackageLoader

    th = thresholds or Thresholds.default()
    year = as_of if as_of is not None else date.today().year
    zh = lang == "zh"
    by_unit = values_by_unit(region, store=store, as_of=year)
    layers = choose_map_layers(by_unit)
    section_mods = len(SECTIONS)
    steps = _Steps(3 + len(region.targets) + len(layers) + section_mods + extra_steps, progress)

    evs = evaluate_region(region, store=store, as_of=year, thresholds=th)
    steps("evaluate")
    tf = ch.transport_facts(region)
    steps("network")
    targets = {t.id: t for t in region.targets}
    names = indicator_names(region)
    num = ch.Numbering()

    # 一 overall assessment
    summary = {
        "key_numbers": ch.key_numbers(region, evs, tf, lang),
        "findings": ch.findings(region, evs, tf, lang),
        "changes": ch.changes_since(region, evs, previous, lang),
    }

    # 二 targets: one table of the targets with data, one compact table of those without
    rows, nodata_rows = ch.target_rows(region, evs, lang)
    t_targets, t_nodata = num.table(), num.table()
    cards = []
    places = annexes.place_names(region)
    for ev in evs:
        if ev.latest_value is None:
            steps(f"chart {ev.id}")
            continue
        t = targets[ev.id]
        name = t.name_zh if zh else t.name_en
        chart = target_chart_svg(ev, title=name, lang=lang)
        steps(f"chart {ev.id}")
        cards.append(
            {
                "id": ev.id,
                "name": name,
                "status": str(ev.status),
                "status_label": ev.status.label(lang),
                "reason": words.reason_text(ev, t, region, lang),
                "chart": svg_data_uri(chart),
                "figure": num.figure(),
                "facts": _facts(ev, t, lang),
                "notes": words.note_texts(ev, t, region, lang),
                "source": _latest_source(ev, lang, places),
                "source_url": str(ev.latest.provenance.get("source_url", "")) if ev.latest else "",
                "quote": t.source_quote or "",
            }
        )
    targets_ch = {
        "intro": text(
            lang, "ch2_intro", t1=t_targets, t2=t_nodata, n=len(rows), m=len(nodata_rows)
        ),
        "rows": rows,
        "nodata": nodata_rows,
        "t_targets": t_targets,
        "t_nodata": t_nodata,
        "cards": cards,
    }

    # 三 projects
    t_pstatus, t_pserved = num.table(), num.table()
    p_head, p_rows, p_served = ch.project_tables(region, evs, lang)
    ranking = ch.ranking_rows(region, tf, lang)
    t_rank = num.table() if ranking else None
    projects_ch = {
        "intro": text(lang, "ch3_intro", n=len(region.projects), t1=t_pstatus, t3=t_rank or "—"),
        "head": p_head,
        "rows": p_rows,
        "served": p_served,
        "t_status": t_pstatus,
        "t_served": t_pserved,
        "ranking": ranking,
        "t_rank": t_rank,
        "rank_title": text(lang, "tbl_ranking", scenario=tf.scenario_name.get(lang, "")),
    }

    # 四 districts and counties
    t_units = num.table()
    gdp_year, unit_table = ch.unit_rows(region, by_unit, tf, lang)
    centre = region.manifest.centre.name_zh if zh else region.manifest.centre.name_en
    maps = []
    for layer in layers:
        nzh, nen, _unit = names.get(layer.indicator, (layer.indicator, layer.indicator, layer.unit))
        title = text(
            lang,
            "map_title",
            name=nzh if zh else nen,
            year=fmt.year(layer.year),
            unit=words.unit_name(layer.unit, lang),
        )
        svg = choropleth_svg(region, layer, lang=lang)
        steps(f"map {layer.indicator}")
        maps.append(
            {
                "uri": svg_data_uri(svg),
                "title": title,
                "figure": num.figure(),
                "indicator": layer.indicator,
            }
        )
    groups = _sections_by_module(region, lang=lang)
    for _ in range(section_mods):
        steps("sections")
    thematic = [s for m, secs in groups.items() if m not in _ANNEX_SECTIONS for s in secs]
    annex_thematic = [s for m, secs in groups.items() if m in _ANNEX_SECTIONS for s in secs]
    units_ch = {
        "intro": text(
            lang, "ch4_intro", t1=t_units, f1=maps[0]["figure"] if maps else "—", centre=centre
        ),
        "t_units": t_units,
        "head": [
            text(lang, "col_unit"),
            text(lang, "col_role"),
            text(lang, "col_population"),
            text(lang, "col_urban"),
            text(lang, "col_gdp", year=fmt.year(gdp_year, lang=lang)),
            text(lang, "col_minutes", centre=centre, scenario=tf.scenario_name.get(lang, "")),
            text(lang, "col_within"),
        ],
        "rows": unit_table,
        "maps": maps,
        "thematic": number_tables(thematic, num, lang),
        "no_network": not tf.minutes,
    }

    # 五 problems and risks, 六 recommendations
    t_risks = num.table()
    risks_ch = {"t_risks": t_risks, "rows": advice.risks(region, evs, lang)}
    recs = advice.recommendations(region, evs, tf, lang)

    # 附件
    t_gaps = num.table()
    gaps = annexes.annex_gaps(region, evs, year, lang)
    t_sources = num.table()
    uses = _source_uses(region, evs, by_unit=by_unit, layers=layers, names=names, lang=lang)
    method = [
        para.format(
            conflict=_pct(th.conflict_rel_tolerance),
            eq=_pct(th.equal_tolerance_rel),
            risk=_pct(th.at_risk_min_projected_progress),
        )
        for para in METHOD_PARAGRAPHS[lang]
    ]
    m = region.manifest
    plan = m.plan_title_zh if zh else m.plan_title_en
    env = Environment(loader=PackageLoader("metrocircle.report", "templates"), autoescape=True)
    html = env.get_template("report.html.j2").render(
        lang=lang,
        colon="：" if zh else ": ",
        t=STRINGS[lang],
        meta={
            "title": text(lang, "title", plan=plan),
            "subtitle": text(lang, "subtitle"),
            "plan_ref": text(lang, "plan_ref_value", plan=plan, ref=plan_ref(m.plan_ref, lang)),
            "as_of": fmt.year(year),
            "generated": fmt.day(date.today(), lang=lang),
            "data_version": region.data_version,
            "audit_head": _audit_head(store),
        },
        summary=summary,
        targets_ch=targets_ch,
        projects_ch=projects_ch,
        units_ch=units_ch,
        risks_ch=risks_ch,
        recs=recs,
        methodology=method,
        gaps={"t": t_gaps, "rows": gaps},
        sources={
            "t": t_sources,
            "groups": annexes.annex_sources(uses, lang, annexes.place_names(region)),
        },
        annex_thematic=number_tables(annex_thematic, num, lang),
    )
    steps("render")
    return flatten_text_brackets(html), evs


def _facts(ev: Evaluation, t: TargetRow, lang: str) -> list[tuple[str, str]]:
    origin = {"plan": text(lang, "baseline_plan"), "first_value": text(lang, "baseline_first")}
    nd = fmt.NO_DATA[lang]
    base = nd
    if ev.baseline_value is not None:
        base = words.value_year(ev.baseline_value, ev.baseline_year, t.unit, lang)
        if ev.baseline_origin in origin:
            base += (
                f"，{origin[ev.baseline_origin]}"
                if lang == "zh"
                else f", {origin[ev.baseline_origin]}"
            )
    method = {"linear": text(lang, "method_linear"), "compound": text(lang, "method_compound")}
    proj = nd
    if ev.projected_value is not None:
        proj = fmt.quantity(ev.projected_value, t.unit, lang)
        if ev.projection_method in method:
            proj += (
                f"（{method[ev.projection_method]}）"
                if lang == "zh"
                else f" ({method[ev.projection_method]})"
            )
    if ev.year_reached is not None:
        reached = fmt.year(ev.year_reached)
    else:
        reached = text(lang, "not_reached") if ev.observed_yearly_change is not None else nd
    shown = None if ev.status is Status.NO_DATA else ev.progress
    return [
        (text(lang, "baseline"), base),
        (text(lang, "latest"), words.value_year(ev.latest_value, ev.latest_year, t.unit, lang)),
        (text(lang, "goal"), words.goal(t, lang)),
        (text(lang, "col_progress"), fmt.progress(shown, lang)),
        (text(lang, "required_pace"), fmt.change(ev.required_yearly_change, t.unit, lang)),
        (text(lang, "observed_pace"), fmt.change(ev.observed_yearly_change, t.unit, lang)),
        (text(lang, "projection"), proj),
        (text(lang, "year_reached"), reached),
    ]


def _latest_source(ev: Evaluation, lang: str, places: dict[str, str] | None = None) -> Markup:
    """Where the latest value comes from, and whether it is published or modelled.

    English edition: a Chinese title in English with the original beside it; brackets
    never nest (the kind of value goes after a semicolon when the title ends in brackets).
    """
    from metrocircle.report.gloss import cite

    latest = ev.latest
    if latest is None:
        return Markup("")
    kind = text(
        lang, "kind_computation" if str(latest.kind) == "computation" else "kind_observation"
    )
    title = cite(annexes.source_title(latest, lang), lang, places)
    if lang == "zh":
        return Markup(f"{title}（{escape(kind)}）")
    return Markup(f"{title}; {escape(kind)}")


def _source_uses(
    region: Region,
    evs: Sequence[Evaluation],
    *,
    by_unit: Mapping[str, Mapping[int, Mapping[str, Observation]]],
    layers: Sequence[Any],
    names: Mapping[str, tuple[str, str, str]],
    lang: str,
) -> list[tuple[Observation, str, str]]:
    i = 0 if lang == "zh" else 1
    targets = {t.id: t for t in region.targets}
    out = []
    for ev in evs:
        t = targets[ev.id]
        for o in ev.series:
            out.append((o, t.name_zh if lang == "zh" else t.name_en, fmt.year(o.period)))
    for layer in layers:
        name = names.get(layer.indicator, (layer.indicator, layer.indicator, ""))[i]
        for o in by_unit[layer.indicator][layer.year].values():
            out.append((o, name, fmt.year(layer.year)))
    return out


def _audit_head(store: Any) -> str | None:
    """``#id sha256`` of the store's newest audit entry: printed so the chain is anchored.

    Whoever holds a report can later check that the log still contains this entry, so
    entries cannot be cut off the end unnoticed.
    """
    if store is None or not hasattr(store, "audit_head"):
        return None
    entry_id, digest = store.audit_head()
    return None if digest is None else f"#{entry_id} {digest}"


def build_report(
    region: Region,
    *,
    lang: str = "zh",
    out_dir: str | Path,
    pdf: bool = False,
    store: Any = None,
    progress: ProgressFn | None = None,
    as_of: int | None = None,
    thresholds: Thresholds | None = None,
    previous: Mapping[str, Any] | Path | None = None,
) -> Path:
    """Write the evaluation report to ``out_dir`` and return the HTML file's path.

    The HTML (``report-<dataset>-<lang>.html``) opens offline: styles inline, figures as
    inline SVG, no script, font or image loaded from anywhere. With ``pdf=True`` the same
    document is also rendered to a PDF beside it; WeasyPrint is checked before any work
    starts. Every file goes through a temporary file, so a failed run never replaces a good
    earlier output. Beside the report, ``report-<dataset>-snapshot.json`` keeps each
    target's status for the next run's ``previous``.

    Parameters
    ----------
    region
        The dataset to report on.
    lang
        ``"zh"`` (default) or ``"en"``.
    out_dir
        Folder to write into (created if missing).
    pdf
        Also write the PDF (needs WeasyPrint).
    store
        Optional store whose observations join the evaluation.
    progress
        Called after each step with (label, done, total).
    as_of
        Evaluation year (default: this year).
    thresholds
        Status thresholds (default: the shipped ones).
    previous
        A previous run's snapshot (mapping or JSON path) to compare with.
    """
    _check_lang(lang)
    if pdf:
        check_pdf_support(lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    last = [0, 0]

    def relay(label: str, done: int, total: int) -> None:
        last[:] = [done, total]
        if progress is not None:
            progress(label, done, total)

    year = as_of if as_of is not None else date.today().year
    html, evs = _render(
        region,
        lang=lang,
        store=store,
        as_of=year,
        thresholds=thresholds,
        progress=relay,
        extra_steps=1 if pdf else 0,
        previous=previous,
    )
    path = out / f"report-{region.name}-{lang}.html"
    replace_atomically(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    snap = ch.snapshot(
        evs,
        generated=date.today().isoformat(),
        as_of=year,
    )
    replace_atomically(
        out / f"report-{region.name}-snapshot.json",
        lambda tmp: tmp.write_text(
            json.dumps(snap, ensure_ascii=False, indent=1), encoding="utf-8"
        ),
    )
    if pdf:
        write_pdf(html, path.with_suffix(".pdf"), lang=lang)
        relay("pdf", last[0] + 1, last[1])
    return path
