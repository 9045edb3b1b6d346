"""``metrocircle flood``: gauge stations, water-level imports and flood warnings (thin renderer of metrocircle.sectors.flood)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    LangOpt,
    StoreOpt,
    cli_lang,
    emit_json,
    fail,
    load_region_or_exit,
    open_store,
    user_errors,
)
from metrocircle.messages import text
from metrocircle.region import resolve_dataset
from metrocircle.sectors import flood

__all__ = ["flood_app"]

flood_app = typer.Typer(
    help="River-basin flood warning: gauge stations, water levels, national warning grades.",
    no_args_is_help=True,
)


def _root(dataset: str, lang: str) -> Path:
    with user_errors():
        root = resolve_dataset(dataset)
    if not (root / flood.STATIONS_FILE).is_file():
        fail(text("flood.no_stations", lang, dataset=dataset))
    return root


def _m(v: Any) -> str:
    return "—" if v is None else f"{v:.2f}"


def _name(item: dict[str, Any], lang: str) -> str:
    return str(item.get("name_en") if lang == "en" else item.get("name_zh")) or str(item.get("id"))


@flood_app.command("stations")
def stations(
    dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False, lang: LangOpt = None
) -> None:
    """The gauge stations with their published warning and guarantee levels (m)."""
    lg = cli_lang(lang)
    root = _root(dataset, lg)
    with user_errors():
        items = flood.stations_document(root)
    if json_out:
        emit_json(items)
        return
    typer.echo(text("flood.stations_header", lg))
    for s in items:
        river = s["river_en"] if lg == "en" else s["river"]
        typer.echo(
            f"{_name(s, lg)}\t{river}\t{_m(s['warning_level_m'])}\t"
            f"{_m(s['guarantee_level_m'])}\t{s['datum'] or '—'}"
        )


def _skew_seconds() -> int:
    from metrocircle.settings import Settings

    return Settings().max_clock_skew_seconds


@flood_app.command("import")
def import_command(
    *,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV or XLSX with columns station_id, time (ISO 8601 with zone), level_m."
        ),
    ],
    dataset: DatasetOpt = "chongqing",
    db: StoreOpt = None,
    submitted_by: Annotated[
        str,
        typer.Option(
            "--submitted-by", help="Who imports the readings (recorded in the audit log)."
        ),
    ] = "cli",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Import water-level readings into the store: every row is checked first; all or none.

    Refused: an unknown station, a time without a zone, a level that is not a number, a time
    later than now plus METROCIRCLE_MAX_CLOCK_SKEW_SECONDS, a reading already stored.
    """
    from metrocircle.cli.users import cli_origin
    from metrocircle.store.levels import WaterLevelIn, import_levels

    lg = cli_lang(lang)
    root = _root(dataset, lg)
    latest = datetime.now(UTC) + timedelta(seconds=_skew_seconds())
    from metrocircle._errors import DataValidationError

    with user_errors():
        try:
            readings = flood.read_levels(file, flood.dataset_stations(root), not_after=latest)
        except DataValidationError as exc:
            summary = f"{file.name}: {len(exc.problems)} problem(s); nothing was imported"
            raise DataValidationError(exc.problems, summary=summary) from None
    rows = [WaterLevelIn(r.station_id, r.time, r.level_m, line=r.line) for r in readings]
    store = open_store(db)
    try:
        with user_errors():
            batch = import_levels(
                store, rows, actor=submitted_by, origin=cli_origin(), file=file.name
            )
    finally:
        store.close()
    if json_out:
        emit_json({"batch_id": batch, "rows": len(rows), "file": str(file)})
        return
    typer.echo(text("flood.imported", lg, n=len(rows), file=file, batch=batch))


@flood_app.command("warnings")
def warnings(
    *,
    file: Annotated[
        Path | None,
        typer.Argument(
            help="CSV or XLSX with columns station_id, time (ISO 8601 with zone), level_m."
        ),
    ] = None,
    from_store: Annotated[
        bool,
        typer.Option("--from-store", help="Grade the latest stored reading of each station."),
    ] = False,
    dataset: DatasetOpt = "chongqing",
    db: StoreOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Warnings (blue, yellow, orange, red) at each station's latest reading, and who to notify."""
    lg = cli_lang(lang)
    if (file is None) == (not from_store):
        fail(text("flood.file_or_store", lg))
    root = _root(dataset, lg)
    region = load_region_or_exit(dataset)
    with user_errors():
        if file is not None:
            readings: Any = flood.read_levels(file, flood.dataset_stations(root))
        else:
            from metrocircle.store.levels import latest_water_levels

            store = open_store(db)
            try:
                stored = latest_water_levels(store)
            finally:
                store.close()
            if not stored and not json_out:
                typer.echo(text("flood.no_readings", lg))
                return
            known = {s.id for s in flood.dataset_stations(root)}
            readings = [
                flood.LevelReading(r.station_id, r.time, r.level_m)
                for r in stored
                if r.station_id in known  # a station since removed from the dataset
            ]
        doc = flood.warnings_document(readings, root, projects=region.projects)
    if json_out:
        emit_json(doc)
        return
    _print_warnings(doc, region, lg)


def _townships(w: dict[str, Any], doc: dict[str, Any], lg: str, sep: str, most: int = 12) -> str:
    names = [t["name_zh"] for t in w["townships"]]
    items = sep.join(names[:most])
    if len(names) > most:
        items += " " + text("flood.more_townships", lg, n=len(names) - most)
    geometry = text("flood.geometry." + (w["reach_geometry"] or "schematic"), lg)
    return text(
        "flood.townships", lg, km=doc["township_distance_km"], geometry=geometry, items=items
    )


def _print_warnings(doc: dict[str, Any], region: Any, lg: str) -> None:
    if not doc["warnings"]:
        typer.echo(text("flood.no_warning", lg, n=doc["stations_read"]))
        return
    col = "name_en" if lg == "en" else "name_zh"
    names = region.units[col].to_dict()
    sep = ", " if lg == "en" else "、"

    def who(codes: list[str]) -> str:
        return sep.join(str(names.get(c, c)) for c in codes) or "—"

    for w in doc["warnings"]:
        above = w["above_warning_m"]
        vs = (
            "—"
            if above is None
            else text("flood.above" if above >= 0 else "flood.below", lg, v=f"{abs(above):.2f}")
        )
        grade = text("flood.grade." + w["grade"], lg)
        level = text("flood.metres", lg, v=f"{w['level_m']:.2f}")
        notify = text("flood.notify", lg, who=who(w["units"]))
        typer.echo(f"{grade}\t{_name(w, lg)}\t{level}\t{vs}\t{notify}")
        for a in w["downstream"]:
            typer.echo(
                "\t"
                + text(
                    "flood.downstream",
                    lg,
                    name=_name(a, lg),
                    hours=a["travel_hours"],
                    who=who(a["units"]),
                )
            )
        if w["townships"]:
            typer.echo("\t" + _townships(w, doc, lg, sep))
        if w["projects"]:
            items = sep.join(_name(p, lg) for p in w["projects"])
            typer.echo("\t" + text("flood.projects", lg, items=items))
    typer.echo(doc["limitation"] if lg == "en" else doc["limitation_zh"])
