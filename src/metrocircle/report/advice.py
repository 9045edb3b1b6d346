"""Chapters 5 and 6 of the evaluation report: the problems and risks, ranked, and the recommendations that follow from the data."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from metrocircle.indicators.model import Status
from metrocircle.messages import text
from metrocircle.report import words
from metrocircle.report.chapters import BEHIND, TransportFacts, _chapters_of, _lagging, _name, _sep

if TYPE_CHECKING:
    from collections.abc import Sequence

    from metrocircle.indicators.model import Evaluation
    from metrocircle.region import Region

__all__ = ["recommendations", "risks"]


def risks(region: Region, evs: Sequence[Evaluation], lang: str) -> list[tuple[str, str]]:
    """Problems ranked by severity: (severity label, problem in words)."""
    targets = {t.id: t for t in region.targets}
    out: list[tuple[int, float, str]] = []
    for e in evs:
        t = targets[e.id]
        if e.status in BEHIND:
            sev = 0 if e.status is Status.OFF_TRACK else 1
            gap = e.progress if e.progress is not None and math.isfinite(e.progress) else 0.0
            out.append(
                (
                    sev,
                    gap,
                    text(
                        "report.risk_gap",
                        lang,
                        name=_name(t, lang),
                        reason=words.reason_text(e, t, region, lang),
                    ),
                )
            )
    for e in evs:
        t = targets[e.id]
        if e.latest is not None and str(e.latest.kind) == "computation":
            out.append((1, 1.0, text("report.risk_modelled", lang, name=_name(t, lang))))
        for w in e.warnings:
            if w.code in (
                "stand_in",
                "derived_value",
                "inferred_attribution",
                "conflicting_values",
            ):
                notes = words.note_texts(e, t, region, lang)
                note = next((n for n in notes if n), "")
                out.append((2, 1.0, text("report.risk_data", lang, name=_name(t, lang), note=note)))
                break
    nodata = [e for e in evs if e.latest_value is None]
    if nodata:
        out.append(
            (
                1,
                2.0,
                text(
                    "report.risk_no_data",
                    lang,
                    n=len(nodata),
                    chapters=_chapters_of(region, nodata, lang),
                ),
            )
        )
    single = [e for e in evs if e.latest_value is not None and e.status is Status.NO_DATA]
    for e in single:
        out.append(
            (
                2,
                2.0,
                text(
                    "report.risk_gap",
                    lang,
                    name=_name(targets[e.id], lang),
                    reason=words.reason_text(e, targets[e.id], region, lang),
                ),
            )
        )
    labels = [
        text("report.sev_high", lang),
        text("report.sev_medium", lang),
        text("report.sev_low", lang),
    ]
    seen: list[tuple[str, str]] = []
    for sev, _gap, s in sorted(out, key=lambda x: (x[0], x[1])):
        if all(s != x[1] for x in seen):
            seen.append((labels[sev], s))
    return seen


def _helpful_projects(region: Region, tf: TransportFacts, lang: str, n: int = 3) -> list[str]:
    if tf.ranking is None:
        return []
    names = {p.id: (p.name_zh if lang == "zh" else p.name_en) for p in region.projects}
    r = tf.ranking[
        tf.ranking["project"].isin(list(names)) & (tf.ranking["mean_minutes_add_one"] > 0)
    ]
    r = r.sort_values("mean_minutes_add_one", ascending=False).head(n)
    return [names[str(p)] for p in r["project"]]


def recommendations(
    region: Region, evs: Sequence[Evaluation], tf: TransportFacts, lang: str
) -> list[str]:
    """Recommendations that follow from the data: targets behind, lagging units, data to report."""
    targets = {t.id: t for t in region.targets}
    out = []
    for e in evs:
        if e.status not in BEHIND:
            continue
        t = targets[e.id]
        cb = t.computed_by or ""
        helpful = (
            _helpful_projects(region, tf, lang)
            if cb.startswith("access.") and "rail_reach" not in cb
            else []
        )
        action = (
            text("report.rec_action_projects", lang, projects=_sep(lang).join(helpful))
            if helpful
            else text("report.rec_action_generic", lang)
        )
        out.append(
            text(
                "report.rec_behind",
                lang,
                name=_name(t, lang),
                latest=words.value_year(e.latest_value, e.latest_year, t.unit, lang),
                goal=words.goal(t, lang),
                action=action,
            )
        )
    lag = _lagging(region, tf, lang)
    if lag:
        out.append(
            text("report.rec_units", lang, n=len(lag), items=_sep(lang).join(n for n, _m in lag))
        )
    single = [
        _name(targets[e.id], lang)
        for e in evs
        if e.latest_value is not None and e.status is Status.NO_DATA
    ]
    if single:
        out.append(text("report.rec_single", lang, names=_sep(lang).join(single)))
    nodata = [e for e in evs if e.latest_value is None]
    if nodata:
        out.append(
            text(
                "report.rec_data", lang, n=len(nodata), chapters=_chapters_of(region, nodata, lang)
            )
        )
    if any(e.latest is not None and str(e.latest.kind) == "computation" for e in evs):
        out.append(text("report.rec_modelled", lang))
    return out
