"""Project ranking: each project's own contribution to the commute indicators (remove-one, add-one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from metrocircle._errors import ScenarioError
from metrocircle.access.commute import commute_table
from metrocircle.network.scenarios import Modification, apply, flatten, load_region_scenarios

if TYPE_CHECKING:
    from collections.abc import Callable

    from metrocircle.network.model import Network
    from metrocircle.region import Region

__all__ = ["rank_projects"]


def _metrics(region: Region, net: Network) -> tuple[int, float, float]:
    t = commute_table(region, net).table
    non_core = t[~t["core"]]
    mins = non_core["minutes_to_centre"].to_numpy(dtype=float)
    return (
        int(t["within_60"].sum()),
        float(np.nanmax(mins)),
        float(np.nanmean(np.minimum(mins, 240.0))),
    )


def rank_projects(
    region: Region,
    scenario_id: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Rank the projects of a scenario by their own effect on the commute indicators.

    *Remove-one*: the scenario without the project's modifications; *add-one*: the
    scenario's first base (``baseline-2020`` for the plan scenarios) with only that
    project's modifications. A project groups modifications by ``project_id`` (or by link
    group when the change is not a plan project).

    Parameters
    ----------
    region
        The loaded region.
    scenario_id
        The scenario whose projects are ranked.
    progress
        Called as ``progress(done, total)`` after each project.

    Returns
    -------
    pandas.DataFrame
        One row per project: ``project, refs, in_service_year, units_within_60_remove_one``
        (loss when removed), ``max_minutes_remove_one`` (rise of the worst non-core unit's
        minutes), ``mean_minutes_remove_one``, the same three for add-one (gains), sorted
        by the remove-one effect. Minutes; mean capped at 240 per unit.
    """
    from metrocircle.network.model import load_network

    scenarios = load_region_scenarios(region)
    if scenario_id not in scenarios:
        msg = f"unknown scenario {scenario_id!r}; known: {sorted(scenarios)}"
        raise ScenarioError(msg)
    mods = flatten(scenarios, scenario_id)
    base_net = load_network(region)
    full = apply(base_net, mods, strict=False)
    w_full, max_full, mean_full = _metrics(region, full)
    w_base, max_base, mean_base = _metrics(region, base_net)
    groups: dict[str, list[Modification]] = {}
    for m in mods:
        groups.setdefault(m.key, []).append(m)
    rows = []
    for i, (key, ms) in enumerate(groups.items()):
        without = [m for m in mods if m.key != key]
        w_r, max_r, mean_r = _metrics(region, apply(base_net, without, strict=False))
        w_a, max_a, mean_a = _metrics(region, apply(base_net, ms, strict=False))
        years = [m.in_service_year for m in ms if m.in_service_year is not None]
        rows.append(
            {
                "project": key,
                "refs": ";".join(sorted({m.ref for m in ms})),
                "in_service_year": max(years) if years else None,
                "units_within_60_remove_one": w_full - w_r,
                "max_minutes_remove_one": round(max_r - max_full, 1),
                "mean_minutes_remove_one": round(mean_r - mean_full, 2),
                "units_within_60_add_one": w_a - w_base,
                "max_minutes_add_one": round(max_base - max_a, 1),
                "mean_minutes_add_one": round(mean_base - mean_a, 2),
            }
        )
        if progress is not None:
            progress(i + 1, len(groups))
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    return df.sort_values(
        ["units_within_60_remove_one", "mean_minutes_remove_one", "mean_minutes_add_one"],
        ascending=False,
    ).reset_index(drop=True)
