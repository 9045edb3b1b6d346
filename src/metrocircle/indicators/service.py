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

Years the target's scope has no value for are then derived from its parts where the
dataset's ``observations/aggregation.toml`` says how (a population-weighted urbanisation
rate of the area from its parts' rates, for example; :mod:`metrocircle.indicators.aggregate`),
labelled derived. When there is still no value for the target's own scope, a *stand-in*
declared in ``observations/stand_ins.csv`` (for example the whole municipality for the
metropolitan area) is used, and the evaluation says so in its warnings.
"""

from __future__ import annotations

import csv
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import DataValidationError, MetrocircleError, Problem
from metrocircle.indicators.aggregate import AggregationRules, derive_area_values, load_aggregation
from metrocircle.indicators.authority import (
    AuthorityRules,
    prefer_official,
    select_by_authority,
    stored_kind,
)
from metrocircle.indicators.computations import Computations, computed_series, split_computed_by
from metrocircle.indicators.evaluate import evaluate_target
from metrocircle.indicators.model import (
    Evaluation,
    Message,
    Observation,
    ObservationKind,
    Thresholds,
)
from metrocircle.indicators.registry import ComputeContext, get_indicator
from metrocircle.schema import MEASURE_UNITS, ROLES, TargetRow

if TYPE_CHECKING:
    from metrocircle.region import Region
    from metrocircle.store import ObservationRecord

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

_OBS_DEFAULT = "observations/observations.csv"
_STAND_INS = "observations/stand_ins.csv"
_INDICATORS = "observations/indicators.csv"
_SCOPE_RE = re.compile(r"^(region|\d{6}|group:[a-z_]+)$")
_OBS_REQUIRED = ("indicator", "scope", "period", "value", "unit", "source")
_PROVENANCE = ("source_url", "statement_zh", "published_date", "publisher", "publication")


@dataclass(frozen=True)
class StandIn:
    """Values of ``indicator`` for ``scope`` may stand in for ``stands_for``, with a caveat."""

    indicator: str
    scope: str
    stands_for: str
    caveat: Message
    scope_name_zh: str = ""
    scope_name_en: str = ""


def observations_path(region: Region) -> Path | None:
    """The dataset's observations file: the manifest entry ``observations`` or ``observations/observations.csv``."""
    if region.has_file("observations"):
        return region.file("observations")
    p = region.path / _OBS_DEFAULT
    return p if p.is_file() else None


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), [dict(r) for r in reader]


def load_shipped_observations(
    region: Region, *, authority: AuthorityRules | None = None
) -> list[Observation]:
    """Read the dataset's observations file into :class:`Observation` objects (all or nothing).

    The provenance of each carries ``source_kind`` (the authority rules' default kind when
    the file has no such column), ``publisher``, ``publication``, ``source_url``,
    ``statement_zh`` and ``published_date`` where given, and ``file`` (name:line).

    Raises
    ------
    DataValidationError
        Naming file, line and field of every bad row (missing column, non-numeric value or
        year, unknown unit of measure, malformed scope, unknown source kind).
    """
    rules = authority or AuthorityRules.default()
    path = observations_path(region)
    if path is None:
        return []
    name = path.name
    header, rows = _read_csv(path)
    problems = [
        Problem(name, 1, c, "required column is missing") for c in _OBS_REQUIRED if c not in header
    ]
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid observations file")
    out: list[Observation] = []
    for i, r in enumerate(rows, start=2):
        bad: list[Problem] = []
        scope = (r.get("scope") or "").strip()
        unit = (r.get("unit") or "").strip()
        if not _SCOPE_RE.match(scope):
            bad.append(
                Problem(
                    name, i, "scope", f"not 'region', a 6-digit code or 'group:<id>': {scope!r}"
                )
            )
        if unit not in MEASURE_UNITS:
            bad.append(Problem(name, i, "unit", f"unknown unit of measure {unit!r}"))
        try:
            period = int((r.get("period") or "").strip())
        except ValueError:
            bad.append(Problem(name, i, "period", f"not a year: {r.get('period')!r}"))
            period = 0
        try:
            value = float((r.get("value") or "").strip())
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            bad.append(Problem(name, i, "value", f"not a number: {r.get('value')!r}"))
            value = math.nan
        if not (r.get("source") or "").strip():
            bad.append(Problem(name, i, "source", "every observation needs its source"))
        kind = (r.get("source_kind") or "").strip() or rules.default_kind
        if kind not in rules.kinds:
            bad.append(
                Problem(
                    name,
                    i,
                    "source_kind",
                    f"unknown source kind {kind!r}; expected one of {sorted(rules.kinds)}",
                )
            )
        problems.extend(bad)
        if bad:
            continue
        prov = {k: (r.get(k) or "").strip() for k in _PROVENANCE if (r.get(k) or "").strip()}
        prov["source_kind"] = kind
        prov["file"] = f"{name}:{i}"
        statement = prov.get("statement_zh", "")
        out.append(
            Observation(
                value=value,
                period=period,
                source=r["source"].strip(),
                submitted_by=(r.get("submitted_by") or "").strip() or "dataset",
                kind=ObservationKind.OBSERVATION,
                provenance=prov,
                scope=scope,
                unit=unit,
                note=statement if "派生" in statement or "推定" in statement else "",
                indicator=(r.get("indicator") or "").strip(),
            )
        )
    if problems:
        raise DataValidationError(problems, summary=f"{name}: {len(problems)} problem(s)")
    return out


def load_stand_ins(region: Region) -> list[StandIn]:
    """Read ``observations/stand_ins.csv``, if present.

    Columns: indicator, scope, scope_name_zh, scope_name_en, stands_for, caveat_zh, caveat_en.
    """
    path = region.path / _STAND_INS
    if not path.is_file():
        return []
    header, rows = _read_csv(path)
    cols = (
        "indicator",
        "scope",
        "scope_name_zh",
        "scope_name_en",
        "stands_for",
        "caveat_zh",
        "caveat_en",
    )
    problems = [
        Problem(path.name, 1, c, "required column is missing") for c in cols if c not in header
    ]
    for i, r in enumerate(rows, start=2):
        for c in cols:
            if not (r.get(c) or "").strip():
                problems.append(Problem(path.name, i, c, "is empty"))
    if problems:
        raise DataValidationError(problems, summary=f"{path.name}: invalid stand-ins file")
    return [
        StandIn(
            r["indicator"].strip(),
            r["scope"].strip(),
            r["stands_for"].strip(),
            Message("stand_in", r["caveat_zh"].strip(), r["caveat_en"].strip()),
            r["scope_name_zh"].strip(),
            r["scope_name_en"].strip(),
        )
        for r in rows
    ]


def indicator_names(region: Region) -> dict[str, tuple[str, str, str]]:
    """Indicator id → (Chinese name, English name, unit) from ``observations/indicators.csv``, the targets and the registry."""
    from metrocircle.indicators.registry import list_indicators

    out: dict[str, tuple[str, str, str]] = {
        s.id: (s.name_zh, s.name_en, s.unit) for s in list_indicators()
    }
    path = region.path / _INDICATORS
    if path.is_file():
        _, rows = _read_csv(path)
        for r in rows:
            out[r["id"].strip()] = (r["name_zh"].strip(), r["name_en"].strip(), r["unit"].strip())
    for t in region.targets:
        out.setdefault(t.indicator, (t.name_zh, t.name_en, t.unit))
    return out


def scope_name(region: Region, scope: str, lang: str = "zh") -> str:
    """Human name of a scope code in ``lang``."""
    zh = lang == "zh"
    if scope == "region":
        return region.manifest.title_zh if zh else region.manifest.title_en
    if scope.isdigit() and scope in region.unit_codes:
        u = region.unit(scope)
        return u.name_zh if zh else u.name_en
    if scope.startswith("group:") and scope[6:] in ROLES:
        zh_name, en_name = ROLES[scope[6:]]
        return zh_name if zh else en_name
    extra = getattr(region.manifest, "extra_scopes", {}) or {}
    return str(extra.get(scope, scope))


def short_scope_name(region: Region, scope: str, lang: str = "zh") -> str:
    """A scope's name without the explanation an extra scope's declaration carries.

    >>> from metrocircle.region import load_region
    >>> short_scope_name(load_region("chongqing"), "group:cq_metro_districts")
    '主城都市区'
    """
    name = scope_name(region, scope, lang)
    return re.split(r"[:：(（]| as a whole", name, maxsplit=1)[0].strip() or name


def _rec_scope(rec: Any) -> str:
    """Scope of a stored record (``scope``; ``unit_code`` in the table's own naming)."""
    return str(getattr(rec, "scope", None) or getattr(rec, "unit_code", "") or "")


def _rec_unit(rec: Any) -> str:
    """Unit of measure of a stored record (``unit``; ``unit_of_measure`` in the table)."""
    return str(getattr(rec, "unit", None) or getattr(rec, "unit_of_measure", "") or "")


def _store_observation(rec: ObservationRecord, indicator: str = "", scope: str = "") -> Observation:
    """A stored record as an :class:`Observation`, with the kind the store recorded.

    A record stored before the store recorded kinds (NULL) is ``unrecorded``
    (:func:`~metrocircle.indicators.authority.stored_kind`).
    """
    prov = {"store_id": str(rec.id)}
    for k in _PROVENANCE:
        v = getattr(rec, k)
        if v:
            prov[k] = str(v)
    prov["source_kind"] = stored_kind(rec.source_kind)
    at = getattr(rec, "submitted_at", None)
    if at is not None:
        prov["submitted_at"] = at.isoformat() if hasattr(at, "isoformat") else str(at)
    return Observation(
        value=float(rec.value),
        period=int(rec.period),
        source=str(rec.source),
        submitted_by=str(getattr(rec, "submitted_by", "") or ""),
        kind=ObservationKind.OBSERVATION,
        provenance=prov,
        scope=_rec_scope(rec) or scope,
        unit=_rec_unit(rec),
        indicator=str(getattr(rec, "indicator", "") or indicator),
    )


def _store_series(store: Any, indicator: str, scope: str) -> list[Observation]:
    return [
        _store_observation(rec, indicator, scope)
        for rec in store.observations(indicator=indicator, scope=scope)
    ]


def store_observations(store: Any) -> list[Observation]:
    """Every observation the store holds that the evaluation uses (the accepted ones), as :class:`Observation`."""
    return [_store_observation(rec) for rec in store.observations()]


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
            got += _store_series(store, indicator, scope)
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
        pool += [_store_observation(r) for r in store.observations() if _rec_scope(r) in codes]
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
