"""Commute-circle commands: ``access``, ``scenarios``, ``network`` apps and ``projects rank`` (thin wrappers)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    emit_json,
    fail,
    load_region_or_exit,
    user_errors,
)

if TYPE_CHECKING:
    from metrocircle.network.model import Network
    from metrocircle.region import Region

__all__ = ["access_app", "network_app", "rank_command", "scenarios_app"]

access_app = typer.Typer(
    help="The 1-hour commuting circle: minutes to the centre, matrices, isochrones.",
    no_args_is_help=True,
)
scenarios_app = typer.Typer(
    help="Network scenarios (baseline-2020, plan-2025, plan-2035, user-defined).",
    no_args_is_help=True,
)
network_app = typer.Typer(
    help="Build a full-resolution network from an OSM PBF (and a GTFS feed).", no_args_is_help=True
)

ScenarioOpt = Annotated[
    str, typer.Option("--scenario", "-s", help="Scenario id (see `metrocircle scenarios list`).")
]


def _network(region: Region, scenario: str) -> Network:
    from metrocircle.network.scenarios import load_region_scenarios, scenario_network

    known = load_region_scenarios(region)
    if scenario not in known:
        fail(f"unknown scenario {scenario!r}; known: {', '.join(sorted(known))}")
    return scenario_network(region, scenario)


def _commute_rows(region: Region, scenario: str) -> list[dict[str, Any]]:
    from metrocircle.access.commute import commute_table

    t = commute_table(region, _network(region, scenario)).table
    rows = []
    for r in t.to_dict(orient="records"):
        m = r["minutes_to_centre"]
        rows.append(
            {
                "code": r["code"],
                "name_zh": r["name_zh"],
                "core": bool(r["core"]),
                "minutes_to_centre": None if not math.isfinite(m) else float(m),
                "within_60": bool(r["within_60"]),
                "rail_minutes": float(r["rail_minutes"]),
                "sourced_minutes": float(r["sourced_minutes"]),
                "modelled_share": float(r["modelled_share"]),
                "scenario": scenario,
            }
        )
    return rows


@access_app.command("commute")
def commute(
    scenario: ScenarioOpt = "baseline-2020",
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
) -> None:
    """Minutes from every unit seat to the centre (解放碑), with the sourced/modelled split."""
    with user_errors():
        region = load_region_or_exit(dataset)
        rows = _commute_rows(region, scenario)
    if json_out:
        emit_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    tab = Table(
        title=f"Minutes to {region.manifest.centre.name_zh} — scenario {scenario} (modelled share = minutes on modelled links)"
    )
    for c in ("code", "unit", "minutes", "≤60", "rail min", "modelled share"):
        tab.add_column(c)
    for r in rows:
        tab.add_row(
            r["code"],
            r["name_zh"],
            "—" if r["minutes_to_centre"] is None else f"{r['minutes_to_centre']:.0f}",
            "yes" if r["within_60"] else "no",
            f"{r['rail_minutes']:.0f}",
            f"{r['modelled_share']:.0%}",
        )
    Console().print(tab)


@access_app.command("matrix")
def matrix(
    scenario: ScenarioOpt = "baseline-2020",
    out: Annotated[Path, typer.Option("--out", help="Output Parquet file (long format).")] = Path(
        "matrix.parquet"
    ),
    level: Annotated[
        str, typer.Option("--level", help="'units' (seats) or 'zones' (townships).")
    ] = "units",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a dask.distributed scheduler (tcp://host:8786); default: a local cluster.",
        ),
    ] = None,
    dataset: DatasetOpt = "chongqing",
) -> None:
    """Write the origin × destination minutes between unit seats (or township zones) as Parquet.

    The batch runs on Dask: on a local cluster by default, or on the cluster at
    ``--scheduler``; the code path and the answers are the same.
    """
    import numpy as np
    import pandas as pd
    from rich.console import Console

    from metrocircle.access.commute import seats
    from metrocircle.access.zones import load_zones
    from metrocircle.network.dask_batch import DaskEngine
    from metrocircle.network.model import make_engine, points_cost_matrix

    if level not in ("units", "zones"):
        fail(f"`--level` was {level!r} but is expected to be 'units' or 'zones'")
    if out.suffix != ".parquet":
        fail(f"`--out` must end in .parquet, got {out}")
    with user_errors():
        region = load_region_or_exit(dataset)
        net = _network(region, scenario)
        pts = (
            seats(region)
            if level == "units"
            else load_zones(region).rename(columns={"zone_id": "id"})
        )
        ids = pts["code"] if level == "units" else pts["id"]
        ll = pts[["lon", "lat"]].to_numpy(dtype=float)
        where = scheduler or "a local Dask cluster"
        with Console(stderr=True).status(f"{len(ll)} × {len(ll)} travel times on {where} …"):
            engine = DaskEngine(make_engine(net.graph), scheduler=scheduler)
            mat = points_cost_matrix(net, ll, ll, engine=engine)
        df = pd.DataFrame(
            {
                "origin": np.repeat(ids.to_numpy(), len(ids)),
                "destination": np.tile(ids.to_numpy(), len(ids)),
                "minutes": mat.ravel().astype("float32"),
            }
        )
        df["scenario"] = scenario
        df["data_version"] = region.data_version
        df.to_parquet(out, index=False)
    typer.echo(f"wrote {len(df)} rows to {out}")


@access_app.command("isochrone")
def isochrone_cmd(
    from_: Annotated[str, typer.Option("--from", help="Unit code whose seat is the origin.")],
    minutes: Annotated[float, typer.Option("--minutes", help="Time budget in minutes.")] = 60.0,
    scenario: ScenarioOpt = "baseline-2020",
    out: Annotated[Path, typer.Option("--out", help="Output GeoJSON file.")] = Path(
        "isochrone.geojson"
    ),
    dataset: DatasetOpt = "chongqing",
) -> None:
    """Write the area reachable from a unit's seat within the time budget (GeoJSON, WGS84)."""
    from metrocircle.network.isochrone import isochrone_geojson

    if not 0 < minutes <= 600:
        fail(f"`--minutes` was {minutes} but is expected in (0, 600]")
    with user_errors():
        region = load_region_or_exit(dataset)
        if from_ not in region.county_codes:
            fail(f"`--from` {from_!r} is not a county-level unit code of {region.name}")
        u = region.units.loc[from_]
        net = _network(region, scenario)
        gj = isochrone_geojson(
            net, float(u["seat_lon"]), float(u["seat_lat"]), minutes, properties={"from": from_}
        )
    out.write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
    typer.echo(f"wrote {out}")


@scenarios_app.command("list")
def scenarios_list(dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False) -> None:
    """List the scenarios with their base, year and number of modifications."""
    from metrocircle.network.scenarios import load_region_scenarios

    with user_errors():
        region = load_region_or_exit(dataset)
        sc = load_region_scenarios(region)
    rows = [
        {
            "id": s.id,
            "name_zh": s.name_zh,
            "name_en": s.name_en,
            "year": s.year,
            "base": s.base,
            "modifications": len(s.modifications),
            "description": s.description,
        }
        for s in sc.values()
    ]
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['id']:<16} {r['year']}  base={r['base'] or '-':<14} {r['modifications']:>3} modifications  {r['name_zh']}"
        )


@scenarios_app.command("compare")
def scenarios_compare(
    a: Annotated[str, typer.Argument(help="First scenario id.")],
    b: Annotated[str, typer.Argument(help="Second scenario id.")],
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
) -> None:
    """Compare minutes to the centre per unit between two scenarios."""
    with user_errors():
        region = load_region_or_exit(dataset)
        ra = {r["code"]: r for r in _commute_rows(region, a)}
        rb = {r["code"]: r for r in _commute_rows(region, b)}
    rows = []
    for code, x in ra.items():
        y = rb[code]
        ma, mb = x["minutes_to_centre"], y["minutes_to_centre"]
        rows.append(
            {
                "code": code,
                "name_zh": x["name_zh"],
                f"minutes_{a}": ma,
                f"minutes_{b}": mb,
                "delta_minutes": None if ma is None or mb is None else round(mb - ma, 1),
                f"within_60_{a}": x["within_60"],
                f"within_60_{b}": y["within_60"],
            }
        )
    if json_out:
        emit_json(
            {
                "a": a,
                "b": b,
                "units": rows,
                "within_60": {
                    a: sum(r[f"within_60_{a}"] for r in rows),
                    b: sum(r[f"within_60_{b}"] for r in rows),
                },
            }
        )
        return
    for r in rows:
        typer.echo(
            f"{r['code']} {r['name_zh']:<6} {r[f'minutes_{a}']!s:>7} → {r[f'minutes_{b}']!s:>7}  Δ {r['delta_minutes']}"
        )
    typer.echo(
        f"units within 60 min: {a} {sum(r[f'within_60_{a}'] for r in rows)}, {b} {sum(r[f'within_60_{b}'] for r in rows)}"
    )


def rank_command(
    scenario: ScenarioOpt = "plan-2025",
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
) -> None:
    """Rank a scenario's projects by their own effect on the commute (remove-one and add-one)."""
    from rich.progress import Progress

    from metrocircle.access.ranking import rank_projects
    from metrocircle.network.scenarios import load_region_scenarios

    with user_errors():
        region = load_region_or_exit(dataset)
        if scenario not in load_region_scenarios(region):
            fail(f"unknown scenario {scenario!r}")
        with Progress(transient=True) as bar:
            task = bar.add_task("remove-one / add-one", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            df = rank_projects(region, scenario, progress=tick)
    rows = df.to_dict(orient="records")
    if json_out:
        emit_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['project']:<40} within60 −{r['units_within_60_remove_one']}  "
            f"mean +{r['mean_minutes_remove_one']} min if removed; +{r['units_within_60_add_one']} units, "
            f"−{r['mean_minutes_add_one']} min if added alone"
        )


@network_app.command("build")
def network_build(
    osm: Annotated[Path, typer.Option("--osm", help="OpenStreetMap extract (.osm.pbf).")],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder for nodes.csv, links.csv, parameters.toml.")
    ],
    gtfs: Annotated[
        Path | None, typer.Option("--gtfs", help="GTFS feed (.zip) of public transport.")
    ] = None,
) -> None:
    """Build a full-resolution network (drive roads + GTFS transit) in the dataset's network format."""
    from metrocircle.network.osm import build_network_files

    if not osm.is_file():
        fail(f"`--osm` {osm} does not exist")
    if gtfs is not None and not gtfs.is_file():
        fail(f"`--gtfs` {gtfs} does not exist")
    with user_errors():
        counts = build_network_files(osm, out, gtfs=gtfs)
    typer.echo(f"wrote {counts['nodes']} nodes and {counts['links']} links to {out}")
