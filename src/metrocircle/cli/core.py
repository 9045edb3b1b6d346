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
    fail_key,
    load_region_or_exit,
    open_store,
    run_lang,
    say,
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


def info(
    dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False, lang: LangOpt = None
) -> None:
    """Summarise the dataset: plan, units, population, targets, projects."""
    from metrocircle import fmt
    from metrocircle.messages import text

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    m = region.manifest
    counties = region.units.loc[list(region.county_codes)]
    pop = int(counties["population_2020"].sum())
    urb = int(counties["urban_population_2020"].sum())
    area = float(counties["area_km2_computed"].sum())
    data: dict[str, Any] = {
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
    zh = lg == "zh"
    t = Table(title=escape(m.title_zh if zh else m.title_en), show_header=False)
    plan = m.plan_title_zh if zh else (getattr(m, "plan_title_en", "") or m.plan_title_zh)
    shown = {
        "plan": plan,
        "units": fmt.number(data["units"], lang=lg),
        "population_2020": fmt.number(pop, lang=lg),
        "urbanisation_rate_2020_pct": fmt.percent(data["urbanisation_rate_2020_pct"], lang=lg),
        "area_km2_computed": fmt.number(data["area_km2_computed"], digits=1, lang=lg),
        "targets": fmt.number(data["targets"], lang=lg),
        "projects": fmt.number(data["projects"], lang=lg),
        "centre": m.centre.name_zh if zh else m.centre.name_en,
        "data_version": str(data["data_version"]),
    }
    keys = {"population_2020": "population", "urbanisation_rate_2020_pct": "urbanisation"}
    keys |= {"area_km2_computed": "area"}
    for k, v in shown.items():
        data_row(t, text(f"cli.info_{keys.get(k, k)}", lg), v)
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
        fail_key("bad_choice", option="--role", value=repr(role), choices=", ".join(ROLES))
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


def _plan_title(region: Any, lg: str) -> str:
    m = region.manifest
    return str(m.plan_title_zh if lg == "zh" else (getattr(m, "plan_title_en", "") or m.title_en))


def list_targets(
    dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False, lang: LangOpt = None
) -> None:
    """List every quantified target of the plan with its chapter."""
    from metrocircle import fmt
    from metrocircle.messages import text
    from metrocircle.report import words

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    rows = [t.model_dump(mode="json") for t in region.targets]
    if json_out:
        emit_json(rows)
        return
    title = text("cli.targets_title", lg, plan=_plan_title(region, lg), n=len(rows))
    t = Table(title=escape(title))
    for col in text("cli.targets_columns", lg).split("|"):
        t.add_column(col, overflow="fold")
    for tr in region.targets:
        base = (
            words.value_year(tr.baseline_value, tr.baseline_year, tr.unit, lg)
            if tr.baseline_value is not None
            else "—"
        )
        goal = fmt.ordinal_goal(tr.direction.value, tr.target_value, tr.unit, lg) or (
            fmt.direction_words(tr.direction.value, lg)
            + (" " if lg == "en" else "")
            + fmt.quantity(tr.target_value, tr.unit, lg)
        )
        data_row(
            t,
            tr.id,
            tr.name_zh if lg == "zh" else tr.name_en,
            words.scope_words(region, tr.scope, lg),
            goal,
            fmt.year(tr.target_year) if tr.target_year else "—",
            base,
            words.section_words(tr.chapter, lg),
        )
    _console().print(t)


def list_projects(
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    type_: Annotated[str | None, typer.Option("--type", help="Only projects of this type.")] = None,
    lang: LangOpt = None,
) -> None:
    """List the plan's key projects."""
    from metrocircle.messages import CATALOGUE, text
    from metrocircle.report import words

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    picked = [p for p in region.projects if type_ is None or p.type == type_]
    rows = [p.model_dump(mode="json") for p in picked]
    if type_ is not None and not rows:
        known = sorted({p.type for p in region.projects})
        fail_key("bad_choice", option="--type", value=repr(type_), choices=", ".join(known))
    if json_out:
        emit_json(rows)
        return

    def word(prefix: str, value: str) -> str:
        key = f"report.{prefix}_{value}"
        return text(key, lg) if key in CATALOGUE else value

    sep = "、" if lg == "zh" else ", "
    title = text("cli.projects_title", lg, plan=_plan_title(region, lg), n=len(rows))
    t = Table(title=escape(title))
    for col in text("cli.projects_columns", lg).split("|"):
        t.add_column(col, overflow="fold")
    for p in picked:
        data_row(
            t,
            p.id,
            p.name_zh if lg == "zh" else (getattr(p, "name_en", "") or p.name_zh),
            word("ptype", str(p.type)),
            word("pstatus", str(getattr(p.status, "value", p.status))),
            sep.join(words.scope_words(region, c, lg) for c in p.units),
            words.section_words(p.chapter, lg),
        )
    _console().print(t)


def validate(
    path: Annotated[str, typer.Argument(help="Dataset folder (or embedded name) to check.")],
    lang: LangOpt = None,
) -> None:
    """Check a dataset; print every problem as file:row:field: message and exit 2 if any.

    Messages are in the chosen language; a root cause is printed once, with the number of
    rows it affects, and problems that only follow from another one are counted, not listed.
    """
    from metrocircle.problems import render
    from metrocircle.region import resolve_dataset, validate_dataset

    lg = cli_lang(lang)
    with user_errors():
        problems = validate_dataset(path)
    if problems:
        units_file, unit_rows = _units_file(resolve_dataset(path))
        for line in render(problems, lg, units_file=units_file, unit_rows=unit_rows):
            typer.echo(line, err=True)
        raise typer.Exit(2)
    say("valid", path=path)


def _units_file(path: Path) -> tuple[str | None, dict[int, str]]:
    """The units file a dataset's manifest names and its line number → unit code."""
    from metrocircle.schema import load_manifest, read_csv_rows

    manifest, _ = load_manifest(path / "manifest.toml")
    if manifest is None or "units" not in manifest.files:
        return None, {}
    name = str(manifest.files["units"].path)
    try:
        _, raw = read_csv_rows(path / name)
    except (OSError, ValueError):
        return name, {}
    return name, {i: (r.get("code") or "").strip() for i, r in enumerate(raw, start=2)}


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
    lang: LangOpt = None,
) -> None:
    """Import observations: every row is checked first; all rows are written or none.

    Without --as the store's operator imports accepted values; with --as USER the rows are
    that user's submission (their own units only) and wait for a reviewer.
    """
    from metrocircle.cli.users import cli_origin
    from metrocircle.messages import text
    from metrocircle.security import principal_for
    from metrocircle.store.observations_file import count_table_rows, iter_observation_chunks
    from metrocircle.submissions import submit_observation_chunks

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    if as_user is None:
        # The operator's import streams: one chunk of the file in memory at a time, all
        # chunks written in one transaction (issue 19: a 2 M-row file once took 2.8 GB).
        with user_errors():
            total = count_table_rows(file)
        store = open_store(db)
        try:
            with user_errors(), _progress(total, file.name) as progress:
                res = store.import_observation_chunks(
                    iter_observation_chunks(file, region, chunk_rows=CHUNK_ROWS),
                    submitted_by=submitted_by,
                    file=file.name,
                    origin=cli_origin(),
                    progress=progress,
                    total=total,
                )
        finally:
            store.close()
        _imported(res, file, json_out=json_out)
        return
    # A user's submission streams too, each chunk checked against their units.
    with user_errors():
        total = count_table_rows(file)
    store = open_store(db)
    try:
        with user_errors(), _progress(total, file.name) as progress:
            user = store.user(as_user)
            if user.disabled:
                fail_key("user_disabled", user=repr(as_user))
            who = principal_for(region, user)
            chunks = iter_observation_chunks(file, region, chunk_rows=CHUNK_ROWS)
            try:
                submitted = submit_observation_chunks(
                    store,
                    who,
                    chunks,
                    file=file.name,
                    origin=cli_origin(),
                    progress=progress,
                    total=total,
                )
            except PermissionDeniedError as exc:
                lines = [f"{p.file}:{p.row}:{p.field}: {p.message}" for p in exc.problems]
                fail("\n".join([str(exc), *lines[:50], text("cli.nothing_imported", lg)]))
    finally:
        store.close()
    _imported(submitted, file, json_out=json_out)


def _imported(res: Any, file: Path, *, json_out: bool) -> None:
    from dataclasses import replace

    from metrocircle.submissions import SubmissionResult, submission_result

    # The document names the file as given on the command line (the store records its name).
    doc = replace(res, file=str(file)) if isinstance(res, SubmissionResult) else None
    doc = doc or submission_result(res, file=str(file))
    if json_out:
        emit_json(doc.to_json())
    else:
        key = "imported" if res.status == "accepted" else "submitted"
        say(key, n=res.rows, file=file, batch=res.batch_id)


def _msg(key: str, **kw: object) -> str:
    from metrocircle.messages import text

    return text(key, run_lang(), **kw)


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
            task = bar.add_task(escape(_msg("cli.import_progress", file=label)), total=total)
            yield lambda done, _t: bar.update(task, completed=done)
        return

    def plain(done: int, t: int) -> None:
        typer.echo(_msg("cli.import_rows", done=done, total=t), err=True)

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
    lang: LangOpt = None,
) -> None:
    """Export units (with boundaries), targets, projects or stored observations.

    CSV and XLSX cells that a spreadsheet would run as a formula (beginning with = + - @)
    get a leading single quote; numbers stay numbers.
    """
    import geopandas as gpd
    import pandas as pd

    from metrocircle import exports

    cli_lang(lang)
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
            fail_key("export_suffix", path=out)
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
        fail_key("export_no_geometry", what=_msg(f"cli.what_{what.value}"))
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
    say("exported", n=len(frame), what=_msg(f"cli.what_{what.value}"), path=out, fmt=fmt.value)
