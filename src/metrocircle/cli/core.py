"""Core commands: info, districts, targets, projects, validate, import, export."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from metrocircle._errors import PermissionDeniedError
from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    LangOpt,
    StoreOpt,
    cli_lang,
    data_row,
    emit_json,
    fail,
    load_region_or_exit,
    open_store,
    user_errors,
)
from metrocircle.schema import ROLES
from metrocircle.store.db import CHUNK_ROWS

__all__ = [
    "export",
    "import_app",
    "info",
    "list_districts",
    "list_projects",
    "list_targets",
    "validate",
]

import_app = typer.Typer(
    help="Import data into the store (all rows or none).", no_args_is_help=True
)


def _console() -> Console:
    return Console(soft_wrap=False, width=max(100, int(os.environ.get("COLUMNS", "0") or 0)))


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v) or "—"
    return str(v)


def info(dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False) -> None:
    """Summarise the dataset: plan, units, population, targets, projects."""
    region = load_region_or_exit(dataset)
    m = region.manifest
    counties = region.units.loc[list(region.county_codes)]
    pop = int(counties["population_2020"].sum())
    urb = int(counties["urban_population_2020"].sum())
    area = float(counties["area_km2_computed"].sum())
    data = {
        "name": m.name,
        "title_zh": m.title_zh,
        "title_en": m.title_en,
        "plan": f"{m.plan_title_zh} ({m.plan_ref})",
        "plan_horizon": m.plan_horizon,
        "outlook_year": m.outlook_year,
        "units": len(region.county_codes),
        "population_2020": pop,
        "urban_population_2020": urb,
        "urbanisation_rate_2020_pct": round(100.0 * urb / pop, 2) if pop else None,
        "area_km2_computed": round(area, 1),
        "targets": len(region.targets),
        "projects": len(region.projects),
        "centre": m.centre.name_zh,
        "data_version": region.data_version,
        "path": str(region.path),
    }
    if json_out:
        emit_json(data)
        return
    t = Table(title=escape(f"{m.title_zh} · {m.title_en}"), show_header=False)
    labels = {
        "plan": "Plan 规划",
        "units": "County-level units 区县",
        "population_2020": "Resident population 2020 常住人口",
        "urbanisation_rate_2020_pct": "Urbanisation 2020 城镇化率 (%)",
        "area_km2_computed": "Area km² (computed from boundaries, not official)",
        "targets": "Quantified targets 目标",
        "projects": "Key projects 重点项目",
        "centre": "Centre 中心",
        "data_version": "Data version",
    }
    for k, label in labels.items():
        data_row(t, label, _fmt(data[k]))
    _console().print(t)


def list_districts(
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    all_units: Annotated[
        bool, typer.Option("--all", help="Include prefecture-level parents (广安市).")
    ] = False,
    role: Annotated[
        str | None, typer.Option(help=f"Only units with this role: {', '.join(ROLES)}.")
    ] = None,
    lang: LangOpt = None,
) -> None:
    """List the units with their roles and 2020 census figures."""
    from metrocircle.messages import text

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    if role is not None and role not in ROLES:
        fail(f"--role was {role!r} but is expected to be one of {list(ROLES)}")
    codes = region.unit_codes if all_units else region.county_codes
    if role is not None:
        codes = tuple(
            c for c in codes if c in region.role_members(role) or role in region.unit(c).roles
        )
    rows: list[dict[str, Any]] = []
    for c in codes:
        u = region.unit(c)
        inherited = region.unit(u.parent).roles if u.parent else ()
        rows.append(
            {
                "code": u.code,
                "name_zh": u.name_zh,
                "name_en": u.name_en,
                "parent": u.parent,
                "level": u.level,
                "roles": list(u.roles) + [r for r in inherited if r not in u.roles],
                "population_2020": u.population_2020,
                "urban_population_2020": u.urban_population_2020,
                "urbanisation_rate_2020_pct": u.urbanisation_rate_2020_pct,
                "seat_lon": u.seat_lon,
                "seat_lat": u.seat_lat,
                "area_km2_computed": u.area_km2_computed,
                "notes": u.notes,
            }
        )
    if json_out:
        emit_json(rows)
        return
    title = region.manifest.title_zh if lg == "zh" else region.manifest.title_en
    t = Table(title=escape(text("cli.districts_title", lg, region=title, n=len(rows))))
    for i, col in enumerate(text("cli.districts_columns", lg).split("|")):
        t.add_column(col, justify="right" if i >= 5 else "left", overflow="fold")
    for r in rows:
        data_row(
            t,
            r["code"],
            r["name_zh"],
            r["name_en"],
            r["parent"] or "",
            ", ".join(ROLES[x][0 if lg == "zh" else 1] for x in r["roles"]),
            _fmt(r["population_2020"]),
            _fmt(r["urbanisation_rate_2020_pct"]),
            _fmt(r["area_km2_computed"]),
        )
    _console().print(t)


def list_targets(dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False) -> None:
    """List every quantified target of the plan with its chapter."""
    region = load_region_or_exit(dataset)
    rows = [t.model_dump(mode="json") for t in region.targets]
    if json_out:
        emit_json(rows)
        return
    t = Table(title=escape(f"{region.manifest.plan_title_zh}: {len(rows)} quantified targets"))
    for col in ("id", "name_zh", "scope", "target", "year", "baseline", "chapter"):
        t.add_column(col)
    for r in rows:
        base = (
            f"{_fmt(r['baseline_value'])} ({r['baseline_year']})"
            if r["baseline_value"] is not None
            else "—"
        )
        data_row(
            t,
            r["id"],
            r["name_zh"],
            r["scope"],
            f"{r['direction']} {_fmt(r['target_value'])} {r['unit']}",
            _fmt(r["target_year"]),
            base,
            r["chapter"],
        )
    _console().print(t)


def list_projects(
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    type_: Annotated[str | None, typer.Option("--type", help="Only projects of this type.")] = None,
) -> None:
    """List the plan's key projects."""
    region = load_region_or_exit(dataset)
    rows = [p.model_dump(mode="json") for p in region.projects if type_ is None or p.type == type_]
    if type_ is not None and not rows:
        known = sorted({p.type for p in region.projects})
        fail(f"--type was {type_!r} but is expected to be one of {known}")
    if json_out:
        emit_json(rows)
        return
    t = Table(title=escape(f"{region.manifest.plan_title_zh}: {len(rows)} key projects"))
    for col in ("id", "name_zh", "type", "status", "units", "chapter"):
        t.add_column(col)
    for r in rows:
        data_row(
            t, r["id"], r["name_zh"], r["type"], r["status"], ";".join(r["units"]), r["chapter"]
        )
    _console().print(t)


def validate(
    path: Annotated[str, typer.Argument(help="Dataset folder (or embedded name) to check.")],
) -> None:
    """Check a dataset; print every problem as file:row:field: message and exit 2 if any."""
    from metrocircle.region import validate_dataset

    with user_errors():
        problems = validate_dataset(path)
    if problems:
        for p in problems:
            typer.echo(str(p), err=True)
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(2)
    typer.echo(f"{path}: valid")


@import_app.command("observations")
def import_observations(
    *,
    file: Annotated[
        Path, typer.Argument(help="CSV or XLSX with indicator, scope, period, value, unit, source.")
    ],
    dataset: DatasetOpt = "chongqing",
    db: StoreOpt = None,
    submitted_by: Annotated[
        str,
        typer.Option("--submitted-by", help="Who submits the data (recorded in the audit log)."),
    ] = "cli",
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Submit as this user: their unit's rows only, stored as submitted for review.",
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import observations: every row is checked first; all rows are written or none.

    Without --as the store's operator imports accepted values; with --as USER the rows are
    that user's submission (their own units only) and wait for a reviewer.
    """
    from metrocircle.cli.users import cli_origin
    from metrocircle.security import check_scopes, principal_for
    from metrocircle.store import read_observations_file

    region = load_region_or_exit(dataset)
    with user_errors():
        rows = read_observations_file(file, region)
    store = open_store(db)
    try:
        with user_errors(), _progress(len(rows), file.name) as progress:
            if as_user is None:
                res = store.import_observations(
                    rows,
                    submitted_by=submitted_by,
                    file=file.name,
                    origin=cli_origin(),
                    progress=progress,
                )
            else:
                user = store.user(as_user)
                if user.disabled:
                    fail(f"--as {as_user!r}: the user is disabled")
                who = principal_for(region, user)
                try:
                    check_scopes(who, [o.scope for o in rows], file=file.name)
                except PermissionDeniedError as exc:
                    lines = [
                        f"{file.name}:{r.line}:scope: {p.message}" for p, r in _rows_of(exc, rows)
                    ]
                    fail("\n".join([str(exc), *lines[:50]]) + "\nnothing was imported")
                res = store.submit_observations(
                    rows, user=user.name, file=file.name, origin=cli_origin(), progress=progress
                )
    finally:
        store.close()
    if json_out:
        emit_json(
            {"batch_id": res.batch_id, "rows": res.rows, "status": res.status, "file": str(file)}
        )
    else:
        verb = "imported" if res.status == "accepted" else "submitted for review"
        typer.echo(f"{verb} {res.rows} observation(s) from {file} (batch {res.batch_id})")


def _rows_of(exc: PermissionDeniedError, rows: list[Any]) -> list[tuple[Any, Any]]:
    return [(p, rows[p.row]) for p in exc.problems if 0 <= p.row < len(rows)]


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; plain ``progress: n/total`` lines on stderr otherwise."""
    import sys

    if total <= CHUNK_ROWS:
        yield None
        return
    if sys.stderr.isatty():
        from rich.console import Console as RichConsole
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=RichConsole(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task(f"writing {label}", total=total)
            yield lambda done, _t: bar.update(task, completed=done)
        return

    def plain(done: int, t: int) -> None:
        typer.echo(f"progress: {done}/{t} rows written (not committed yet)", err=True)

    yield plain


class ExportWhat(StrEnum):
    """What to export."""

    units = "units"
    targets = "targets"
    projects = "projects"
    observations = "observations"


class ExportFormat(StrEnum):
    """File formats of export."""

    geojson = "geojson"
    csv = "csv"
    xlsx = "xlsx"
    geoparquet = "geoparquet"


class HeaderLang(StrEnum):
    """Column headings of a table export: the field names, or words in Chinese or English."""

    keys = "keys"
    zh = "zh"
    en = "en"


def _headings(columns: list[str], headers: HeaderLang) -> list[str]:
    from metrocircle import messages

    if headers is HeaderLang.keys:
        return columns
    return [
        messages.text(f"col.{c}", headers.value) if f"col.{c}" in messages.CATALOGUE else c
        for c in columns
    ]


def _plain_cell(v: Any) -> Any:
    import json

    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, ensure_ascii=False)
    return v


def export(
    *,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    what: Annotated[ExportWhat, typer.Option(help="Which table.")] = ExportWhat.units,
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format", help="Default: from the file suffix (.geojson .csv .xlsx .parquet)."
        ),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="CSV for Excel: a UTF-8 byte-order mark first, so Chinese text opens correctly.",
        ),
    ] = False,
    headers: Annotated[
        HeaderLang,
        typer.Option("--headers", help="Column headings of CSV/XLSX: field names, or zh/en words."),
    ] = HeaderLang.keys,
    dataset: DatasetOpt = "chongqing",
    db: StoreOpt = None,
) -> None:
    """Export units (with boundaries), targets, projects or stored observations.

    CSV and XLSX cells that a spreadsheet would run as a formula (beginning with = + - @)
    get a leading single quote; numbers stay numbers.
    """
    import geopandas as gpd
    import pandas as pd

    from metrocircle import exports

    if fmt is None:
        suffix = out.suffix.lower().lstrip(".")
        mapping = {
            "geojson": "geojson",
            "json": "geojson",
            "csv": "csv",
            "xlsx": "xlsx",
            "parquet": "geoparquet",
        }
        if suffix not in mapping:
            fail(f"--out {out} has no known suffix; pass --format (geojson, csv, xlsx, geoparquet)")
        fmt = ExportFormat(mapping[suffix])
    region = load_region_or_exit(dataset)
    if what is ExportWhat.units:
        gdf = region.units.copy()
        gdf["roles"] = gdf["roles"].map(";".join)
        frame: pd.DataFrame = gdf
    elif what is ExportWhat.targets:
        frame = pd.DataFrame([t.model_dump(mode="json") for t in region.targets])
    elif what is ExportWhat.projects:
        frame = pd.DataFrame([p.model_dump(mode="json") for p in region.projects])
        for c in ("units", "network_ref"):
            frame[c] = frame[c].map(";".join)
    else:
        store = open_store(db)
        try:
            from metrocircle.indicators.authority import UNRECORDED_KIND

            # a value stored before the store recorded kinds says so (not an empty cell)
            frame = pd.DataFrame(
                [
                    o.__dict__ | {"source_kind": o.source_kind or UNRECORDED_KIND}
                    for o in store.observations()
                ]
            )
        finally:
            store.close()
    is_geo = isinstance(frame, gpd.GeoDataFrame)
    tabular = fmt in (ExportFormat.csv, ExportFormat.xlsx)
    if not tabular and not is_geo:
        fail(f"{what.value} has no geometry: export it as csv or xlsx")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        if tabular:
            plain = pd.DataFrame(frame.drop(columns="geometry") if is_geo else frame)
            columns = [str(c) for c in plain.columns]
            rows = (
                [_plain_cell(v) for v in rec]
                for rec in plain.astype(object).where(plain.notna(), None).itertuples(index=False)
            )
            head = _headings(columns, headers)
            if fmt is ExportFormat.csv:
                exports.write_csv(tmp, head, rows, excel=excel)
            else:
                exports.write_xlsx(tmp, head, rows, sheet=what.value)
        elif fmt is ExportFormat.geojson:
            assert isinstance(frame, gpd.GeoDataFrame)
            frame.to_file(tmp, driver="GeoJSON")
        else:
            assert isinstance(frame, gpd.GeoDataFrame)
            frame.to_parquet(tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    typer.echo(f"wrote {len(frame)} {what.value} to {out} ({fmt.value})")
