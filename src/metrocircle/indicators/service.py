"""Evaluate every target of a region: gather shipped, stored and computed values, then evaluate each (pure core).

Where a target's values come from, in the order they are layered (for a year given more
than once the later layer wins):

1. the dataset's shipped observations (``observations/observations.csv``);
2. observations in the store (imported or submitted), when a store is given;
3. the computation named in the target's ``computed_by`` (via the indicator registry).

Observed values then pass the authority rules (:mod:`metrocircle.indicators.authority`):
by default only official sources count (statistics bureaus, government documents, official
media quoting them); secondary values are flagged in the warnings and count only with
``include_secondary=True``, and never over an official value of the same year.

The dataset files are read in :mod:`metrocircle.indicators.shipped`, the store's records
converted in :mod:`metrocircle.indicators.stored`; their public names are re-exported here.

Years the target's scope has no value for are then derived from its parts where the
dataset's ``observations/aggregation.toml`` says how (a population-weighted urbanisation
rate of the area from its parts' rates, for example; :mod:`metrocircle.indicators.aggregate`),
labelled derived. When there is still no value for the target's own scope, a *stand-in*
declared in ``observations/stand_ins.csv`` (for example the whole municipality for the
metropolitan area) is used, and the evaluation says so in its warnings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from metrocircle._errors import MetrocircleError
from metrocircle.indicators.aggregate import AggregationRules, derive_area_values, load_aggregation
from metrocircle.indicators.authority import (
    AuthorityRules,
    prefer_official,
    select_by_authority,
)
from metrocircle.indicators.computations import Computations, computed_series, split_computed_by
from metrocircle.indicators.evaluate import evaluate_target
from metrocircle.indicators.model import Evaluation, Message, Observation, Thresholds
from metrocircle.indicators.registry import ComputeContext, get_indicator
from metrocircle.indicators.shipped import (
    StandIn,
    indicator_names,
    load_shipped_observations,
    load_stand_ins,
    observations_path,
    scope_name,
    short_scope_name,
)
from metrocircle.indicators.stored import (
    rec_scope,
    store_observation,
    store_observations,
    store_series,
)
from metrocircle.schema import TargetRow

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "SeriesOptions",
    "StandIn",
    "evaluate_region",
    "gather_series",
    "indicator_names",
    "load_shipped_observations",
    "load_stand_ins",
    "observations_path",
    "scope_name",
    "short_scope_name",
    "split_computed_by",
    "store_observations",
    "values_by_unit",
]

logger = logging.getLogger(__name__)


def _needs(region: Region, target: TargetRow) -> Message:
    """What a data officer must submit for a target without data, in words (no commands, no ids).

    The indicator as the plan words it, where, which years and the unit of measure, worded
    as the report words it (one catalogue entry); a target the package can also compute says
    that the model's inputs would do too.
    """
    from metrocircle import fmt, messages
    from metrocircle.report.words import quoted_name, scope_words, unit_name

    key = "reason.no_data"
    if target.computed_by:
        try:
            get_indicator(split_computed_by(target.computed_by)[0])
            key = "reason.no_data_computed"
        except MetrocircleError:
            pass

    def say(lg: str) -> str:
        since = target.baseline_year
        years = (
            messages.text("report.needed_years_after", lg, year=fmt.year(since))
            if since
            else messages.text("report.needed_any_year", lg)
        )
        return messages.text(
            key,
            lg,
            scope=scope_words(region, target.scope, lg),
            name=quoted_name(target, lg),
            years=years,
            unit=unit_name(target.unit, lg),
        )

    return Message("no_data", say("zh"), say("en"))


@dataclass(frozen=True)
class SeriesOptions:
    """How :func:`gather_series` treats sources: authority rules, the secondary switch, aggregation."""

    include_secondary: bool = False
    authority: AuthorityRules | None = None
    aggregation: AggregationRules | None = None
    as_of: int | None = None


def gather_series(
    region: Region,
    target: TargetRow,
    *,
    shipped: Iterable[Observation],
    stand_ins: Iterable[StandIn] = (),
    store: Any = None,
    computations: Computations | None = None,
    options: SeriesOptions | None = None,
) -> tuple[list[Observation], list[Message]]:
    """Every value of ``target``'s indicator and scope that counts, and notes on them.

    Layered shipped → store → computed, filtered by authority (official only unless
    ``options.include_secondary``; official always wins over secondary for a year), then
    completed with values derived from the scope's parts, then — if still empty — a stand-in.
    """
    opt = options or SeriesOptions()
    rules = opt.authority or AuthorityRules.default()
    shipped = [o for o in shipped if opt.as_of is None or o.period <= opt.as_of]
    notes: list[Message] = []

    def observed(indicator: str, scope: str) -> list[Observation]:
        got = [o for o in shipped if o.scope == scope and o.indicator == indicator]
        if store is not None:
            got += store_series(store, indicator, scope)
        return [o for o in got if opt.as_of is None or o.period <= opt.as_of]

    def counted(obs: list[Observation]) -> tuple[list[Observation], list[Message]]:
        return select_by_authority(obs, include_secondary=opt.include_secondary, rules=rules)

    series, auth_notes = counted(observed(target.indicator, target.scope))
    notes += auth_notes
    if target.computed_by and computations is not None:
        comp, comp_notes = computed_series(computations, target.computed_by, target)
        series += comp
        notes += comp_notes
    agg = opt.aggregation if opt.aggregation is not None else load_aggregation(region)
    derived = [
        o
        for o in derive_area_values(
            target.indicator,
            target.scope,
            rules=agg,
            values_of=observed,
            skip_years={o.period for o in series},
            name_of=lambda sc: short_scope_name(region, sc),
            include_secondary=opt.include_secondary,
            authority=rules,
        )
        if o.unit == target.unit
    ]
    if derived:
        years = "、".join(str(o.period) for o in derived)
        notes.append(
            Message(
                "derived_from_parts",
                f"{years} 年数值由本范围各组成部分的数值派生（方法见各数值说明），不是已发布的数值。",
                f"The value(s) for {', '.join(str(o.period) for o in derived)} are derived from the "
                "values of this scope's parts (method in each value's statement), not published as such.",
            )
        )
        series += derived
    if not series:
        for s in stand_ins:
            if s.indicator == target.indicator and s.stands_for == target.scope:
                proxy, proxy_notes = counted(observed(target.indicator, s.scope))
                if proxy:
                    series = proxy
                    notes += proxy_notes
                    name_zh = s.scope_name_zh or scope_name(region, s.scope, "zh")
                    name_en = s.scope_name_en or scope_name(region, s.scope, "en")
                    notes.append(
                        Message(
                            "stand_in",
                            f"本目标暂无本范围数据，以{name_zh}（{s.scope}）数据代替：{s.caveat.zh}",
                            f"No values for this scope: values for {name_en} ({s.scope}) stand in. {s.caveat.en}",
                        )
                    )
                    break
    kept = [o for o in series if not o.unit or o.unit == target.unit]
    dropped = [o for o in series if o.unit and o.unit != target.unit]
    if dropped:
        units = sorted({o.unit for o in dropped})
        notes.append(
            Message(
                "unit_mismatch",
                f"忽略 {len(dropped)} 个单位为 {', '.join(units)} 的数值（目标单位为 {target.unit}）。",
                f"Ignored {len(dropped)} value(s) in {', '.join(units)} (the target is in {target.unit}).",
            )
        )
    return kept, notes


def _derived_notes(series: list[Observation]) -> list[Message]:
    if not series:
        return []
    latest = max(series, key=lambda o: o.period)
    if "派生" in latest.note:
        return [
            Message(
                "derived_value",
                f"{latest.period} 年数值为派生值：{latest.note}",
                f"The {latest.period} value is derived from published figures, not published as such "
                f"(see the statement: {latest.note}).",
            )
        ]
    if "推定" in latest.note:
        return [
            Message(
                "inferred_attribution",
                f"{latest.period} 年数值的归属为推定：{latest.note}",
                f"The {latest.period} value's attribution to this unit is inferred, not stated by the source.",
            )
        ]
    return []


def evaluate_region(
    region: Region,
    *,
    store: Any = None,
    as_of: int | None = None,
    thresholds: Thresholds | None = None,
    targets: Iterable[TargetRow] | None = None,
    params: Mapping[str, Any] | None = None,
    include_secondary: bool = False,
    authority: AuthorityRules | None = None,
) -> list[Evaluation]:
    """Evaluate every target of ``region`` (in file order).

    Parameters
    ----------
    region
        The loaded dataset.
    store
        A :class:`metrocircle.store.Store` whose observations are added (optional).
    as_of
        Evaluation year (calendar year); values after it are ignored. Default: this year.
    thresholds
        Status thresholds; defaults from ``indicators/data/thresholds.toml``.
    targets
        A subset of the region's targets (default: all).
    params
        Options passed to computations through :class:`ComputeContext`.
    include_secondary
        Let values from secondary sources count where a year has no official value
        (default: official sources only; secondary values are named in the warnings).
    authority
        Authority rules (default: ``indicators/data/authority.toml``).

    Returns
    -------
    list of Evaluation
        One per target; a target without data has status ``no_data`` and says what it needs.

    Examples
    --------
    >>> from metrocircle.region import load_region
    >>> evs = evaluate_region(load_region("chongqing"), as_of=2025)
    >>> len(evs) == len(load_region("chongqing").targets)
    True
    """
    year = as_of if as_of is not None else date.today().year
    th = thresholds or Thresholds.default()
    rules = authority or AuthorityRules.default()
    shipped = load_shipped_observations(region, authority=rules)
    stand_ins = load_stand_ins(region)
    comps = Computations(ComputeContext(region=region, params=dict(params or {}), store=store))
    opts = SeriesOptions(include_secondary, rules, load_aggregation(region), year)
    out: list[Evaluation] = []
    for t in targets if targets is not None else region.targets:
        series, notes = gather_series(
            region,
            t,
            shipped=shipped,
            stand_ins=stand_ins,
            store=store,
            computations=comps,
            options=opts,
        )
        series = [o for o in series if o.period <= year]
        notes += _derived_notes(series)
        out.append(
            evaluate_target(
                t,
                series,
                as_of=year,
                thresholds=th,
                needs=_needs(region, t),
                notes=notes,
                provenance={
                    "data_version": region.data_version,
                    "dataset": region.name,
                    "sources_counted": "official and secondary"
                    if include_secondary
                    else "official only",
                },
            )
        )
    return out


def values_by_unit(
    region: Region, *, store: Any = None, as_of: int | None = None
) -> dict[str, dict[int, dict[str, Observation]]]:
    """Values of every indicator per county-level unit and year: ``{indicator: {year: {code: Observation}}}``.

    Shipped values first, stored ones after them; of several for a unit and year the last
    official one is shown, else the last given (a secondary value stays visible, flagged by
    its ``source_kind``, where no official value exists). Values after ``as_of`` (default:
    this year) are left out.
    """
    year = as_of if as_of is not None else date.today().year
    codes = set(region.county_codes)
    pool = [o for o in load_shipped_observations(region) if o.scope in codes]
    if store is not None:
        pool += [store_observation(r) for r in store.observations() if rec_scope(r) in codes]
    grouped: dict[str, dict[int, dict[str, list[Observation]]]] = {}
    for o in pool:
        if o.period <= year:
            grouped.setdefault(o.indicator, {}).setdefault(o.period, {}).setdefault(
                o.scope, []
            ).append(o)
    return {
        ind: {
            y: {code: prefer_official(obs) for code, obs in per_year[y].items()}
            for y in sorted(per_year)
        }
        for ind, per_year in sorted(grouped.items())
    }
