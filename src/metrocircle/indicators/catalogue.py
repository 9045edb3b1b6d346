"""Every observation the evaluation uses, with its provenance: the ``metrocircle observations`` document.

One document serves the CLI (``metrocircle observations --json``) and the API
(``GET /api/observations``): the dataset's shipped observations, the store's accepted ones
and the values the evaluation derives for the targets' areas from their parts, each with
``source_kind``, its authority (official or secondary), ``publisher``, ``publication``, the
page it was read on (``source_url``), the quoted statement and whether the evaluation counts
it by default (``counted``). The report's sources annex groups by ``publisher`` within
``source_kind``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from metrocircle.indicators.aggregate import derive_area_values, load_aggregation
from metrocircle.indicators.authority import (
    AUTHORITY_OFFICIAL,
    AuthorityRules,
    authority_of,
    source_kind_of,
)
from metrocircle.indicators.computations import Computations, computed_series
from metrocircle.indicators.model import Observation
from metrocircle.indicators.registry import ComputeContext
from metrocircle.indicators.service import (
    indicator_names,
    load_shipped_observations,
    scope_name,
    short_scope_name,
    store_observations,
)

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = ["CATALOGUE_FIELDS", "observation_catalogue"]

CATALOGUE_FIELDS = (
    "indicator",
    "indicator_name_zh",
    "indicator_name_en",
    "scope",
    "scope_name_zh",
    "scope_name_en",
    "period",
    "value",
    "unit",
    "source_kind",
    "authority",
    "publisher",
    "publication",
    "source",
    "source_url",
    "statement_zh",
    "published_date",
    "submitted_by",
    "origin",
    "counted",
    "superseded",
    "ref",
)
"""Fields of each observation in the document (also the CSV/table columns), in order."""


def _origin(o: Observation) -> str:
    if "store_id" in o.provenance:
        return "store"
    if "derived" in o.provenance:
        return "derived"
    return "dataset"


def observation_catalogue(
    region: Region,
    *,
    store: Any = None,
    indicator: str | None = None,
    scope: str | None = None,
    include_secondary: bool = False,
    authority: AuthorityRules | None = None,
) -> dict[str, Any]:
    """The observations document (JSON-ready), optionally for one indicator and/or scope.

    ``counted`` says whether the evaluation counts the value with the given switch: an
    official value does (unless another official value of the same indicator, scope and
    year comes after it: the last given wins); a secondary one only with
    ``include_secondary`` and only when no official value exists for that year
    (``superseded`` is then true).
    """
    rules = authority or AuthorityRules.default()
    pool: list[Observation] = list(load_shipped_observations(region, authority=rules))
    if store is not None:
        pool += store_observations(store)
    agg = load_aggregation(region)
    by_key: dict[tuple[str, str], list[Observation]] = {}
    for o in pool:
        by_key.setdefault((o.indicator, o.scope), []).append(o)
    comps = Computations(ComputeContext(region=region, store=store))
    for t in region.targets:
        if t.indicator not in agg.methods:
            continue
        have = by_key.get((t.indicator, t.scope), [])
        skip = {
            o.period
            for o in have
            if include_secondary or authority_of(o, rules) == AUTHORITY_OFFICIAL
        }
        if (
            t.computed_by
        ):  # years the target's computation covers are not derived (as in the evaluation)
            skip |= {o.period for o in computed_series(comps, t.computed_by, t)[0]}
        derived = derive_area_values(
            t.indicator,
            t.scope,
            rules=agg,
            values_of=lambda ind, sc: by_key.get((ind, sc), []),
            skip_years=skip,
            name_of=lambda sc: short_scope_name(region, sc),
            include_secondary=include_secondary,
            authority=rules,
        )
        pool += derived
        if derived:
            by_key.setdefault((t.indicator, t.scope), []).extend(derived)
    names = indicator_names(region)
    rows: list[dict[str, Any]] = []
    for (ind, sc), obs in sorted(by_key.items()):
        if (indicator and ind != indicator) or (scope and sc != scope):
            continue
        rows += _rows(region, obs, names, include_secondary=include_secondary, rules=rules)
    rows.sort(key=lambda r: (r["indicator"], r["scope"], r["period"]))
    kinds = Counter(r["source_kind"] for r in rows)
    official = sum(1 for r in rows if r["authority"] == AUTHORITY_OFFICIAL)
    return {
        "dataset": region.name,
        "data_version": region.data_version,
        "include_secondary": include_secondary,
        "filters": {"indicator": indicator, "scope": scope},
        "count": len(rows),
        "official_count": official,
        "official_share": round(official / len(rows), 4) if rows else None,
        "by_source_kind": dict(sorted(kinds.items())),
        "official_kinds": sorted(rules.official_kinds),
        "fields": list(CATALOGUE_FIELDS),
        "observations": rows,
    }


def _rows(
    region: Region,
    obs: Iterable[Observation],
    names: dict[str, tuple[str, str, str]],
    *,
    include_secondary: bool,
    rules: AuthorityRules,
) -> list[dict[str, Any]]:
    items = list(obs)
    last_official: dict[int, int] = {}
    for i, o in enumerate(items):
        if authority_of(o, rules) == AUTHORITY_OFFICIAL:
            last_official[o.period] = i
    out = []
    for i, o in enumerate(items):
        auth = authority_of(o, rules)
        superseded = auth != AUTHORITY_OFFICIAL and o.period in last_official
        if auth == AUTHORITY_OFFICIAL:
            counted = last_official[o.period] == i
        else:
            counted = include_secondary and not superseded
        prov = o.provenance
        name_zh, name_en, _unit = names.get(o.indicator, (o.indicator, o.indicator, o.unit))
        out.append(
            {
                "indicator": o.indicator,
                "indicator_name_zh": name_zh,
                "indicator_name_en": name_en,
                "scope": o.scope,
                "scope_name_zh": scope_name(region, o.scope, "zh"),
                "scope_name_en": scope_name(region, o.scope, "en"),
                "period": o.period,
                "value": o.value,
                "unit": o.unit,
                "source_kind": source_kind_of(o, rules),
                "authority": auth,
                "publisher": prov.get("publisher", ""),
                "publication": prov.get("publication", ""),
                "source": o.source,
                "source_url": prov.get("source_url", ""),
                "statement_zh": prov.get("statement_zh", ""),
                "published_date": prov.get("published_date", ""),
                "submitted_by": o.submitted_by,
                "origin": _origin(o),
                "counted": counted,
                "superseded": superseded,
                "ref": prov.get("file")
                or (f"store:{prov['store_id']}" if "store_id" in prov else ""),
            }
        )
    return out
