"""``metrocircle fares``: what a public-transport commute costs (thin renderer of sectors.fares)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from metrocircle.cli._common import DatasetOpt, JsonOpt, emit_json, load_region_or_exit, user_errors
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


def _yuan(v: Any) -> str:
    return "暂无数据" if v is None else f"{v:.2f} 元"


@fares_app.command("od")
def od_command(  # noqa: PLR0917 - typer maps each parameter to an option
    from_: Annotated[str, typer.Option("--from", help="Unit code or name (璧山, 璧山区).")],
    to: Annotated[str, typer.Option("--to", help="Unit code or name.")],
    dataset: DatasetOpt = "chongqing",
    scenario: ScenarioOpt = "baseline-2020",
    scheme: SchemeOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Fare of the rail trip of ``access od``: separate (by operator) and integrated."""
    region = load_region_or_exit(dataset)
    with user_errors():
        doc = fares.fares_od(region, from_, to, scenario=scenario, scheme=scheme).to_dict()
    if json_out:
        emit_json(doc)
        return
    typer.echo(f"{doc['from_name_zh']} → {doc['to_name_zh']}（情景 {doc['scenario']}，模型值）")
    if doc["minutes"] is None:
        typer.echo(
            "该情景下两地驻地之间没有需计费的轨道公共交通出行（无轨道线路或仅为步行、公交接驳）。"
        )
        return
    typer.echo(f"公共交通出行时间：{doc['minutes']} 分钟")
    typer.echo(f"分段计费（现行票价）：{_yuan(doc['fare_yuan']['separate'])}")
    names = {
        x.id: x.name_zh
        for x in fares.load_fare_rules(region.dataset_path / fares.FARES_FILE).schemes
    }
    typer.echo(
        f"{names.get(doc['scheme'], doc['scheme'])}：{_yuan(doc['fare_yuan']['integrated'])}"
    )
    typer.echo(
        f"每月通勤（22 个工作日往返）：分段 {_yuan(doc['monthly_yuan']['separate'])}，"
        f"一票式 {_yuan(doc['monthly_yuan']['integrated'])}"
    )
    if doc["unpriced_legs"]:
        typer.echo("无公开票价的线路（国铁等）：" + "、".join(doc["unpriced_legs"]))


@fares_app.command("commute")
def commute_command(
    dataset: DatasetOpt = "chongqing",
    scenario: ScenarioOpt = "baseline-2020",
    json_out: JsonOpt = False,
) -> None:
    """Monthly cost of a rail commute from every unit to the centre's unit, per fare rule."""
    region = load_region_or_exit(dataset)
    with user_errors():
        rows = fares.commute_costs(region, scenario=scenario)
    if json_out:
        emit_json(rows)
        return
    typer.echo("区县\t轨道出行(分钟)\t每月·分段\t每月·一票式")
    for r in rows:
        m = r["monthly_yuan"]
        mins = "—" if r["minutes_rail"] is None else f"{r['minutes_rail']}"
        typer.echo(f"{r['name_zh']}\t{mins}\t{_yuan(m['separate'])}\t{_yuan(m['integrated'])}")
