"""Offline SVG figures of the report: one chart per target and choropleth maps of the units (matplotlib)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from metrocircle import fmt
from metrocircle.indicators.evaluate import project
from metrocircle.indicators.model import Evaluation, ObservationKind
from metrocircle.report._fonts import cjk_font_family
from metrocircle.report.i18n import text
from metrocircle.schema import MEASURE_UNITS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from metrocircle.indicators.model import Observation
    from metrocircle.region import Region

__all__ = ["MapLayer", "choose_map_layers", "choropleth_svg", "svg_data_uri", "target_chart_svg"]

_COLOURS = {
    "observed": "#1f5fa8",
    "computed": "#7b3fa0",
    "baseline": "#555555",
    "target": "#c0392b",
    "projection": "#e67e22",
    "band": "#f5cba7",
}
_PROJECTION_CAP_YEARS = 15
"""How far a projection is drawn for a target without a target year (years after the latest value)."""


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(
        {
            "font.family": [cjk_font_family()],
            "svg.fonttype": "path",
            "svg.hashsalt": "metrocircle",
            "axes.unicode_minus": False,
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


def _to_svg(fig: Figure) -> str:
    # fixed margins (set on each figure) instead of bbox_inches="tight": one draw pass, not two
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def svg_data_uri(svg: str) -> str:
    """An SVG document as a ``data:`` URI for ``<img src>`` (self-contained, no id clashes)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _unit_label(unit: str, lang: str) -> str:
    zh, en, _lo, _hi = MEASURE_UNITS.get(unit, (unit, unit, None, None))
    return zh if lang == "zh" else en


def target_chart_svg(ev: Evaluation, *, title: str, lang: str) -> str:
    """Chart of one target: values, baseline, target line, projection and its band, target year.

    Parameters
    ----------
    ev
        The evaluation (its ``series`` are the values drawn).
    title
        Chart title (the target's name in ``lang``).
    lang
        ``"zh"`` or ``"en"`` for the labels.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with _style():
        fig = Figure(figsize=(6.4, 3.0))
        fig.subplots_adjust(left=0.11, right=0.98, bottom=0.16, top=0.9)
        ax = fig.add_subplot()
        years: list[int] = []
        obs = [o for o in ev.series if o.kind is ObservationKind.OBSERVATION]
        comp = [o for o in ev.series if o.kind is ObservationKind.COMPUTATION]
        if ev.series:
            ax.plot(
                [o.period for o in ev.series],
                [o.value for o in ev.series],
                color=_COLOURS["observed"],
                linewidth=1.2,
                zorder=3,
            )
        if obs:
            ax.scatter(
                [o.period for o in obs],
                [o.value for o in obs],
                color=_COLOURS["observed"],
                s=22,
                zorder=4,
                label=text(lang, "chart_observed"),
            )
        if comp:
            ax.scatter(
                [o.period for o in comp],
                [o.value for o in comp],
                color=_COLOURS["computed"],
                marker="s",
                s=26,
                zorder=4,
                label=text(lang, "chart_computed"),
            )
        years += [o.period for o in ev.series]
        if (
            ev.baseline_value is not None
            and ev.baseline_year is not None
            and ev.baseline_origin == "plan"
        ):
            ax.scatter(
                [ev.baseline_year],
                [ev.baseline_value],
                facecolors="none",
                edgecolors=_COLOURS["baseline"],
                marker="D",
                s=36,
                zorder=5,
                label=text(lang, "chart_baseline"),
            )
            years.append(ev.baseline_year)
        end = _projection_end(ev)
        if end is not None and ev.latest_value is not None and ev.latest_year is not None:
            _draw_projection(ax, ev, end, lang)
            years.append(end)
        if ev.target_year is not None:
            years.append(ev.target_year)
            ax.axvline(ev.target_year, color=_COLOURS["target"], linestyle=":", linewidth=1)
            ax.annotate(
                f"{text(lang, 'chart_target_year')} {ev.target_year}",
                (ev.target_year, 1.0),
                xycoords=("data", "axes fraction"),
                ha="right",
                va="top",
                fontsize=7,
                color=_COLOURS["target"],
                rotation=90,
            )
        ax.axhline(
            ev.target_value,
            color=_COLOURS["target"],
            linestyle="--",
            linewidth=1.2,
            label=_target_label(ev, lang),
        )
        if not years:
            ax.set_xlim(2019.5, 2026.5)
        else:
            lo, hi = min(years), max(years)
            ax.set_xlim(lo - 0.7, max(hi, lo + 2) + 0.7)
        if not ev.series:
            ax.text(
                0.5,
                0.5,
                text(lang, "chart_no_data"),
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=14,
                color="#999999",
            )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(text(lang, "year"))
        ax.set_ylabel(_unit_label(ev.unit, lang))
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        ax.legend(fontsize=7, loc="best", frameon=False)
        return _to_svg(fig)


def _projection_end(ev: Evaluation) -> int | None:
    if ev.observed_yearly_change is None or ev.latest_year is None:
        return None
    if ev.target_year is not None:
        return ev.target_year if ev.target_year > ev.latest_year else None
    if ev.year_reached is not None and ev.year_reached > ev.latest_year:
        return min(ev.year_reached, ev.latest_year + _PROJECTION_CAP_YEARS)
    return None


def _draw_projection(ax: Any, ev: Evaluation, end: int, lang: str) -> None:
    value, year = ev.latest_value, ev.latest_year
    if value is None or year is None or ev.observed_yearly_change is None:
        return
    pace = ev.observed_yearly_change
    rate = ev.observed_growth_rate
    method = ev.projection_method or "linear"
    ys = list(range(year, end + 1))
    main = [project(value, year, y, method=method, pace=pace, rate=rate) for y in ys]
    lin = [project(value, year, y, method="linear", pace=pace) for y in ys]
    comp = (
        [project(value, year, y, method="compound", pace=pace, rate=rate) for y in ys]
        if rate is not None
        else lin
    )
    lo = [min(a, b) for a, b in zip(lin, comp, strict=True)]
    hi = [max(a, b) for a, b in zip(lin, comp, strict=True)]
    ax.fill_between(
        ys, lo, hi, color=_COLOURS["band"], alpha=0.7, linewidth=0, label=text(lang, "chart_band")
    )
    ax.plot(
        ys,
        main,
        color=_COLOURS["projection"],
        linestyle="--",
        linewidth=1.2,
        label=text(lang, "chart_projection"),
    )


@dataclass(frozen=True)
class MapLayer:
    """One choropleth: an indicator's values per unit code in one year."""

    indicator: str
    year: int
    unit: str
    values: Mapping[str, float]


def choose_map_layers(
    by_unit: Mapping[str, Mapping[int, Mapping[str, Observation]]],
    *,
    first: tuple[str, ...] = ("resident_population", "urbanisation_rate_pct"),
    min_units: int = 2,
) -> list[MapLayer]:
    """One layer per indicator: the year covering the most units (the latest on a tie).

    Indicators in ``first`` come first; those with fewer than ``min_units`` units are left out.
    """
    layers: list[MapLayer] = []
    for ind, per_year in by_unit.items():
        if not per_year:
            continue
        year = max(per_year, key=lambda y: (len(per_year[y]), y))
        vals = per_year[year]
        if len(vals) < min_units:
            continue
        unit = next(iter(vals.values())).unit
        layers.append(MapLayer(ind, year, unit, {c: o.value for c, o in vals.items()}))
    order = {k: i for i, k in enumerate(first)}
    return sorted(
        layers, key=lambda layer: (order.get(layer.indicator, len(order)), layer.indicator)
    )


def choropleth_svg(region: Region, layer: MapLayer, *, lang: str) -> str:
    """Choropleth of ``layer`` over the county-level units, each labelled with its name (title goes in the caption).

    Drawn in the dataset's metric CRS (``manifest.metric_crs``), boundaries simplified to
    200 m for drawing only; units without a value are grey.
    """
    from matplotlib.figure import Figure

    gdf = _map_frame(region)
    gdf = gdf.assign(value=[layer.values.get(c) for c in gdf["code"]])
    with _style():
        fig = Figure(figsize=(6.4, 5.2))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.98)
        ax = fig.add_subplot()
        has = gdf[gdf["value"].notna()]
        none = gdf[gdf["value"].isna()]
        if len(none):
            none.plot(ax=ax, color="#dddddd", edgecolor="white", linewidth=0.5, hatch="///")
        has.plot(
            ax=ax,
            column="value",
            cmap="YlGnBu",
            edgecolor="white",
            linewidth=0.5,
            legend=True,
            legend_kwds={"shrink": 0.6, "label": _unit_label(layer.unit, lang)},
        )
        name_col = "name_zh" if lang == "zh" else "name_en"
        for _, row in gdf.iterrows():
            pt = row["label_point"]
            label = str(row[name_col])
            if lang == "en":
                label = label.replace(" District", "").replace(" County", "").replace(" City", "")
            ax.annotate(
                label, (pt.x, pt.y), ha="center", va="center", fontsize=5.5, color="#222222"
            )
        ax.set_axis_off()
        if len(none):
            ax.annotate(
                f"▨ {text(lang, 'map_no_data')}",
                (0.0, 0.0),
                xycoords="axes fraction",
                fontsize=7,
                color="#666666",
            )
        return _to_svg(fig)


_FRAMES: dict[tuple[str, str], Any] = {}


def _map_frame(region: Region) -> Any:
    key = (str(region.path), region.data_version)
    if key not in _FRAMES:
        counties = region.units.loc[list(region.county_codes)]
        metric = counties.to_crs(region.manifest.metric_crs)
        metric = metric.assign(geometry=metric.geometry.simplify(200.0, preserve_topology=True))
        metric = metric.assign(label_point=metric.geometry.representative_point())
        _FRAMES[key] = metric[["code", "name_zh", "name_en", "geometry", "label_point"]]
    return _FRAMES[key]


def _target_label(ev: Evaluation, lang: str) -> str:
    """The target line's legend in words: 目标值不低于80 / target at least 80 (never ``>=``)."""
    direction = str(getattr(ev.direction, "value", ev.direction))
    words = fmt.direction_words(direction, lang)
    value = fmt.number(ev.target_value, lang=lang)
    if lang == "zh":
        return f"{text(lang, 'chart_target')}{words}{value}"
    return f"{text(lang, 'chart_target')} {words} {value}"
