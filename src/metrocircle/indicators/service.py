"""Evaluate every target of a region: gather shipped, stored and computed values, then evaluate each (pure core).

Where a target's values come from, in the order they are layered (for a year given more
than once the later layer wins):

1. the dataset's shipped observations (``observations/observations.csv``);
2. observations in the store (imported or submitted), when a store is given;
3. the computation named in the target's ``computed_by`` (via the indicator registry).

When none of these has a value for the target's own scope, a *stand-in* declared in
``observations/stand_ins.csv`` (for example the whole municipality for the metropolitan
area) is used, and the evaluation says so in its warnings.
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
from metrocircle.indicators.evaluate import evaluate_target
from metrocircle.indicators.model import (
    Evaluation,
    Message,
    Observation,
    ObservationKind,
    Thresholds,
)
from metrocircle.indicators.registry import ComputeContext, ComputedValue, compute, get_indicator
from metrocircle.schema import MEASURE_UNITS, ROLES, TargetRow

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "StandIn",
    "evaluate_region",
    "gather_series",
    "indicator_names",
    "load_shipped_observations",
    "load_stand_ins",
    "observations_path",
    "scope_name",
    "values_by_unit",
]

logger = logging.getLogger(__name__)

_OBS_DEFAULT = "observations/observations.csv"
_STAND_INS = "observations/stand_ins.csv"
_INDICATORS = "observations/indicators.csv"
_SCOPE_RE = re.compile(r"^(region|\d{6}|group:[a-z_]+)$")
_OBS_REQUIRED = ("indicator", "scope", "period", "value", "unit", "source")


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


def load_shipped_observations(region: Region) -> list[Observation]:
    """Read the dataset's observations file into :class:`Observation` objects (all or nothing).

    Raises
    ------
    DataValidationError
        Naming file, line and field of every bad row (missing column, non-numeric value or
        year, unknown unit of measure, malformed scope).
    """
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
        problems.extend(bad)
        if bad:
            continue
        prov = {
            k: (r.get(k) or "").strip()
            for k in ("source_url", "statement_zh", "published_date")
            if (r.get(k) or "").strip()
        }
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


def _rec_scope(rec: Any) -> str:
    """Scope of a stored record (``scope``; ``unit_code`` in the table's own naming)."""
    return str(getattr(rec, "scope", None) or getattr(rec, "unit_code", "") or "")


def _rec_unit(rec: Any) -> str:
    """Unit of measure of a stored record (``unit``; ``unit_of_measure`` in the table)."""
    return str(getattr(rec, "unit", None) or getattr(rec, "unit_of_measure", "") or "")


def _store_series(store: Any, indicator: str, scope: str) -> list[Observation]:
    out: list[Observation] = []
    for rec in store.observations(indicator=indicator, scope=scope):
        prov = {"store_id": str(getattr(rec, "id", ""))}
        url = getattr(rec, "source_url", None)
        if url:
            prov["source_url"] = str(url)
        at = getattr(rec, "submitted_at", None)
        if at is not None:
            prov["submitted_at"] = at.isoformat() if hasattr(at, "isoformat") else str(at)
        out.append(
            Observation(
                value=float(rec.value),
                period=int(rec.period),
                source=str(rec.source),
                submitted_by=str(getattr(rec, "submitted_by", "") or ""),
                kind=ObservationKind.OBSERVATION,
                provenance=prov,
                scope=_rec_scope(rec) or scope,
                unit=_rec_unit(rec),
                indicator=indicator,
            )
        )
    return out


class _Computations:
    """Runs each registered computation at most once per evaluation and remembers failures."""

    def __init__(self, ctx: ComputeContext) -> None:
        self.ctx = ctx
        self._done: dict[str, list[ComputedValue] | Message] = {}

    def get(self, indicator_id: str) -> list[ComputedValue] | Message:
        if indicator_id not in self._done:
            self._done[indicator_id] = self._run(indicator_id)
        return self._done[indicator_id]

    def _run(self, indicator_id: str) -> list[ComputedValue] | Message:
        try:
            spec = get_indicator(indicator_id)
        except MetrocircleError:
            return Message(
                "computation_missing",
                f"计算模型 {indicator_id} 尚未提供（未注册）。",
                f"The computation {indicator_id} is not available (not registered).",
            )
        try:
            return compute(indicator_id, self.ctx)
        except MetrocircleError as exc:
            logger.info("computation %s failed: %s", indicator_id, exc)
            needs = spec.needs or str(exc)
            return Message(
                "computation_failed",
                f"计算模型 {indicator_id} 无法运行：{exc}；需要：{needs}。",
                f"The computation {indicator_id} could not run: {exc}; it needs {needs}.",
            )


def split_computed_by(computed_by: str) -> tuple[str, str | None]:
    """Split ``computed_by`` into the indicator id and an optional ``#scope`` selector.

    ``"access.rail_reach#chengdu_1h"`` binds a target to the values the computation gives
    for its scope ``chengdu_1h``, whatever the target's own scope; without a selector the
    target takes the values whose scope equals its own.

    >>> split_computed_by("access.rail_reach#chengdu_1h")
    ('access.rail_reach', 'chengdu_1h')
    >>> split_computed_by("region.urbanisation_rate")
    ('region.urbanisation_rate', None)
    """
    ind, sep, sel = computed_by.partition("#")
    return ind, (sel if sep and sel else None)


def _computed_series(
    comps: _Computations, computed_by: str, target: TargetRow
) -> tuple[list[Observation], list[Message]]:
    indicator_id, selector = split_computed_by(computed_by)
    got = comps.get(indicator_id)
    if isinstance(got, Message):
        return [], [got]
    spec = get_indicator(indicator_id)
    obs: list[Observation] = []
    notes: list[Message] = []
    for cv in got:
        if cv.scope != (selector or target.scope):
            continue
        prov = {str(k): str(v) for k, v in cv.provenance.items()}
        if cv.value is None or not math.isfinite(cv.value):
            needs = prov.get("needs") or spec.needs or "input data"
            notes.append(
                Message(
                    "computation_needs_data",
                    f"计算模型 {indicator_id} 无法得出 {cv.period} 年数值：需要 {needs}。",
                    f"The computation {indicator_id} gives no {cv.period} value: it needs {needs}.",
                )
            )
            continue
        if spec.unit != target.unit:
            notes.append(
                Message(
                    "unit_mismatch",
                    f"计算模型 {indicator_id} 的单位为 {spec.unit}，与目标单位 {target.unit} 不符，未采用。",
                    f"The computation {indicator_id} is in {spec.unit}, not the target's {target.unit}; not used.",
                )
            )
            break
        obs.append(
            Observation(
                value=float(cv.value),
                period=int(cv.period),
                source=f"{spec.name_zh} / {spec.name_en} ({indicator_id})",
                submitted_by="model",
                kind=ObservationKind.COMPUTATION,
                provenance={"indicator": indicator_id, **prov},
                scope=target.scope,
                unit=spec.unit,
                indicator=indicator_id,
            )
        )
    return obs, notes


def _needs(region: Region, target: TargetRow) -> Message:
    unit_zh, unit_en, _lo, _hi = MEASURE_UNITS[target.unit]
    where_zh, where_en = (
        scope_name(region, target.scope, "zh"),
        scope_name(region, target.scope, "en"),
    )
    since = target.baseline_year
    after_zh = f"{since} 年以后" if since else "任一年份"
    after_en = f"a year after {since}" if since else "any year"
    zh = (
        f"暂无数据：需要{where_zh}“{target.name_zh}”（指标 {target.indicator}，单位 {unit_zh}）{after_zh}的数值，"
        "可用 `metrocircle import observations 文件` 导入"
    )
    en = (
        f"No data: needs {target.name_en} for {where_en} (indicator {target.indicator}, in {unit_en}) "
        f"for {after_en}; import it with `metrocircle import observations FILE`"
    )
    if target.computed_by:
        try:
            spec = get_indicator(split_computed_by(target.computed_by)[0])
        except MetrocircleError:
            spec = None
        if spec is not None and spec.needs:
            zh += f"，或提供计算模型 {target.computed_by} 所需数据：{spec.needs}"
            en += f", or the data the computation {target.computed_by} needs: {spec.needs}"
        else:
            zh += f"，或计算模型 {target.computed_by}"
            en += f", or the computation {target.computed_by}"
    return Message("no_data", zh + "。", en + ".")


def gather_series(
    region: Region,
    target: TargetRow,
    *,
    shipped: Iterable[Observation],
    stand_ins: Iterable[StandIn] = (),
    store: Any = None,
    computations: _Computations | None = None,
) -> tuple[list[Observation], list[Message]]:
    """Every value of ``target``'s indicator and scope, layered shipped → store → computed, and notes on them."""
    shipped = list(shipped)
    notes: list[Message] = []

    def own(scope: str) -> list[Observation]:
        return [o for o in shipped if o.scope == scope and o.indicator == target.indicator]

    series = own(target.scope)
    if store is not None:
        series += _store_series(store, target.indicator, target.scope)
    if target.computed_by and computations is not None:
        comp, comp_notes = _computed_series(computations, target.computed_by, target)
        series += comp
        notes += comp_notes
    if not series:
        for s in stand_ins:
            if s.indicator == target.indicator and s.stands_for == target.scope:
                proxy = own(s.scope)
                if store is not None:
                    proxy += _store_series(store, target.indicator, s.scope)
                if proxy:
                    series = proxy
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
    shipped = load_shipped_observations(region)
    stand_ins = load_stand_ins(region)
    comps = _Computations(ComputeContext(region=region, params=dict(params or {}), store=store))
    out: list[Evaluation] = []
    for t in targets if targets is not None else region.targets:
        series, notes = gather_series(
            region, t, shipped=shipped, stand_ins=stand_ins, store=store, computations=comps
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
                provenance={"data_version": region.data_version, "dataset": region.name},
            )
        )
    return out


def values_by_unit(
    region: Region, *, store: Any = None, as_of: int | None = None
) -> dict[str, dict[int, dict[str, Observation]]]:
    """Values of every indicator per county-level unit and year: ``{indicator: {year: {code: Observation}}}``.

    Shipped values first, stored ones over them (the last given for a unit and year wins).
    Values after ``as_of`` (default: this year) are left out.
    """
    year = as_of if as_of is not None else date.today().year
    codes = set(region.county_codes)
    pool = [o for o in load_shipped_observations(region) if o.scope in codes]
    if store is not None:
        pool += [_store_series_one(r) for r in store.observations() if _rec_scope(r) in codes]
    out: dict[str, dict[int, dict[str, Observation]]] = {}
    for o in pool:
        if o.period <= year:
            out.setdefault(o.indicator, {}).setdefault(o.period, {})[o.scope] = o
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def _store_series_one(rec: Any) -> Observation:
    return Observation(
        value=float(rec.value),
        period=int(rec.period),
        source=str(rec.source),
        submitted_by=str(getattr(rec, "submitted_by", "") or ""),
        scope=_rec_scope(rec),
        unit=_rec_unit(rec),
        indicator=str(rec.indicator),
    )
