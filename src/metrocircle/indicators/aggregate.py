"""Area values derived from their parts (population-weighted rates, sums), labelled derived.

Where the plan's target is for a whole area and only the parts publish values, the area's
value of a year is computed from the parts' values of that year, by the method the dataset's
``observations/aggregation.toml`` names for the indicator:

* ``sum``: Σ part values (resident or urban population);
* ``weighted_mean``: Σ (part value × part weight) ÷ Σ part weight, the weight being another
  indicator of the same part and year (the urbanisation rate weighted by resident population,
  which equals the area's urban over resident population).

A partition is used for a year only when every part has a value (and a weight) for it: no
part is guessed, interpolated or carried over from another year. Parts must not overlap and
must cover the area exactly (checked when the file is read). Besides the declared partitions,
every area is tried as the sum of its county-level units. The derived value names its method
and every input with its source; its ``source_kind`` is the weakest of its inputs', so it
counts as official only when every input does.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from metrocircle._errors import DataValidationError, Problem
from metrocircle.indicators.authority import AuthorityRules, select_by_authority, source_kind_of
from metrocircle.indicators.model import Observation, ObservationKind
from metrocircle.schema import ROLES

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "AggregationRules",
    "Method",
    "Partition",
    "derive_area_values",
    "load_aggregation",
    "scope_members",
]

_FILE = "observations/aggregation.toml"
_METHODS = ("sum", "weighted_mean")


@dataclass(frozen=True)
class Method:
    """How one indicator's area value follows from its parts'."""

    indicator: str
    method: str
    weight: str | None
    why_zh: str
    why_en: str


@dataclass(frozen=True)
class Partition:
    """``scope`` split into ``parts`` that do not overlap and cover it exactly."""

    scope: str
    parts: tuple[str, ...]
    why_zh: str
    why_en: str


@dataclass(frozen=True)
class AggregationRules:
    """The methods and partitions of a dataset (empty when it ships no aggregation file)."""

    methods: Mapping[str, Method]
    partitions: tuple[Partition, ...]
    members: Mapping[str, frozenset[str]]

    def partitions_of(self, scope: str) -> list[Partition]:
        """Declared partitions of ``scope`` (file order), then its county units when it has several."""
        out = [p for p in self.partitions if p.scope == scope]
        units = tuple(sorted(self.members.get(scope, frozenset())))
        if len(units) > 1 and all(set(p.parts) != set(units) for p in out):
            out.append(
                Partition(
                    scope,
                    units,
                    "由各区县数值汇总。",
                    "Summed up from the county-level units.",
                )
            )
        return out


def _known_members(region: Region) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {"region": frozenset(region.county_codes)}
    for code in region.county_codes:
        out[code] = frozenset({code})
    for code in region.unit_codes:
        if region.unit(code).level == "prefecture":
            kids = [c for c in region.children(code) if c in region.county_codes]
            if kids:
                out[code] = frozenset(kids)
    for role in ROLES:
        m = [c for c in region.role_members(role) if c in region.county_codes]
        if m:
            out[f"group:{role}"] = frozenset(m)
    return out


def scope_members(region: Region, rules: AggregationRules, scope: str) -> frozenset[str]:
    """County-level units a scope covers (empty when unknown)."""
    return rules.members.get(scope) or _known_members(region).get(scope, frozenset())


def load_aggregation(region: Region) -> AggregationRules:
    """Read and check the dataset's ``observations/aggregation.toml`` (all or nothing).

    Raises
    ------
    DataValidationError
        Naming the file, the entry (``methods.<id>`` or ``partitions[<n>]``) and the field of
        every problem: unknown method, missing weight, unknown part, overlapping parts, parts
        that do not cover the area.
    """
    path = region.path / _FILE
    members = _known_members(region)
    if not path.is_file():
        return AggregationRules({}, (), members)
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataValidationError([Problem(name, 0, "*", f"invalid TOML: {exc}")]) from None
    problems: list[Problem] = []
    methods: dict[str, Method] = {}
    for ind, m in (raw.get("methods") or {}).items():
        where = f"methods.{ind}"
        method = str(m.get("method", ""))
        weight = m.get("weight")
        if method not in _METHODS:
            problems.append(Problem(name, 0, f"{where}.method", f"must be one of {list(_METHODS)}"))
        if method == "weighted_mean" and not weight:
            problems.append(Problem(name, 0, f"{where}.weight", "a weighted mean needs a weight"))
        for k in ("why_zh", "why_en"):
            if not str(m.get(k, "")).strip():
                problems.append(Problem(name, 0, f"{where}.{k}", "every method says why"))
        methods[ind] = Method(
            ind,
            method,
            str(weight) if weight else None,
            str(m.get("why_zh", "")),
            str(m.get("why_en", "")),
        )
    parts_raw = raw.get("partitions") or []
    partitions: list[Partition] = []
    for p in parts_raw:
        partitions.append(
            Partition(
                str(p.get("scope", "")),
                tuple(str(x) for x in p.get("parts", [])),
                str(p.get("why_zh", "")),
                str(p.get("why_en", "")),
            )
        )
    # members of scopes known only through a declared partition (resolved in file order)
    for _ in range(len(partitions)):
        for part in partitions:
            if part.scope not in members and all(x in members for x in part.parts):
                members[part.scope] = frozenset().union(*(members[x] for x in part.parts))
    for i, part in enumerate(partitions):
        where = f"partitions[{i}]"
        if not part.parts:
            problems.append(Problem(name, 0, f"{where}.parts", "is empty"))
            continue
        for k in ("why_zh", "why_en"):
            if not getattr(part, k).strip():
                problems.append(Problem(name, 0, f"{where}.{k}", "every partition says why"))
        unknown = [x for x in part.parts if x not in members]
        if unknown:
            problems.append(
                Problem(name, 0, f"{where}.parts", f"unknown scope(s): {', '.join(unknown)}")
            )
            continue
        seen: set[str] = set()
        for x in part.parts:
            overlap = seen & members[x]
            if overlap:
                problems.append(
                    Problem(
                        name,
                        0,
                        f"{where}.parts",
                        f"{x} overlaps another part in {', '.join(sorted(overlap))}",
                    )
                )
            seen |= members[x]
        target = members.get(part.scope)
        if target is None:
            problems.append(Problem(name, 0, f"{where}.scope", f"unknown scope {part.scope!r}"))
        elif seen != target:
            missing, extra = sorted(target - seen), sorted(seen - target)
            problems.append(
                Problem(
                    name,
                    0,
                    f"{where}.parts",
                    f"parts do not cover {part.scope} exactly (missing {missing or '—'}, "
                    f"beyond it {extra or '—'})",
                )
            )
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid aggregation rules")
    return AggregationRules(methods, tuple(partitions), members)


def _by_year(
    obs: Iterable[Observation], *, include_secondary: bool, rules: AuthorityRules
) -> dict[int, Observation]:
    kept, _ = select_by_authority(obs, include_secondary=include_secondary, rules=rules)
    out: dict[int, Observation] = {}
    for o in kept:
        if o.kind is ObservationKind.OBSERVATION:
            out[o.period] = o  # the last given of a year wins, as in the evaluation
    return out


def _weakest(kinds: Iterable[str], rules: AuthorityRules, order: tuple[str, ...]) -> str:
    rank = {k: i for i, k in enumerate(order)}
    worst = max(kinds, key=lambda k: rank.get(k, len(order)))
    return worst if worst in rules.kinds else rules.default_kind


def derive_area_values(
    indicator: str,
    scope: str,
    *,
    rules: AggregationRules,
    values_of: Callable[[str, str], list[Observation]],
    skip_years: Iterable[int] = (),
    name_of: Callable[[str], str] = str,
    include_secondary: bool = False,
    authority: AuthorityRules | None = None,
    kind_order: tuple[str, ...] = (
        "official_statistics",
        "government_document",
        "official_media",
        "secondary",
    ),
) -> list[Observation]:
    """Derived values of ``indicator`` for ``scope``, one per year where some partition is complete.

    Parameters
    ----------
    values_of
        ``(indicator, scope) -> observations`` of a part (shipped and stored).
    skip_years
        Years the area already has a value of its own for (not derived again).
    name_of
        Scope code → name, for the statement.
    include_secondary, authority
        Whether secondary part values may be used (as in the evaluation) and the rules.
    kind_order
        Source kinds from the strongest to the weakest; a derived value gets the weakest
        kind of its inputs.

    Examples
    --------
    The hand-checked case of the tests: 主城都市区 79.8 % of 2122.72 万 and 广安市 45.32 % of
    323.8 万 give (79.8 × 2122.72 + 45.32 × 323.8) / 2446.52 = 75.24 %.
    """
    method = rules.methods.get(indicator)
    if method is None:
        return []
    auth = authority or AuthorityRules.default()
    skip = set(skip_years)
    done: dict[int, Observation] = {}
    for part in rules.partitions_of(scope):
        values = {
            p: _by_year(values_of(indicator, p), include_secondary=include_secondary, rules=auth)
            for p in part.parts
        }
        weights = (
            {
                p: _by_year(
                    values_of(method.weight, p), include_secondary=include_secondary, rules=auth
                )
                for p in part.parts
            }
            if method.weight
            else {}
        )
        years: set[int] = set.intersection(*[set(v) for v in values.values()])
        for w in weights.values():
            years &= set(w)
        for year in sorted(years - skip - set(done)):
            inputs = [values[p][year] for p in part.parts]
            divisor = ""
            if method.method == "sum":
                value = sum(o.value for o in inputs)
                terms = [f"{name_of(p)} {values[p][year].value:g}" for p in part.parts]
                used = inputs
            else:
                ws = [weights[p][year] for p in part.parts]
                total = sum(w.value for w in ws)
                if total <= 0:
                    continue
                divisor = f" ÷ {total:g}"
                value = sum(o.value * w.value for o, w in zip(inputs, ws, strict=True)) / total
                terms = [
                    f"{name_of(p)} {values[p][year].value:g}×{weights[p][year].value:g}"
                    for p in part.parts
                ]
                used = inputs + ws
            kind = _weakest((source_kind_of(o, auth) for o in used), auth, kind_order)
            detail = " + ".join(terms) if len(terms) <= 6 else f"{len(terms)} 个部分"
            note = f"【派生】{year} 年 = ({detail}){divisor} = {value:.2f}。{part.why_zh}{method.why_zh}"
            publications = sorted({str(o.provenance.get("publication") or o.source) for o in used})
            done[year] = Observation(
                value=value,
                period=year,
                source=f"【派生】{name_of(scope)}：由 {'、'.join(name_of(p) for p in part.parts[:6])}"
                + ("等" if len(part.parts) > 6 else "")
                + (" 按常住人口加权" if method.weight else " 加总"),
                submitted_by="dataset (derived)",
                kind=ObservationKind.OBSERVATION,
                provenance={
                    "source_kind": kind,
                    "publisher": "metrocircle（由所列来源的数值派生）",
                    "publication": "；".join(publications),
                    "derived": method.method,
                    "method_zh": method.why_zh,
                    "method_en": method.why_en,
                    "parts": ";".join(part.parts),
                    "partition_zh": part.why_zh,
                    "partition_en": part.why_en,
                    "inputs": "; ".join(
                        f"{o.indicator or indicator}@{o.scope}:{o.period}={o.value:g} ({o.source})"
                        for o in used
                    ),
                    "statement_zh": note,
                },
                scope=scope,
                unit=inputs[0].unit,
                note=note,
                indicator=indicator,
            )
    return [done[y] for y in sorted(done)]
