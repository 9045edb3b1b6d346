"""``metrocircle flood``: gauge stations and flood warnings (thin renderer of metrocircle.sectors.flood)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    emit_json,
    fail,
    load_region_or_exit,
    user_errors,
)
from metrocircle.region import resolve_dataset
from metrocircle.sectors import flood

__all__ = ["flood_app"]

flood_app = typer.Typer(
    help="River-basin flood warning: gauge stations, water levels, national warning grades.",
    no_args_is_help=True,
)

_GRADE_ZH = {"blue": "蓝色", "yellow": "黄色", "orange": "橙色", "red": "红色"}


def _root(dataset: str) -> Path:
    with user_errors():
        root = resolve_dataset(dataset)
    if not (root / flood.STATIONS_FILE).is_file():
        fail(f"dataset {dataset!r} has no flood gauge stations")
    return root


def _m(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}"


@flood_app.command("stations")
def stations(dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False) -> None:
    """The gauge stations with their published warning and guarantee levels (m)."""
    root = _root(dataset)
    with user_errors():
        items = flood.stations_document(root)
    if json_out:
        emit_json(items)
        return
    typer.echo("站点\t河流\t警戒水位(米)\t保证水位(米)\t高程基面")
    for s in items:
        typer.echo(
            f"{s['name_zh']}\t{s['river']}\t{_m(s['warning_level_m'])}\t"
            f"{_m(s['guarantee_level_m'])}\t{s['datum'] or '—'}"
        )


@flood_app.command("warnings")
def warnings(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or XLSX with columns station_id, time (ISO 8601 with zone), level_m."
        ),
    ],
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
) -> None:
    """Warnings (blue, yellow, orange, red) at each station's latest reading, and who to notify."""
    root = _root(dataset)
    region = load_region_or_exit(dataset)
    with user_errors():
        readings = flood.read_levels(file, flood.dataset_stations(root))
        doc = flood.warnings_document(readings, root, projects=region.projects)
    if json_out:
        emit_json(doc)
        return
    if not doc["warnings"]:
        typer.echo(f"无预警：{doc['stations_read']} 个站点的最新水位均未达到预警条件。")
        return
    names = region.units["name_zh"].to_dict()

    def who(codes: list[str]) -> str:
        return "、".join(str(names.get(c, c)) for c in codes) or "—"

    for w in doc["warnings"]:
        above = w["above_warning_m"]
        vs = (
            "—"
            if above is None
            else (f"超警戒 {above:.2f} 米" if above >= 0 else f"低于警戒 {-above:.2f} 米")
        )
        typer.echo(
            f"{_GRADE_ZH.get(w['grade'], w['grade'])}\t{w['name_zh']}\t{w['level_m']:.2f} 米\t"
            f"{vs}\t通知: {who(w['units'])}"
        )
        for a in w["downstream"]:
            typer.echo(
                f"\t下游 {a['name_zh']}：约 {a['travel_hours']} 小时后（参数化估算），"
                f"通知 {who(a['units'])}"
            )
        if w["projects"]:
            typer.echo(
                "\t通知区县内的港口、航道、桥隧、枢纽类重点项目："
                + "、".join(p["name_zh"] for p in w["projects"])
            )
    typer.echo(doc["limitation_zh"])
