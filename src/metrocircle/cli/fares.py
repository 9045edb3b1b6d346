"""``metrocircle fares``: what a public-transport commute costs (thin renderer of sectors.fares)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    LangOpt,
    cli_lang,
    emit_json,
    load_region_or_exit,
    user_errors,
)
from metrocircle.messages import text
from metrocircle.sectors import fares

__all__ = ["fares_app"]

fares_app = typer.Typer(
    help="Public-transport fares: today's fares by operator and integrated (一票式) schemes.",
    no_args_is_help=True,
)

ScenarioOpt = Annotated[str, typer.Option("--scenario", "-s", help="Scenario id.")]
SchemeOpt = Annotated[
    str | None, typer.Option("--scheme", help="Integrated scheme id of fares.toml.")
]


def _yuan(v: Any, lg: str) -> str:
    return text("fares.no_data", lg) if v is None else text("fares.yuan", lg, v=f"{v:.2f}")


def _scheme_names(region: Any, lg: str) -> dict[str, str]:
    rules = fares.load_fare_rules(region.dataset_path / fares.FARES_FILE)
    return {x.id: (x.name_en if lg == "en" else x.name_zh) or x.id for x in rules.schemes}


@fares_app.command("od")
def od_command(  # noqa: PLR0917 - typer maps each parameter to an option
    from_: Annotated[str, typer.Option("--from", help="Unit code or name (璧山, 璧山区).")],
    to: Annotated[str, typer.Option("--to", help="Unit code or name.")],
    dataset: DatasetOpt = "chongqing",
    scenario: ScenarioOpt = "baseline-2020",
    scheme: SchemeOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Fare of the rail trip of ``access od``: separate (by operator) and integrated."""
    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    with user_errors():
        doc = fares.fares_od(region, from_, to, scenario=scenario, scheme=scheme).to_dict()
    if json_out:
        emit_json(doc)
        return
    if lg == "en":
        a, b = region.unit(doc["from"]).name_en, region.unit(doc["to"]).name_en
    else:
        a, b = doc["from_name_zh"], doc["to_name_zh"]
    typer.echo(text("fares.od_head", lg, a=a, b=b, scenario=doc["scenario"]))
    if doc["minutes"] is None:
        typer.echo(text("fares.od_no_rail", lg))
        return
    typer.echo(text("fares.od_minutes", lg, m=doc["minutes"]))
    typer.echo(text("fares.od_separate", lg, v=_yuan(doc["fare_yuan"]["separate"], lg)))
    names = _scheme_names(region, lg)
    typer.echo(
        text(
            "fares.od_integrated",
            lg,
            scheme=names.get(doc["scheme"], doc["scheme"]),
            v=_yuan(doc["fare_yuan"]["integrated"], lg),
        )
    )
    typer.echo(
        text(
            "fares.od_monthly",
            lg,
            sep=_yuan(doc["monthly_yuan"]["separate"], lg),
            integ=_yuan(doc["monthly_yuan"]["integrated"], lg),
        )
    )
    if doc["unpriced_legs"]:
        items = (", " if lg == "en" else "、").join(doc["unpriced_legs"])
        typer.echo(text("fares.od_unpriced", lg, items=items))


@fares_app.command("commute")
def commute_command(
    dataset: DatasetOpt = "chongqing",
    scenario: ScenarioOpt = "baseline-2020",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Monthly cost of a rail commute from every unit to the centre's unit, under each fare scheme."""
    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    with user_errors():
        rows = fares.commute_costs(region, scenario=scenario)
    if json_out:
        emit_json(rows)
        return
    names = _scheme_names(region, lg)
    head = [text("fares.commute_unit", lg), text("fares.commute_minutes", lg)]
    head += [text("fares.commute_monthly", lg, scheme=text("fares.separate", lg))]
    head += [text("fares.commute_monthly", lg, scheme=names[k]) for k in names]
    typer.echo("\t".join(head))
    for r in rows:
        m = r["monthly_yuan_by_scheme"]
        mins = "—" if r["minutes_rail"] is None else f"{r['minutes_rail']}"
        name = region.unit(r["unit"]).name_en if lg == "en" else r["name_zh"]
        cells = [name, mins, _yuan(m["separate"], lg), *(_yuan(m[k], lg) for k in names)]
        typer.echo("\t".join(cells))
