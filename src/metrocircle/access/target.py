"""The plan's commute target as the plan means it: a share of the surrounding units within 60 min.

"基本实现中心城区与周边区（市、县）1 小时通勤" (chapter 2) is evaluated per surrounding unit
(every county-level unit without the ``core`` role) by the faster of road and rail from
its seat to the centre (the manifest's ``[centre]``, 解放碑), and expressed as

- ``share_units_within_60``: the share of surrounding units whose fastest time is within
  ``commute.threshold_min``;
- ``share_population_within_60``: the share of their census population living in those units;
- ``slowest_unit``: the slowest surrounding unit and its minutes, beside the shares.

The same figures towards the nearest township point of a core unit (the 中心城区 read as an
area) are reported beside them. Whether the target counts as 基本实现 is decided by the
named parameter ``commute.basic_share`` (parameters.toml, with its justification). Every
figure is a model output (``value_kind = "modelled"``), never an observation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from metrocircle.access.commute import commute_table

if TYPE_CHECKING:
    import pandas as pd

    from metrocircle.network.model import Network
    from metrocircle.region import Region

__all__ = ["CommuteTarget", "SlowestUnit", "commute_target"]


@dataclass(frozen=True)
class SlowestUnit:
    """The slowest surrounding unit: code, name, minutes and the faster mode."""

    code: str
    name_zh: str
    minutes: float | None
    mode: str | None


@dataclass(frozen=True)
class CommuteTarget:
    """The commute target of one scenario, as shares of the surrounding units (modelled)."""

    scenario: str
    data_version: str
    threshold_min: float
    basic_share: float
    destination_zh: str
    units: int
    units_within_60: int
    share_units_within_60: float
    population: float
    population_within_60: float
    share_population_within_60: float
    slowest_unit: SlowestUnit
    basically_achieved: bool
    share_units_within_60_core_edge: float | None = None
    share_population_within_60_core_edge: float | None = None
    value_kind: str = "modelled"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (shares in [0, 1], minutes, persons)."""
        return asdict(self)


def _fin(x: Any) -> float | None:
    v = float(x)
    return round(v, 1) if np.isfinite(v) else None


def summarise(
    table: pd.DataFrame,
    *,
    scenario: str,
    data_version: str,
    threshold_min: float,
    basic_share: float,
    destination_zh: str,
) -> CommuteTarget:
    """The target figures from a commute table (see :func:`commute_target`)."""
    nc = table[~table["core"]]
    mins = nc["minutes_to_centre"].to_numpy(dtype=float)
    within = mins <= threshold_min
    pop = nc["population"].to_numpy(dtype=float)
    pop = np.where(np.isfinite(pop), pop, 0.0)
    worst = int(np.argmax(np.where(np.isfinite(mins), mins, np.inf)))
    w = nc.iloc[worst]
    share_u = float(within.mean()) if len(nc) else 0.0
    share_p = float(pop[within].sum() / pop.sum()) if pop.sum() > 0 else 0.0
    edge_u = edge_p = None
    if "minutes_to_core_edge" in nc:
        e = nc["minutes_to_core_edge"].to_numpy(dtype=float) <= threshold_min
        edge_u = round(float(e.mean()), 4)
        edge_p = round(float(pop[e].sum() / pop.sum()), 4) if pop.sum() > 0 else 0.0
    return CommuteTarget(
        scenario=scenario,
        data_version=data_version,
        threshold_min=threshold_min,
        basic_share=basic_share,
        destination_zh=destination_zh,
        units=len(nc),
        units_within_60=int(within.sum()),
        share_units_within_60=round(share_u, 4),
        population=float(pop.sum()),
        population_within_60=float(pop[within].sum()),
        share_population_within_60=round(share_p, 4),
        slowest_unit=SlowestUnit(
            str(w["code"]),
            str(w["name_zh"]),
            _fin(w["minutes_to_centre"]),
            None if w["mode"] is None or w["mode"] != w["mode"] else str(w["mode"]),
        ),
        basically_achieved=share_u >= basic_share,
        share_units_within_60_core_edge=edge_u,
        share_population_within_60_core_edge=edge_p,
    )


def commute_target(region: Region, network: Network) -> CommuteTarget:
    """The commute target on a scenario network: shares within 60 min and the slowest unit.

    Parameters
    ----------
    region
        The loaded region (roles decide which units surround the core; census population).
    network
        The scenario network.

    Examples
    --------
    >>> from metrocircle.region import load_region
    >>> from metrocircle.network.scenarios import scenario_network
    >>> r = load_region("chongqing")
    >>> t = commute_target(r, scenario_network(r, "plan-2025"))
    >>> t.value_kind, t.units, 0 <= t.share_units_within_60 <= 1
    ('modelled', 18, True)
    """
    p = network.params
    table = commute_table(region, network, nearest_core=True).table
    return summarise(
        table,
        scenario=network.scenario,
        data_version=network.data_version,
        threshold_min=float(p["commute.threshold_min"]),
        basic_share=float(p["commute.basic_share"]),
        destination_zh=str(region.manifest.centre.name_zh),
    )
