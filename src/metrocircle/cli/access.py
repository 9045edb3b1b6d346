"""Commute-circle commands: ``access``, ``scenarios``, ``network`` apps and ``projects rank`` (thin wrappers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    LangOpt,
    cli_lang,
    data_row,
    emit_json,
    fail_key,
    load_region_or_exit,
    progress_bar,
    say,
    unit_or_exit,
    user_errors,
    words_never_split,
)

if TYPE_CHECKING:
    from metrocircle.network.model import Network
    from metrocircle.region import Region

__all__ = ["access_app", "rank_command", "scenarios_app"]

access_app = typer.Typer(
    help="The 1-hour commuting circle: minutes to the centre, matrices, isochrones.",
    no_args_is_help=True,
)
scenarios_app = typer.Typer(
    help="Network scenarios (baseline-2020, plan-2025, plan-2035, user-defined).",
    no_args_is_help=True,
)

ScenarioOpt = Annotated[
    str, typer.Option("--scenario", "-s", help="Scenario id (see `metrocircle scenarios list`).")
]


def _network(region: Region, scenario: str) -> Network:
    from metrocircle.network.scenarios import load_region_scenarios, scenario_network

    known = load_region_scenarios(region)
    if scenario not in known:
        fail_key("unknown_scenario", scenario=repr(scenario), known=", ".join(sorted(known)))
    return scenario_network(region, scenario)


@access_app.command("commute")
def commute(
    scenario: ScenarioOpt = "baseline-2020",
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Minutes from every unit seat to the centre (the manifest's, e.g. 解放碑) by road and rail, and the target as shares."""
    from metrocircle.access.workflows import commute_report
    from metrocircle.messages import text

    lg = cli_lang(lang)
    with user_errors():
        region = load_region_or_exit(dataset)
        _network(region, scenario)
        rep = commute_report(region, scenario)
    if json_out:
        emit_json(rep.to_dict())
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from metrocircle import fmt

    def mm(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f}"

    def name(code: str, zh: str) -> str:
        if lg == "zh" or code not in region.units.index:
            return zh
        return str(region.units.loc[code, "name_en"] or zh)

    centre = rep.centre["name_zh"] if lg == "zh" else region.manifest.centre.name_en
    from metrocircle.network.scenarios import load_region_scenarios

    sc = load_region_scenarios(region).get(scenario)
    sc_name = scenario if sc is None else (sc.name_zh if lg == "zh" else sc.name_en) or scenario
    tab = Table(title=Text(text("cli.commute_title", lg, centre=centre, scenario=sc_name)))
    heads = text("cli.commute_columns", lg).split("|")
    numeric = {0, 2, 3, 4, 7}  # code and minutes: narrow, right-aligned
    for i, c in enumerate(heads):
        tab.add_column(c, justify="right" if i in numeric else "left")

    def pub(p: dict[str, Any] | None) -> str:
        if p is None:
            return "—"
        return f"{p['minutes']:.0f} ({(p['statement_date'] or text('cli.undated', lg))[:4]})"

    for r in rep.units:
        data_row(
            tab,
            r.code,
            name(r.code, r.name_zh),
            mm(r.minutes_road),
            mm(r.minutes_rail),
            mm(r.minutes_to_centre),
            text(f"cli.mode_{r.mode}", lg) if r.mode in ("road", "rail") else "—",
            text("cli.yes" if r.within_60 else "cli.no", lg),
            mm(r.minutes_to_core_edge),
            pub(r.published),
        )
    words_never_split(tab)
    con = Console()
    con.print(tab)
    con.print(text("cli.commute_published_note", lg), markup=False)
    t = rep.target
    su = t["slowest_unit"]
    con.print(
        text(
            "cli.commute_target",
            lg,
            n=t["units_within_60"],
            total=t["units"],
            share=fmt.percent(100 * t["share_units_within_60"], lang=lg),
            pop=fmt.percent(100 * t["share_population_within_60"], lang=lg),
            slowest=name(str(su.get("code", "")), su["name_zh"]),
            minutes=mm(su["minutes"]),
            basic=fmt.percent(100 * t["basic_share"], lang=lg),
            verdict=text("cli.met" if t["basically_achieved"] else "cli.not_met", lg),
        ),
        markup=False,
    )


@access_app.command("od")
def od_cmd(  # noqa: PLR0917 - typer options
    from_: Annotated[str, typer.Option("--from", help="Origin unit: code or name (璧山, 璧山区).")],
    to: Annotated[str, typer.Option("--to", help="Destination unit: code or name.")],
    scenario: ScenarioOpt = "baseline-2020",
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Door-to-door minutes between two units' seats by road and by rail, and the faster path."""
    from metrocircle.access.od import od
    from metrocircle.messages import text

    lg = cli_lang(lang)
    with user_errors():
        region = load_region_or_exit(dataset)
        a = unit_or_exit(region, from_, option="--from")
        b = unit_or_exit(region, to, option="--to")
        _network(region, scenario)
        res = od(region, a, b, scenario)
    if json_out:
        emit_json(res.to_dict())
        return
    bm = res.by_mode

    def mm(v: float | None) -> str:
        return "—" if v is None else f"{v:.0f}"

    def unit_name(code: str) -> str:
        u = region.unit(code)
        return u.name_zh if lg == "zh" else u.name_en

    def mode(m: str | None) -> str:
        return text(f"cli.mode_{m}", lg) if m in ("road", "rail") else (m or "—")

    typer.echo(
        text(
            "cli.od_line",
            lg,
            a=unit_name(a),
            b=unit_name(b),
            scenario=scenario,
            road=mm(bm.get("road")),
            rail=mm(bm.get("rail")),
            fastest=mm(res.minutes),
            mode=mode(res.mode),
        )
    )
    for leg in res.legs:
        typer.echo(
            text(
                "cli.od_leg",
                lg,
                name=leg.name_zh,
                mode=mode(leg.mode),
                minutes=f"{leg.minutes:.1f}",
                kind=text(
                    f"report.kind_{'observation' if leg.source_kind == 'sourced' else 'computation'}",
                    lg,
                ),
            )
        )
    for p in res.published:
        typer.echo(
            text(
                "cli.od_published",
                lg,
                a=p["from_zh"],
                b=p["to_zh"],
                minutes=f"{p['minutes']:.0f}",
                mode=mode(p["mode"]),
                kind=p["statement_kind"],
                date=p["statement_date"] or text("cli.undated", lg),
                source=p["source_url"] or p["source_note"],
            )
        )


@access_app.command("matrix")
def matrix(  # noqa: PLR0917 - typer options
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
    lang: LangOpt = None,
) -> None:
    """Write the origin × destination minutes between unit seats (or township zones) as Parquet.

    The batch runs on Dask: on a local cluster by default, or on the cluster at
    ``--scheduler``; the code path and the answers are the same.
    """
    import numpy as np
    import pandas as pd

    from metrocircle.access.commute import seats
    from metrocircle.access.zones import load_zones
    from metrocircle.messages import text
    from metrocircle.network.dask_batch import DaskEngine
    from metrocircle.network.model import make_engine, points_cost_matrix

    lg = cli_lang(lang)
    if level not in ("units", "zones"):
        fail_key("bad_level", value=repr(level))
    if out.suffix != ".parquet":
        fail_key("bad_parquet", path=out)
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
        where = scheduler or text("cli.local_cluster", lg)
        label = f"{text('cli.matrix_progress', lg)}: {len(ll)} × {len(ll)} ({where})"
        with progress_bar(label) as step:
            step(label, 0, None)
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
    say("rows_written", n=f"{len(df):,}", path=out)


@access_app.command("opportunities")
def opportunities_cmd(  # noqa: PLR0917 - typer options
    minutes: Annotated[float, typer.Option("--minutes", help="Time budget in minutes.")] = 60.0,
    scenario: ScenarioOpt = "baseline-2020",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output Parquet or CSV file, one row per network node."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Address of a dask.distributed scheduler (tcp://host:8786) to run the batch on.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", help="Without --scheduler: a local Dask cluster of this many processes."
        ),
    ] = None,
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """The all-node job: estimated population within the budget of every network node.

    Runs in this process by default, on local worker processes with ``--workers N``, or
    on the cluster at ``--scheduler``; the answers are the same.
    """
    from metrocircle.access.opportunities import node_opportunities
    from metrocircle.messages import text

    lg = cli_lang(lang)
    if not 0 < minutes <= 600:
        fail_key("bad_minutes", value=minutes)
    if out is not None and out.suffix not in (".parquet", ".csv"):
        fail_key("bad_table_suffix", path=out)
    if workers is not None and workers < 1:
        fail_key("bad_workers", value=workers)
    with user_errors():
        region = load_region_or_exit(dataset)
        _network(region, scenario)
        where = scheduler or (
            text("cli.local_cluster", lg) if workers else text("cli.in_process", lg)
        )
        label = f"{text('cli.opportunities_progress', lg)} ({where})"
        with progress_bar(label, json_out=json_out) as step:
            step(label, 0, None)
            res = node_opportunities(
                region, scenario, minutes, scheduler=scheduler, local_workers=workers
            )
        if out is not None:
            df = res.frame()
            df["scenario"] = scenario
            df["minutes"] = minutes
            df["data_version"] = region.data_version
            if out.suffix == ".parquet":
                df.to_parquet(out, index=False)
            else:
                df.to_csv(out, index=False, encoding="utf-8-sig")
    if json_out:
        emit_json(res.to_dict())
        return
    from statistics import median

    from metrocircle.fmt import number, percent

    total = res.total_population
    shares = [100 * r["population_within"] / total for r in res.rows] if total else []
    say(
        "opportunities_summary",
        n=number(len(res.rows), lang=lg),
        minutes=number(minutes, digits=0, lang=lg),
        median=percent(median(shares) if shares else None, lang=lg),
    )
    if out is not None:
        say("rows_written", n=number(len(res.rows), lang=lg), path=out)


@access_app.command("isochrone")
def isochrone_cmd(  # noqa: PLR0917 - typer options
    from_: Annotated[
        str, typer.Option("--from", help="Origin unit (code or name) whose seat is the origin.")
    ],
    minutes: Annotated[float, typer.Option("--minutes", help="Time budget in minutes.")] = 60.0,
    scenario: ScenarioOpt = "baseline-2020",
    out: Annotated[Path, typer.Option("--out", help="Output GeoJSON file.")] = Path(
        "isochrone.geojson"
    ),
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Write the area reachable from a unit's seat within the time budget by road or rail (GeoJSON)."""
    from metrocircle.access.workflows import isochrone
    from metrocircle.messages import text

    lg = cli_lang(lang)
    if not 0 < minutes <= 600:
        fail_key("bad_minutes", value=minutes)
    label = text("cli.isochrone_progress", lg)
    with user_errors():
        region = load_region_or_exit(dataset)
        code = unit_or_exit(region, from_, option="--from")
        _network(region, scenario)
    with user_errors(), progress_bar(label, json_out=json_out) as step:
        res = isochrone(region, code, minutes, scenario, progress=lambda d, t: step(label, d, t))
    if json_out:
        emit_json(res.to_dict())
        return
    out.write_text(json.dumps(res.to_dict(), ensure_ascii=False), encoding="utf-8")
    say("written", path=out)


@scenarios_app.command("list")
def scenarios_list(
    dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False, lang: LangOpt = None
) -> None:
    """List the scenarios with their base, year and number of modifications."""
    from metrocircle.network.scenarios import load_region_scenarios

    lg = cli_lang(lang)
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
        say(
            "scenario_line",
            id=f"{r['id']:<16}",
            year=r["year"],
            base=f"{r['base'] or '—':<14}",
            n=f"{r['modifications']:>3}",
            name=r["name_zh"] if lg == "zh" else r["name_en"],
        )


@scenarios_app.command("compare")
def scenarios_compare(
    a: Annotated[str, typer.Argument(help="First scenario id.")],
    b: Annotated[str, typer.Argument(help="Second scenario id.")],
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Compare minutes to the centre per unit between two scenarios (delta = b − a)."""
    from metrocircle.access.workflows import compare

    lg = cli_lang(lang)
    with user_errors():
        region = load_region_or_exit(dataset)
        _network(region, a)
        _network(region, b)
        res = compare(region, a, b)
    if json_out:
        emit_json(res.to_dict())
        return

    def mm(v: float | None) -> str:
        return "—" if v is None else f"{v:.1f}"

    for u in res.units:
        name = u.name_zh if lg == "zh" else region.unit(u.code).name_en
        say(
            "compare_line",
            code=u.code,
            name=name,
            a=mm(u.minutes_a),
            b=mm(u.minutes_b),
            delta=mm(u.delta_minutes)
            if u.delta_minutes is None or u.delta_minutes < 0
            else f"+{u.delta_minutes:.1f}",
        )
    say("compare_total", a=a, na=res.within_60[a], b=b, nb=res.within_60[b])


def rank_command(
    scenario: ScenarioOpt = "plan-2025",
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Rank every modelled project by its own effect on the commute (remove-one and add-one)."""
    from metrocircle.access.ranking import project_ranking
    from metrocircle.messages import text

    lg = cli_lang(lang)
    label = text("cli.rank_progress", lg)
    with user_errors(), progress_bar(label, json_out=json_out) as step:
        region = load_region_or_exit(dataset)
        step(label, 0, None)
        _network(region, scenario)
        res = project_ranking(region, scenario, progress=lambda d, t: step(label, d, t))
    if json_out:
        emit_json(res.to_dict())
        return
    zh = lg == "zh"
    for p in res.projects:
        sep = "、" if zh else ", "
        inside = sep.join(u.name_zh if zh else u.name_en for u in p.brings_inside_60) or "—"
        where = (
            ""
            if p.in_scenario
            else text("cli.rank_later", lg, year=p.in_service_year or "?", scenario=scenario)
        )
        typer.echo(
            f"{p.rank:>2}. {p.name_zh if zh else p.name_en}{where}\n    "
            + text(
                "cli.rank_line",
                lg,
                removed=p.units_within_60_remove_one,
                removed_min=p.mean_minutes_remove_one,
                added=p.units_within_60_add_one,
                added_min=p.mean_minutes_add_one,
                inside=inside,
            )
        )
