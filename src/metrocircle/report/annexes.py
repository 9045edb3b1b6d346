"""The report's annexes as plain data: the data gaps (what each data officer must submit) and the sources by authority."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from metrocircle import fmt
from metrocircle.indicators.model import Status
from metrocircle.messages import text
from metrocircle.report import words
from metrocircle.report.chapters import _name, _sep

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metrocircle.indicators.model import Evaluation, Observation
    from metrocircle.region import Region

__all__ = ["annex_gaps", "annex_sources", "place_names", "source_title"]


def annex_gaps(region: Region, evs: Sequence[Evaluation], as_of: int, lang: str) -> list[list[str]]:
    """What each target without usable data still needs: indicator, unit of measure, scope, years."""
    targets = {t.id: t for t in region.targets}
    rows = []
    for e in evs:
        if e.status is not Status.NO_DATA:
            continue
        t = targets[e.id]
        start = (e.latest_year or t.baseline_year or region.manifest.plan_year) + (
            1 if (e.latest_year or t.baseline_year) else 0
        )
        years = (
            text("report.years_after", lang, year=fmt.year(start))
            if e.latest_year or t.baseline_year
            else text(
                "report.years_any",
                lang,
                start=fmt.year(region.manifest.plan_year),
                end=fmt.year(as_of),
            )
        )
        rows.append(
            [
                _name(t, lang),
                words.unit_name(t.unit, lang),
                words.scope_words(region, t.scope, lang),
                years,
                words.section_words(t.chapter, lang),
            ]
        )
    return rows


def _authority(o: Observation, lang: str) -> str:
    if str(o.kind) == "computation":
        return text("report.authority_model", lang)
    pub = str(o.provenance.get("publisher", "") or "").strip()
    if pub.startswith("metrocircle"):  # a value the evaluation derived from published parts
        return text("report.authority_derived", lang)
    return pub or text("report.authority_unknown", lang)


def source_title(o: Observation, lang: str) -> str:
    if str(o.kind) == "computation":
        from metrocircle.indicators.registry import get_indicator

        ind = str(o.provenance.get("indicator", "") or o.indicator)
        try:
            spec = get_indicator(ind)
        except (KeyError, ValueError):
            return text("report.authority_model", lang)
        return spec.name_zh if lang == "zh" else spec.name_en
    pub = str(o.provenance.get("publication", "") or "").strip()
    return pub or o.source


def place_names(region: Region) -> dict[str, str]:
    """Chinese → English names the sources use: the units, the area and the plan."""
    from typing import cast

    m = region.manifest
    out = {
        str(region.units.at[c, "name_zh"]): str(region.units.at[c, "name_en"])
        for c in region.units.index
    }
    out[m.title_zh] = m.title_en
    out[m.plan_title_zh] = cast(str, getattr(m, "plan_title_en", "") or m.title_en)
    return out


def annex_sources(
    uses: Sequence[tuple[Observation, str, str]],
    lang: str,
    places: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Sources grouped by authority: [{authority, rows: [{title, url, uses}]}], each use ``(obs, indicator name, year)``.

    Titles and authorities are markup: in the English edition an English rendering with
    the Chinese original beside it (:func:`metrocircle.report.gloss.cite`).
    """
    from metrocircle.report.gloss import cite

    groups: dict[str, dict[tuple[str, str], dict[str, list[str]]]] = {}
    for o, name, yr in uses:
        auth = _authority(o, lang)
        key = (source_title(o, lang), str(o.provenance.get("source_url", "") or ""))
        groups.setdefault(auth, {}).setdefault(key, {}).setdefault(name, [])
        years = groups[auth][key][name]
        if yr not in years:
            years.append(yr)
    model = text("report.authority_model", lang)
    unknown = text("report.authority_unknown", lang)
    order = sorted(groups, key=lambda a: (a in (model, unknown), a == unknown, a))
    out = []
    for auth in order:
        rows = []
        for (title, url), items in sorted(groups[auth].items()):
            parts = [
                f"{n}（{'、'.join(sorted(ys))}）"
                if lang == "zh"
                else f"{n} ({', '.join(sorted(ys))})"
                for n, ys in items.items()
            ]
            rows.append(
                {"title": cite(title, lang, places), "url": url, "uses": _sep(lang).join(parts)}
            )
        out.append({"authority": cite(auth, lang, places, publisher=True), "rows": rows})
    return out
