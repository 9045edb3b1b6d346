"""Commute-circle indicators registered with the evaluation engine (computed from the network model)."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from metrocircle.indicators.computed import ComputeContext, ComputedValue, IndicatorSet

if TYPE_CHECKING:
    from metrocircle.network.model import Network

__all__ = [
    "INDICATORS",
    "commute_share_units_within_60",
    "minutes_to_centre",
    "minutes_to_centre_max",
    "population_share_within_60",
    "rail_reach_hours",
    "scenario_networks",
]

INDICATORS = IndicatorSet()
"""The computed indicators this module provides (listed in :mod:`metrocircle.extensions`)."""

MODEL = "metrocircle.network strategic multimodal model (parameters.toml; sourced/modelled links)"


def scenario_networks(ctx: ComputeContext) -> list[tuple[str, int, Network]]:
    """(scenario id, year, network) for ``ctx.scenario``, or for every scenario when it is None."""
    from metrocircle.network.scenarios import load_region_scenarios, scenario_network

    scenarios = load_region_scenarios(ctx.region)
    ids = [ctx.scenario] if ctx.scenario else list(scenarios)
    out = []
    for sid in ids:
        year = scenarios[sid].year if sid in scenarios else int(ctx.region.manifest.plan_year)
        out.append((sid, year, scenario_network(ctx.region, sid)))
    return out


def _prov(net: Network, sid: str, **extra: str) -> dict[str, str]:
    return {"model": MODEL, "scenario": sid, "data_version": net.data_version, **extra}


@INDICATORS.register(
    "access.minutes_to_centre",
    name_zh="区县驻地至中心通行时间",
    name_en="Minutes from each unit seat to the centre",
    unit="minutes",
    description="Fastest door-to-door minutes from the unit seat to the manifest centre on the scenario network (rail or road).",
    needs="network files (network/nodes.csv, links.csv, parameters.toml, scenarios.toml) and unit seats",
)
def minutes_to_centre(ctx: ComputeContext) -> list[ComputedValue]:
    """Per county-level unit and scenario: minutes to the centre."""
    from metrocircle.access.commute import commute_table

    out = []
    for sid, year, net in scenario_networks(ctx):
        t = commute_table(ctx.region, net).table
        for r in t.itertuples(index=False):
            v = float(r.minutes_to_centre)
            out.append(
                ComputedValue(
                    r.code,
                    year,
                    v if math.isfinite(v) else None,
                    _prov(net, sid, modelled_share=f"{r.modelled_share:.3f}"),
                )
            )
    return out


@INDICATORS.register(
    "access.minutes_to_centre_max",
    name_zh="周边区县至中心最长通行时间",
    name_en="Longest seat-to-centre time among the non-core units",
    unit="minutes",
    description="Maximum over units without the 'core' role of the seat-to-centre minutes: the plan's 1-hour commute target binds to it.",
    needs="network files and unit roles",
)
def minutes_to_centre_max(ctx: ComputeContext) -> list[ComputedValue]:
    """Region scope: the slowest non-core unit's minutes to the centre, per scenario."""
    from metrocircle.access.commute import commute_table

    out = []
    for sid, year, net in scenario_networks(ctx):
        t = commute_table(ctx.region, net).table
        nc = t[~t["core"]]
        worst = nc.loc[nc["minutes_to_centre"].idxmax()]
        v = float(worst["minutes_to_centre"])
        out.append(
            ComputedValue(
                "region",
                year,
                v if math.isfinite(v) else None,
                _prov(
                    net,
                    sid,
                    binding_unit=str(worst["code"]),
                    units_within_60=str(int(nc["within_60"].sum())),
                    units=str(len(nc)),
                ),
            )
        )
    return out


@INDICATORS.register(
    "access.commute_share_units_within_60",
    name_zh="周边区（市、县）1小时通勤占比(模型)",
    name_en="Share of the surrounding units within 60 minutes of the centre (modelled)",
    unit="pct",
    description=(
        "Per scenario: percent of the units without the 'core' role whose seat reaches the "
        "centre within commute.threshold_min by the faster of road and rail; the share of their "
        "census population and the slowest unit beside it. A model output, never an observation."
    ),
    needs="network files and unit roles, seats and census population",
)
def commute_share_units_within_60(ctx: ComputeContext) -> list[ComputedValue]:
    """Region scope: percent of surrounding units within 60 min, with the population share and slowest unit."""
    from metrocircle.access.target import commute_target

    out = []
    for sid, year, net in scenario_networks(ctx):
        t = commute_target(ctx.region, net)
        figures = {
            "share_units_within_60": t.share_units_within_60,
            "share_population_within_60": t.share_population_within_60,
            "slowest_unit": {
                "code": t.slowest_unit.code,
                "name_zh": t.slowest_unit.name_zh,
                "minutes": t.slowest_unit.minutes,
                "mode": t.slowest_unit.mode,
            },
            "units_within_60": t.units_within_60,
            "units": t.units,
            "basic_share": t.basic_share,
            "basically_achieved": t.basically_achieved,
            "destination_zh": t.destination_zh,
            "share_units_within_60_core_edge": t.share_units_within_60_core_edge,
            "share_population_within_60_core_edge": t.share_population_within_60_core_edge,
            "value_kind": "modelled",
        }
        out.append(
            ComputedValue(
                "region",
                year,
                round(100.0 * t.share_units_within_60, 2),
                _prov(
                    net,
                    sid,
                    value_kind="modelled",
                    share_population_within_60=f"{t.share_population_within_60:.4f}",
                    slowest_unit=f"{t.slowest_unit.code} {t.slowest_unit.name_zh} "
                    f"{t.slowest_unit.minutes} min ({t.slowest_unit.mode})",
                    basic_share=f"{t.basic_share:g} (parameters.toml commute.basic_share)",
                    figures=json.dumps(figures, ensure_ascii=False),
                ),
            )
        )
    return out


@INDICATORS.register(
    "access.population_share_within_60",
    name_zh="1小时通勤圈人口占比(估算)",
    name_en="Share of the population within 60 minutes of the centre (estimate)",
    unit="pct",
    description="Township zones within 60 min of the centre, weighted by an ESTIMATED township population (census county totals split by a named method).",
    needs="network files and network/zones.csv",
)
def population_share_within_60(ctx: ComputeContext) -> list[ComputedValue]:
    """Region scope: percent of the (estimated) population within 60 minutes of the centre."""
    from metrocircle.access.commute import population_share_within

    out = []
    for sid, year, net in scenario_networks(ctx):
        share, within, total = population_share_within(ctx.region, net, threshold_min=60.0)
        out.append(
            ComputedValue(
                "region",
                year,
                round(100.0 * share, 2),
                _prov(
                    net,
                    sid,
                    population="estimate:urban_rural_equal_split (zones.csv)",
                    population_within=f"{within:.0f}",
                    population_total=f"{total:.0f}",
                ),
            )
        )
    return out


@INDICATORS.register(
    "access.rail_reach",
    name_zh="铁路通达时间（成渝/毗邻省会/北上广深）",
    name_en="Rail hours from the centre's hub to the plan's destination groups",
    unit="hours",
    description="Per destination group (scope = group id): rail hours to the slowest member; None when a member has no rail path (external links are coarse published times).",
    needs="network files with destination_groups in parameters.toml",
)
def rail_reach_hours(ctx: ComputeContext) -> list[ComputedValue]:
    """Per group (``ctx.params['group']`` filters): hours to the slowest member, per scenario."""
    from metrocircle.access.commute import rail_reach

    want = ctx.params.get("group")
    out = []
    for sid, year, net in scenario_networks(ctx):
        t = rail_reach(ctx.region, net)
        for gid, g in t.groupby("group", sort=False):
            if want and gid != want:
                continue
            mins = g["minutes"].astype(float)
            value = None if mins.isna().any() else round(float(mins.max()) / 60.0, 2)
            missing = ",".join(g.loc[mins.isna(), "member"])
            out.append(
                ComputedValue(
                    str(gid),
                    year,
                    value,
                    _prov(
                        net,
                        sid,
                        members="; ".join(
                            f"{m}={x}" for m, x in zip(g["member"], g["minutes"], strict=False)
                        ),
                        no_rail_path=missing,
                        basis="; ".join(sorted(set(g["basis"]))),
                        **(
                            {
                                "needs": f"a rail link with a published time to {missing} "
                                "(the network has none, so no value is made up)"
                            }
                            if missing
                            else {}
                        ),
                    ),
                )
            )
    return out
