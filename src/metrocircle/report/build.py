"""Build the plan implementation evaluation report: self-contained HTML (inline SVG figures), optional PDF."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from metrocircle._errors import MetrocircleError
from metrocircle.indicators.model import Evaluation, Status, Thresholds
from metrocircle.indicators.service import (
    evaluate_region,
    indicator_names,
    scope_name,
    values_by_unit,
)
from metrocircle.report.charts import (
    choose_map_layers,
    choropleth_svg,
    svg_data_uri,
    target_chart_svg,
)
from metrocircle.report.i18n import LANGS, METHOD_PARAGRAPHS, STRINGS, text
from metrocircle.report.sections import access as access_section
from metrocircle.report.sections import coverage as coverage_section
from metrocircle.report.sections import flood as flood_section
from metrocircle.report.sections import sectors as sectors_section
from metrocircle.schema import MEASURE_UNITS

if TYPE_CHECKING:
    from metrocircle.region import Region
    from metrocircle.schema import TargetRow

__all__ = [
    "SECTIONS",
    "ProgressFn",
    "SectionFn",
    "build_report",
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


def _fmt(x: float | None, *, digits: int = 2) -> str:
    if x is None:
        return "—"
    s = f"{x:,.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in {"-0", ""} else s


def _value(x: float | None, unit: str, lang: str) -> str:
    if x is None:
        return "—"
    if unit == "pct":
        return f"{_fmt(x)}%"
    zh, en, _lo, _hi = MEASURE_UNITS.get(unit, (unit, unit, None, None))
    return f"{_fmt(x)} {zh if lang == 'zh' else en}"


def _change(x: float | None, unit: str, lang: str) -> str:
    if x is None:
        return "—"
    sign = "+" if x > 0 else ""
    if unit == "pct":
        per = "个百分点/年" if lang == "zh" else "points a year"
    else:
        zh, en, _lo, _hi = MEASURE_UNITS.get(unit, (unit, unit, None, None))
        per = f"{zh}/年" if lang == "zh" else f"{en} a year"
    return f"{sign}{_fmt(x)} {per}"


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


def extra_sections(region: Region, *, lang: str) -> list[tuple[str, Markup]]:
    """The extra sections of :data:`SECTIONS` as (title, HTML), in their order.

    A section whose computation raises a :class:`MetrocircleError` is replaced by one
    saying it could not be rendered.
    """
    out: list[tuple[str, Markup]] = []
    for name, fn in SECTIONS:
        try:
            for title, body in fn(region, lang=lang):
                out.append((str(title), Markup(body)))
        except MetrocircleError as exc:
            logger.warning("report section %s failed: %s", name, exc)
            msg = "本节无法生成" if lang == "zh" else "This section could not be rendered"
            out.append((name, Markup("<p>{}: {}</p>").format(msg, str(exc))))
    return out


def _goal(t: TargetRow, lang: str) -> str:
    year = t.target_year if t.target_year is not None else text(lang, "no_target_year")
    return f"{t.direction.value} {_value(t.target_value, t.unit, lang)} ({year})"


def _facts(ev: Evaluation, t: TargetRow, lang: str) -> list[tuple[str, str]]:
    origin = {"plan": text(lang, "baseline_plan"), "first_value": text(lang, "baseline_first")}
    base = "—"
    if ev.baseline_value is not None:
        base = f"{_value(ev.baseline_value, t.unit, lang)} ({ev.baseline_year}, {origin.get(ev.baseline_origin or '', '')})"
    latest = (
        "—"
        if ev.latest_value is None
        else f"{_value(ev.latest_value, t.unit, lang)} ({ev.latest_year})"
    )
    method = {"linear": text(lang, "method_linear"), "compound": text(lang, "method_compound")}
    proj = "—"
    if ev.projected_value is not None:
        proj = f"{_value(ev.projected_value, t.unit, lang)} ({method.get(ev.projection_method or '', '')})"
        if ev.projection_band is not None:
            lo, hi = ev.projection_band
            proj += f" [{_fmt(lo)}–{_fmt(hi)}]"
    if ev.year_reached is not None:
        reached = str(ev.year_reached)
    else:
        reached = text(lang, "not_reached") if ev.observed_yearly_change is not None else "—"
    prog = "—" if ev.progress is None else f"{100 * ev.progress:.0f}%"
    return [
        (text(lang, "baseline"), base),
        (text(lang, "latest"), latest),
        (text(lang, "goal"), _goal(t, lang)),
        (text(lang, "col_progress"), prog),
        (text(lang, "required_pace"), _change(ev.required_yearly_change, t.unit, lang)),
        (text(lang, "observed_pace"), _change(ev.observed_yearly_change, t.unit, lang)),
        (text(lang, "projection"), proj),
        (text(lang, "year_reached"), reached),
    ]


def _sources(
    evs: Sequence[Evaluation], layers_obs: Sequence[tuple[str, Any]], lang: str
) -> list[dict[str, str]]:
    uses: dict[tuple[str, str], list[str]] = {}
    for ev in evs:
        for o in ev.series:
            key = (o.source, str(o.provenance.get("source_url", "")))
            uses.setdefault(key, []).append(f"{ev.id} {o.period}")
    for label, o in layers_obs:
        key = (o.source, str(o.provenance.get("source_url", "")))
        uses.setdefault(key, []).append(label)
    out = []
    for (src, url), items in sorted(uses.items()):
        uniq = list(dict.fromkeys(items))
        shown = "; ".join(uniq[:8]) + (f" … (+{len(uniq) - 8})" if len(uniq) > 8 else "")
        out.append({"source": src, "url": url, "uses": shown})
    return out


def render_report(
    region: Region,
    *,
    lang: str = "zh",
    store: Any = None,
    as_of: int | None = None,
    thresholds: Thresholds | None = None,
    progress: ProgressFn | None = None,
    extra_steps: int = 0,
) -> str:
    """The report as one self-contained HTML document (figures inline as SVG data URIs).

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
    """
    _check_lang(lang)
    from jinja2 import Environment, PackageLoader

    th = thresholds or Thresholds.default()
    year = as_of if as_of is not None else date.today().year
    by_unit = values_by_unit(region, store=store, as_of=year)
    layers = choose_map_layers(by_unit)
    section_mods = len(SECTIONS)
    steps = _Steps(2 + len(region.targets) + len(layers) + section_mods + extra_steps, progress)

    evs = evaluate_region(region, store=store, as_of=year, thresholds=th)
    steps("evaluate")
    targets = {t.id: t for t in region.targets}
    names = indicator_names(region)
    zh = lang == "zh"

    rows, cards = [], []
    for ev in evs:
        t = targets[ev.id]
        name = t.name_zh if zh else t.name_en
        chart = target_chart_svg(ev, title=name, lang=lang)
        steps(f"chart {ev.id}")
        pct = None if ev.progress is None else round(100 * ev.progress)
        row = {
            "id": ev.id,
            "name": name,
            "chapter": t.chapter,
            "scope": scope_name(region, t.scope, lang),
            "goal": _goal(t, lang),
            "latest": "—"
            if ev.latest_value is None
            else f"{_value(ev.latest_value, t.unit, lang)} ({ev.latest_year})",
            "progress_pct": pct,
            "bar": max(0, min(100, pct or 0)),
            "status": str(ev.status),
            "status_label": ev.status.label(lang),
            "reason": ev.reason.text(lang),
        }
        rows.append(row)
        latest = ev.latest
        source = ""
        if latest is not None:
            kind = text(
                lang,
                "kind_computation" if latest.kind.value == "computation" else "kind_observation",
            )
            source = f"{latest.source} ({kind}; {text(lang, 'submitted_by')} {latest.submitted_by or '—'})"
        cards.append(
            row
            | {
                "chart": svg_data_uri(chart),
                "facts": _facts(ev, t, lang),
                "notes": [w.text(lang) for w in ev.warnings],
                "source": source,
                "source_url": str(latest.provenance.get("source_url", "")) if latest else "",
                "quote": t.source_quote or "",
            }
        )

    maps, layer_obs = [], []
    for layer in layers:
        nzh, nen, _unit = names.get(layer.indicator, (layer.indicator, layer.indicator, layer.unit))
        name = nzh if zh else nen
        unit_label = "%" if layer.unit == "pct" else MEASURE_UNITS[layer.unit][0 if zh else 1]
        title = text(lang, "map_title", name=name, year=layer.year, unit=unit_label)
        svg = choropleth_svg(region, layer, lang=lang)
        steps(f"map {layer.indicator}")
        maps.append(
            {
                "indicator": layer.indicator,
                "uri": svg_data_uri(svg),
                "title": title,
                "caption": title,
            }
        )
        for code, o in by_unit[layer.indicator][layer.year].items():
            layer_obs.append((f"{layer.indicator} {code} {layer.year}", o))

    extra = extra_sections(region, lang=lang)
    for _ in range(section_mods):
        steps("sections")

    counts = []
    for st in Status:
        n = sum(1 for e in evs if e.status is st)
        counts.append({"status": str(st), "label": st.label(lang), "n": n})
    sep = "，" if zh else ", "
    count_text = sep.join(f"{c['label']} {c['n']}" for c in counts if c["n"])
    m = region.manifest
    plan = m.plan_title_zh if zh else m.plan_title_en
    method = [
        p.format(
            conflict=th.conflict_rel_tolerance,
            eq=th.equal_tolerance_rel,
            risk=th.at_risk_min_projected_progress,
            compound=", ".join(sorted(th.compound_units)),
        )
        for p in METHOD_PARAGRAPHS[lang]
    ]
    env = Environment(loader=PackageLoader("metrocircle.report", "templates"), autoescape=True)
    html = env.get_template("report.html.j2").render(
        lang=lang,
        t=STRINGS[lang],
        meta={
            "title": text(lang, "title", plan=plan),
            "subtitle": text(lang, "subtitle"),
            "plan_ref": m.plan_ref,
            "as_of": year,
            "generated": date.today().isoformat(),
            "data_version": region.data_version,
            "audit_head": _audit_head(store),
        },
        summary_intro=text(lang, "summary_intro", n=len(evs), counts=count_text),
        counts=counts,
        rows=rows,
        cards=cards,
        maps=maps,
        extra=extra,
        methodology=method,
        sources=_sources(evs, layer_obs, lang),
    )
    steps("render")
    return html


def _audit_head(store: Any) -> str | None:
    """``#id sha256`` of the store's newest audit entry: printed so the chain is anchored.

    Whoever holds a report can later check that the log still contains this entry, so
    entries cannot be cut off the end unnoticed.
    """
    if store is None or not hasattr(store, "audit_head"):
        return None
    entry_id, digest = store.audit_head()
    return None if digest is None else f"#{entry_id} {digest}"


def write_pdf(html: str, path: Path, *, base: Path | None = None) -> Path:
    """Render the report HTML to PDF with WeasyPrint.

    Raises
    ------
    MetrocircleError
        When WeasyPrint is not installed (``pip install 'metrocircle[pdf]'``).
    """
    try:
        from weasyprint import HTML
    except ImportError as exc:
        msg = f"PDF output needs WeasyPrint: pip install 'metrocircle[pdf]' ({exc})"
        raise MetrocircleError(msg) from None
    HTML(string=html, base_url=str(base or path.parent)).write_pdf(str(path))
    return path


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
) -> Path:
    """Write the evaluation report to ``out_dir`` and return the HTML file's path.

    The HTML (``report-<dataset>-<lang>.html``) opens offline: styles inline, figures as
    inline SVG, no script, font or image loaded from anywhere. With ``pdf=True`` the same
    document is also rendered to a PDF beside it.

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
    """
    _check_lang(lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    last = [0, 0]

    def relay(label: str, done: int, total: int) -> None:
        last[:] = [done, total]
        if progress is not None:
            progress(label, done, total)

    html = render_report(
        region,
        lang=lang,
        store=store,
        as_of=as_of,
        thresholds=thresholds,
        progress=relay,
        extra_steps=1 if pdf else 0,
    )
    path = out / f"report-{region.name}-{lang}.html"
    path.write_text(html, encoding="utf-8")
    if pdf:
        write_pdf(html, path.with_suffix(".pdf"))
        relay("pdf", last[0] + 1, last[1])
    return path
