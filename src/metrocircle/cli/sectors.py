"""Sector commands: ``air``, ``water``, ``tourism`` and ``fiscal`` (thin wrappers over metrocircle.sectors)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from metrocircle._errors import DataValidationError
from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    LangOpt,
    cli_lang,
    data_row,
    emit_json,
    fail,
    load_region_or_exit,
    user_errors,
)
from metrocircle.messages import text

__all__ = ["air_app", "fiscal_app", "tourism_app", "water_app"]

air_app = typer.Typer(
    help="Air quality: HJ 633 AQI, HJ 663 good-air days, joint heavy-pollution warnings.",
    no_args_is_help=True,
)
water_app = typer.Typer(
    help="Surface water: GB 3838-2002 section class (single-factor method).", no_args_is_help=True
)
tourism_app = typer.Typer(
    help="Scenic areas: LB/T 034-2014 capacity and crowd-warning tiers.", no_args_is_help=True
)
fiscal_app = typer.Typer(
    help="Shared areas: stock/increment revenue sharing and statistical splitting.",
    no_args_is_help=True,
)

StandardOpt = Annotated[str, typer.Option("--standard", help="HJ633-2012 or HJ633-2026.")]
FilesArg = Annotated[
    list[Path], typer.Argument(help="CNEMC-style hourly CSV files.", show_default=False)
]


def _root(dataset: str) -> Path:
    from metrocircle.region import resolve_dataset

    with user_errors():
        return resolve_dataset(dataset)
    raise AssertionError  # pragma: no cover


def _dataset_file(dataset: str, rel: str) -> Path:
    path = _root(dataset) / rel
    if not path.is_file():
        fail(f"dataset {dataset!r} has no {rel}")
    return path


def _cell(value: Any) -> str:
    """A value as a table cell: nothing is ``—``, a list its items joined."""
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _print_table(cols: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """A Rich table whose columns wrap (fold) rather than cut at the terminal's width.

    Every header and cell is a :class:`rich.text.Text` (:func:`data_row`), so a name or a
    note with ``[...]`` in it is printed as written, never read as markup.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for c in cols:
        table.add_column(Text(c), overflow="fold")
    for r in rows:
        data_row(table, *(_cell(v) for v in r))
    Console(soft_wrap=False).print(table)


def _table(rows: list[dict[Any, Any]], cols: list[str]) -> None:
    _print_table(cols, ([r.get(c) for c in cols] for r in rows))


# --------------------------------------------------------------------------- air


@air_app.command("aqi")
def air_aqi(
    *,
    so2: Annotated[
        float | None, typer.Option(help="SO2 µg/m³ (24-h mean, or 1-h with --hourly).")
    ] = None,
    no2: Annotated[float | None, typer.Option(help="NO2 µg/m³.")] = None,
    pm10: Annotated[float | None, typer.Option(help="PM10 µg/m³.")] = None,
    pm25: Annotated[float | None, typer.Option("--pm25", help="PM2.5 µg/m³.")] = None,
    co: Annotated[float | None, typer.Option(help="CO mg/m³.")] = None,
    o3_1h: Annotated[
        float | None, typer.Option("--o3-1h", help="O3 (daily max) 1-h µg/m³.")
    ] = None,
    o3_8h: Annotated[
        float | None, typer.Option("--o3-8h", help="O3 (daily max) 8-h µg/m³.")
    ] = None,
    so2_24h: Annotated[
        float | None, typer.Option("--so2-24h", help="SO2 24-h mean (hourly AQI, SO2 > 800).")
    ] = None,
    hourly: Annotated[
        bool, typer.Option("--hourly", help="Real-time (hourly) AQI instead of daily.")
    ] = False,
    standard: StandardOpt = "HJ633-2012",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """AQI, IAQI per item, primary pollutants and category of one set of concentrations."""
    from metrocircle.sectors.results import air_quality_index

    lg = cli_lang(lang)

    conc = {
        "so2": so2,
        "no2": no2,
        "pm10": pm10,
        "pm2_5": pm25,
        "co": co,
        "o3_1h": o3_1h,
        "o3_8h": o3_8h,
    }
    if hourly:
        conc["so2_24h"] = so2_24h
    elif so2_24h is not None:
        fail("--so2-24h applies to --hourly only (daily SO2 is the 24-h mean: use --so2)")
    given = {k: v for k, v in conc.items() if v is not None}
    if not given:
        fail(
            "give at least one concentration (--so2, --no2, --pm10, --pm25, --co, --o3-1h, --o3-8h)"
        )
    with user_errors():
        doc = air_quality_index(given, report="hourly" if hourly else "daily", standard=standard)
    if json_out:
        emit_json(doc.to_json())
        return
    res = doc.result
    typer.echo(
        text(
            "sectors.aqi_head",
            lg,
            aqi=res.aqi,
            category=res.category.name_zh if lg == "zh" else res.category.name_en,
            standard=res.standard,
            report=res.report,
        )
    )
    typer.echo(text("sectors.primary", lg, items=", ".join(res.primary_pollutants) or "—"))
    _print_table(
        ["item", "iaqi", "iaqi_exact"],
        ([k, v, f"{res.iaqi_exact[k]:.3f}"] for k, v in res.iaqi.items()),
    )


def _stations(dataset: str, stations_path: Path | None) -> Path:
    return stations_path or _dataset_file(dataset, "sectors/air_stations.csv")


StationsOpt = Annotated[
    Path | None, typer.Option("--stations", help="Station registry CSV (default: the dataset's).")
]
StdOrDayOpt = Annotated[
    str | None,
    typer.Option(
        "--standard",
        help="HJ633-2012 or HJ633-2026 for every day (default: edition in force each day).",
    ),
]


@air_app.command("import")
def air_import(
    files: FilesArg,
    *,
    level: Annotated[str, typer.Option(help="station, unit or area.")] = "station",
    dataset: DatasetOpt = "chongqing",
    stations: StationsOpt = None,
    standard: StdOrDayOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Daily AQI per station, unit or area from CNEMC hourly files (stations outside the registry are ignored)."""
    from metrocircle.sectors.results import air_daily

    cli_lang(lang)
    if level not in ("station", "unit", "area"):
        fail(f"--level was {level!r} but is expected to be station, unit or area")
    with user_errors():
        rows = air_daily(
            files, _stations(dataset, stations), level=level, standard=standard
        ).to_json()
    if json_out:
        emit_json(rows)
        return
    _table(rows, ["scope", "date", "valid", "aqi", "category_level", "primary", "standard"])


@air_app.command("good-days")
def air_good_days(
    files: FilesArg,
    *,
    dataset: DatasetOpt = "chongqing",
    stations: StationsOpt = None,
    standard: StdOrDayOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Good-air-day ratio (HJ 663) per station, unit and for the area, per year."""
    from metrocircle.sectors.results import good_air_days

    cli_lang(lang)
    with user_errors():
        rows = good_air_days(files, _stations(dataset, stations), standard=standard).to_json()
    if json_out:
        emit_json(rows)
        return
    _table(rows, ["level", "scope", "year", "valid_days", "good_days", "ratio_pct", "standard"])


@air_app.command("stations")
def air_stations(
    dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False, lang: LangOpt = None
) -> None:
    """The station registry with each station's unit."""
    from metrocircle.sectors.results import air_station_list

    cli_lang(lang)
    _dataset_file(dataset, "sectors/air_stations.csv")
    with user_errors():
        rows = air_station_list(_root(dataset)).to_json()
    if json_out:
        emit_json(rows)
        return
    _table(rows, ["station_code", "name_zh", "unit_code", "lon", "lat", "control_point"])


@air_app.command("warnings")
def air_warnings(
    files: FilesArg,
    *,
    dataset: DatasetOpt = "chongqing",
    stations: StationsOpt = None,
    standard: StdOrDayOpt = None,
    all_episodes: Annotated[
        bool, typer.Option("--all", help="Every episode, not only the ongoing ones.")
    ] = False,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Joint heavy-pollution episodes across neighbouring units (ongoing ones unless --all)."""
    from metrocircle.sectors.results import air_warnings, unit_adjacency

    lg = cli_lang(lang)
    path = _stations(dataset, stations)
    region = load_region_or_exit(dataset)
    with user_errors():
        rows = air_warnings(
            files,
            path,
            unit_adjacency(region),
            standard=standard,
            ongoing_only=not all_episodes,
        ).to_json()
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo(text("sectors.no_air_episode", lg))
        return
    _print_table(
        ["start", "end", "tier", "units"],
        (
            [
                e["start"],
                e["end"],
                e["tier"],
                [f"{u['unit']}({u['tier'] or '—'})" for u in e["units"]],
            ]
            for e in rows
        ),
    )


# --------------------------------------------------------------------------- water


@water_app.command("classify")
def water_classify(
    file: Annotated[
        Path, typer.Argument(help="CSV: section_id, [water_body], one column per parameter.")
    ],
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Class I–V / 劣V of every section (single-factor method) and the share at class III or better."""
    from metrocircle.sectors.results import water_classification_file

    lg = cli_lang(lang)
    with user_errors():
        res = water_classification_file(file)
    if json_out:
        emit_json(res.to_json())
        return
    quality = "quality_zh" if lg == "zh" else "quality_en"
    _print_table(
        ["section_id", "label", quality, "deciding"],
        ([r["section_id"], r["label"], r[quality], r["deciding"]] for r in res.sections),
    )
    share = res.share_iii_or_better_pct
    typer.echo(text("sectors.water_share", lg, share="—" if share is None else f"{share:.1f} %"))


@water_app.command("limits")
def water_limits(json_out: JsonOpt = False, lang: LangOpt = None) -> None:
    """GB 3838-2002 Table 1 limits (classes I–V)."""
    from metrocircle.sectors.results import water_limit_table

    cli_lang(lang)
    rows = water_limit_table().to_json()
    if json_out:
        emit_json(rows)
        return
    _table(rows, ["key", "name_zh", "unit", "kind", "limits", "lake_limits", "evaluated"])


# --------------------------------------------------------------------------- tourism


@tourism_app.command("areas")
def tourism_areas(
    dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False, lang: LangOpt = None
) -> None:
    """The plan's themed scenic areas (专栏5), each with whether a capacity is on file."""
    from metrocircle.sectors.results import scenic_area_list

    cli_lang(lang)
    _dataset_file(dataset, "sectors/scenic_areas.csv")
    with user_errors():
        rows = scenic_area_list(_root(dataset)).to_json()
    if json_out:
        emit_json(rows)
        return
    _table(
        rows,
        [
            "id",
            "name_zh",
            "theme",
            "unit_code",
            "placed_by",
            "a_level",
            "capacity_daily",
            "has_capacity",
        ],
    )


@tourism_app.command("tiers")
def tourism_tiers(json_out: JsonOpt = False, lang: LangOpt = None) -> None:
    """The configured crowd-warning tiers."""
    from metrocircle.sectors.results import crowd_tiers

    cli_lang(lang)
    with user_errors():
        rows = crowd_tiers().to_json()
    if json_out:
        emit_json(rows)
        return
    _table(rows, ["id", "threshold", "colour", "name_zh", "source"])


@tourism_app.command("capacity")
def tourism_capacity(
    *,
    area_m2: Annotated[
        list[float], typer.Option("--area-m2", help="Effective area of an attraction, m² (repeat).")
    ],
    m2_per_visitor: Annotated[
        list[float],
        typer.Option("--m2-per-visitor", help="Area per visitor, m²/person (repeat, same order)."),
    ],
    open_hours: Annotated[float | None, typer.Option(help="T, daily opening time, hours.")] = None,
    visit_hours: Annotated[
        float | None, typer.Option(help="t, average visit duration, hours.")
    ] = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Spatial capacity (LB/T 034-2014 area method): instantaneous, and daily with T and t."""
    from metrocircle.sectors.results import tourism_capacity

    lg = cli_lang(lang)
    if len(area_m2) != len(m2_per_visitor):
        fail(
            f"--area-m2 given {len(area_m2)} times but --m2-per-visitor {len(m2_per_visitor)} times"
        )
    with user_errors():
        res = tourism_capacity(
            list(zip(area_m2, m2_per_visitor, strict=True)),
            open_hours=open_hours,
            visit_hours=visit_hours,
        )
    if json_out:
        emit_json(res.to_json())
        return
    typer.echo(text("sectors.capacity_instant", lg, n=f"{res.instantaneous:.0f}"))
    if res.daily is not None:
        typer.echo(text("sectors.capacity_daily", lg, n=f"{res.daily:.0f}"))


@tourism_app.command("warnings")
def tourism_warnings(
    counts: Annotated[
        Path, typer.Argument(help="Visitor counts CSV: scenic_id, time, in_park, cumulative_today.")
    ],
    *,
    capacities: Annotated[
        Path | None,
        typer.Option(
            "--capacities",
            help="Capacities CSV (default: the capacities published in the dataset's registry).",
        ),
    ] = None,
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Current crowd warnings (latest count per scenic area against its capacity)."""
    from metrocircle.sectors.results import tourism_warnings
    from metrocircle.sectors.tourism import load_capacities, read_visitor_counts

    lg = cli_lang(lang)
    root = _root(dataset)
    _dataset_file(dataset, "sectors/scenic_areas.csv")
    with user_errors():
        extra = load_capacities(capacities) if capacities is not None else None
        rows = tourism_warnings(root, read_visitor_counts(counts), capacities=extra).to_json()
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo(text("sectors.no_crowd_warning", lg))
        return
    zh = lg == "zh"
    _print_table(
        [
            "scenic_id",
            "name_zh" if zh else "name_en",
            "ratio",
            "tier",
            "actions_zh" if zh else "actions_en",
        ],
        (
            [
                r["scenic_id"],
                r.get("name_zh") if zh else r.get("name_en") or r.get("name_zh"),
                f"{r['ratio']:.0%}",
                r["tier"],
                r["actions_zh"] if zh else r["actions_en"],
            ]
            for r in rows
        ),
    )


# --------------------------------------------------------------------------- fiscal


@fiscal_app.command("areas")
def fiscal_areas(
    dataset: DatasetOpt = "chongqing", json_out: JsonOpt = False, lang: LangOpt = None
) -> None:
    """Shared areas, their jurisdictions and default shares."""
    from metrocircle.sectors.results import shared_area_list

    lg = cli_lang(lang)
    _dataset_file(dataset, "sectors/shared_areas.toml")
    with user_errors():
        rows = shared_area_list(_root(dataset)).to_json()
    if json_out:
        emit_json(rows)
        return
    name = "name_zh" if lg == "zh" else "name_en"
    _print_table(
        ["id", name, "shares"],
        ([r["id"], r[name], [f"{k} {v}" for k, v in r["shares"].items()]] for r in rows),
    )


@fiscal_app.command("split")
def fiscal_split(
    ledger: Annotated[
        Path, typer.Argument(help="Ledger CSV: area_id, item, year, jurisdiction, amount.")
    ],
    *,
    base_year: Annotated[
        int, typer.Option("--base-year", help="Year whose values are the stock (required).")
    ],
    shares: Annotated[
        str | None, typer.Option(help="CODE=SHARE,... (default: the area's shares).")
    ] = None,
    decimals: Annotated[int, typer.Option(min=0, max=8, help="Decimal places of the split.")] = 2,
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Split each item's increment over the base year (stock stays; increment by shares)."""
    from metrocircle.sectors.fiscal import parse_shares, read_ledger
    from metrocircle.sectors.results import fiscal_split as split

    cli_lang(lang)
    with user_errors():
        entries = read_ledger(ledger)
        if not entries:
            fail(f"{ledger}: the ledger is empty")
        sh = parse_shares(shares) if shares is not None else None
        if sh is None:
            _dataset_file(dataset, "sectors/shared_areas.toml")
        try:
            res = split(
                entries, base_year=base_year, root=_root(dataset), shares=sh, decimals=decimals
            )
        except DataValidationError as exc:
            if exc.problems and exc.problems[0].field == "area_id":
                fail(f"{ledger}: {exc.problems[0].message.replace('give shares', 'pass --shares')}")
            raise
    rows = list(res.to_json())
    if json_out:
        emit_json(rows)
        return
    _table(
        rows,
        [
            "item",
            "year",
            "jurisdiction",
            "collected",
            "stock",
            "increment_share",
            "allocated",
            "transfer",
        ],
    )
