"""Computed indicators the dataset alone allows: census population and urbanisation of the area and its groups.

Scopes computed: ``"region"`` (every county-level unit, no double counting), ``"group:<role>"``
for each role of :data:`metrocircle.schema.ROLES` that has members, and each prefecture-level
unit's code (for 广安市 ``"511600"``: the sum of its county-level children).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from metrocircle.indicators.computed import ComputeContext, ComputedValue, IndicatorSet
from metrocircle.schema import ROLES

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = ["CENSUS_YEAR", "INDICATORS", "group_members", "population", "urbanisation_rate"]

INDICATORS = IndicatorSet()
"""The computed indicators this module provides (listed in :mod:`metrocircle.extensions`)."""

CENSUS_YEAR = 2020
"""Year of the unit census columns (``population_2020``, ``urban_population_2020``)."""

_MODEL_POP = "metrocircle.indicators.builtin:population (sum of unit census counts)"
_MODEL_URB = "metrocircle.indicators.builtin:urbanisation_rate (urban / resident population of unit census counts)"


def group_members(region: Region) -> dict[str, tuple[str, ...]]:
    """Scopes and their county-level member codes: region, role groups, prefecture-level units."""
    out: dict[str, tuple[str, ...]] = {"region": region.county_codes}
    for role in ROLES:
        members = region.role_members(role)
        if members:
            out[f"group:{role}"] = members
    for code in region.unit_codes:
        if region.unit(code).level == "prefecture":
            kids = tuple(c for c in region.children(code) if c in region.county_codes)
            if kids:
                out[code] = kids
    return out


def _aggregate(
    ctx: ComputeContext,
    value_of: Callable[[int, int], float],
    fields: tuple[str, ...],
    model: str,
) -> list[ComputedValue]:
    region = ctx.region
    out: list[ComputedValue] = []
    for scope, members in group_members(region).items():
        missing = sorted(
            {f"{c}.{f}" for c in members for f in fields if getattr(region.unit(c), f) is None}
        )
        prov = {
            "model": model,
            "data_version": region.data_version,
            "source": region.manifest.population_reference,
            "members": ";".join(members),
        }
        if missing:
            prov["needs"] = "units.csv " + ", ".join(missing)
            out.append(ComputedValue(scope, CENSUS_YEAR, None, prov))
            continue
        pop = sum(int(region.unit(c).population_2020 or 0) for c in members)
        urban = sum(int(region.unit(c).urban_population_2020 or 0) for c in members)
        if pop == 0:
            prov["needs"] = "units.csv population_2020 > 0 for " + ";".join(members)
            out.append(ComputedValue(scope, CENSUS_YEAR, None, prov))
            continue
        out.append(ComputedValue(scope, CENSUS_YEAR, value_of(pop, urban), prov))
    return out


@INDICATORS.register(
    "region.population",
    name_zh="常住人口",
    name_en="Resident population",
    unit="10k_persons",
    description="Sum of the 2020 census resident population of the county-level units of each scope.",
    needs="population_2020 of every county-level unit (units.csv)",
)
def population(ctx: ComputeContext) -> list[ComputedValue]:
    """Resident population (10k persons) of the area, each role group and each prefecture, 2020 census.

    Examples
    --------
    >>> from metrocircle.region import load_region
    >>> from metrocircle.indicators.registry import ComputeContext
    >>> vals = {v.scope: v.value for v in population(ComputeContext(load_region("chongqing")))}
    >>> round(vals["511600"], 4)
    325.4883
    """
    return _aggregate(ctx, lambda pop, _urban: pop / 10_000, ("population_2020",), _MODEL_POP)


@INDICATORS.register(
    "region.urbanisation_rate",
    name_zh="常住人口城镇化率",
    name_en="Urbanisation rate of the resident population",
    unit="pct",
    description="Urban over resident population (2020 census) summed over the county-level units of each scope.",
    needs="population_2020 and urban_population_2020 of every county-level unit (units.csv); "
    "for years after 2020, submitted observations of urbanisation_rate_pct",
)
def urbanisation_rate(ctx: ComputeContext) -> list[ComputedValue]:
    """Urbanisation rate (percent) of the area, each role group and each prefecture, 2020 census.

    The rate of a group is its total urban population over its total resident population,
    not the mean of the unit rates.
    """
    return _aggregate(
        ctx,
        lambda pop, urban: 100.0 * urban / pop,
        ("population_2020", "urban_population_2020"),
        _MODEL_URB,
    )
