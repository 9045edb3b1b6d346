"""Coverage and siting commands: ``metrocircle coverage …`` and ``metrocircle site …`` (thin wrappers)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    LangOpt,
    cli_lang,
    emit_json,
    fail,
    load_region_or_exit,
    user_errors,
)
from metrocircle.messages import text

if TYPE_CHECKING:
    from metrocircle.coverage.facilities import FacilityLayer

__all__ = ["coverage_app", "site_app"]

T = TypeVar("T")

coverage_app = typer.Typer(
    help="Public-service coverage: 1-hour rescue circle, n-th nearest facility, 2SFCA (plan ch. 11).",
    no_args_is_help=True,
)
site_app = typer.Typer(
    help="Exact facility siting with HiGHS: set covering (lscp), maximal covering (mclp), p-median.",
    no_args_is_help=True,
)

FacilitiesOpt = Annotated[
    Path | None,
    typer.Option(
        "--facilities",
        help=(
            "Facility file (CSV or GeoJSON; format: coverage/FACILITIES.md). Default: the layers "
            "the dataset ships (sectors/hospitals.csv, sectors/emergency_sites.csv)."
        ),
        show_default=False,
    ),
]
ScenarioOpt = Annotated[
    str | None,
    typer.Option("--scenario", "-s", help="Network scenario id (default: the base network)."),
]
DatumOpt = Annotated[str, typer.Option("--datum", help="Coordinates of the file: wgs84 or gcj02.")]
TypeOpt = Annotated[
    str | None, typer.Option("--type", help="Facility type to use (default per command).")
]


@contextmanager
def _progress(label: str) -> Iterator[None]:
    """A transient rich spinner on stderr while a network computation runs (terminals only)."""
    import sys

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not sys.stderr.isatty(),
    ) as bar:
        bar.add_task(label, total=None)
        yield


def _run(label: str, fn: Callable[[], T]) -> T:
    with user_errors(), _progress(label):
        return fn()
    raise AssertionError  # pragma: no cover - user_errors either returns or exits


def _layer(path: Path | None, datum: str) -> FacilityLayer | None:
    """The user's facility file (None: the question runs on the layers the region ships)."""
    from metrocircle.coverage.facilities import load_facilities

    if path is None:
        return None
    with user_errors():
        return load_facilities(path, datum=datum)  # type: ignore[arg-type]
    raise AssertionError  # pragma: no cover


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if math.isnan(v):
            return "—"
        return f"{v:.{nd}f}" if math.isfinite(v) else "∞"
    return str(v)


def _warn(lg: str, note: str | None) -> None:
    if note:
        typer.echo(text("coverage.warning", lg, note=note), err=True)


def _name(lg: str, row: dict[str, Any]) -> str:
    return str(row["name_zh"] if lg == "zh" else row.get("name_en") or row["name_zh"])


# --------------------------------------------------------------------------- coverage


@coverage_app.command("rescue")
def rescue(
    *,
    facilities: FacilitiesOpt = None,
    scenario: ScenarioOpt = None,
    minutes: Annotated[
        float | None, typer.Option("--minutes", help="Threshold, minutes (default 60).")
    ] = None,
    facility_type: TypeOpt = None,
    datum: DatumOpt = "wgs84",
    as_json: JsonOpt = False,
    dataset: DatasetOpt = "chongqing",
    lang: LangOpt = None,
) -> None:
    """Population within the rescue circle of the nearest emergency reserve centre, per unit and area."""
    from metrocircle.coverage.results import rescue_coverage

    lg = cli_lang(lang)
    if minutes is not None and (not math.isfinite(minutes) or minutes < 0):
        fail("--minutes must be a non-negative number of minutes")
    region = load_region_or_exit(dataset)
    layer = _layer(facilities, datum)
    res = _run(
        text("coverage.progress", lg),
        lambda: rescue_coverage(
            region, layer, minutes=minutes, facility_type=facility_type, scenario=scenario
        ),
    )
    if as_json:
        emit_json(res.to_json())
        return
    _warn(lg, res.layer_gap)
    typer.echo(
        text(
            "coverage.rescue_head",
            lg,
            scenario=res.scenario,
            n=res.facilities,
            minutes=f"{res.minutes:g}",
        )
    )
    typer.echo("\t".join(text("coverage.rescue_columns", lg).split("|")))
    for r in res.units:
        share = None if r["share"] is None else 100 * r["share"]
        typer.echo(
            f"{r['code']}\t{_name(lg, r)}\t{r['population']:.0f}\t{r['covered_population']:.0f}\t{_fmt(share)}"
        )
    share_all = None if res.share is None else 100 * res.share
    typer.echo(
        f"{text('coverage.area', lg)}\t\t{res.population:.0f}\t{res.covered_population:.0f}\t{_fmt(share_all)}"
    )
    typer.echo(text("coverage.outside", lg, n=res.uncovered_zones))


@coverage_app.command("nth")
def nth(
    *,
    facilities: FacilitiesOpt = None,
    n: Annotated[int, typer.Option("--n", help="Rank of the facility (1 = nearest).", min=1)] = 2,
    facility_type: TypeOpt = None,
    scenario: ScenarioOpt = None,
    datum: DatumOpt = "wgs84",
    as_json: JsonOpt = False,
    dataset: DatasetOpt = "chongqing",
    lang: LangOpt = None,
) -> None:
    """Time from each township zone to its n-th nearest facility; per unit the worst and mean."""
    from metrocircle.coverage.results import nth_nearest

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    layer = _layer(facilities, datum)
    res = _run(
        text("coverage.progress", lg),
        lambda: nth_nearest(region, layer, n=n, facility_type=facility_type, scenario=scenario),
    )
    if as_json:
        emit_json(res.to_json())
        return
    _warn(lg, res.layer_gap)
    typer.echo(text("coverage.nth_head", lg, n=n, facilities=res.facilities, scenario=res.scenario))
    typer.echo("\t".join(text("coverage.nth_columns", lg).split("|")))
    for u in res.units:
        typer.echo(
            f"{u['code']}\t{_name(lg, u)}\t{_fmt(u['max_minutes'])}\t{_fmt(u['mean_minutes'])}\t{u['unreached_zones']}"
        )


@coverage_app.command("2sfca")
def fca(
    *,
    facilities: FacilitiesOpt = None,
    catchment: Annotated[
        float | None, typer.Option("--catchment", help="Catchment, minutes (default 60).")
    ] = None,
    decay: Annotated[
        str | None, typer.Option("--decay", help="none, gaussian or linear (default none).")
    ] = None,
    facility_type: TypeOpt = None,
    scenario: ScenarioOpt = None,
    datum: DatumOpt = "wgs84",
    as_json: JsonOpt = False,
    dataset: DatasetOpt = "chongqing",
    lang: LangOpt = None,
) -> None:
    """Two-step floating catchment accessibility (capacity per person), per unit."""
    from metrocircle.coverage.measures import DECAYS
    from metrocircle.coverage.results import two_step_fca_result

    lg = cli_lang(lang)
    if decay is not None and decay not in DECAYS:
        fail(f"--decay was {decay!r} but is expected to be one of {list(DECAYS)}")
    region = load_region_or_exit(dataset)
    layer = _layer(facilities, datum)
    res = _run(
        text("coverage.progress", lg),
        lambda: two_step_fca_result(
            region,
            layer,
            catchment_minutes=catchment,
            decay=decay,
            facility_type=facility_type,
            scenario=scenario,
        ),
    )
    if as_json:
        emit_json(res.to_json())
        return
    _warn(lg, res.layer_gap)
    _warn(lg, res.bound)
    typer.echo(
        text(
            "coverage.fca_head",
            lg,
            unit=", ".join(res.capacity_unit),
            per=f"{res.per_people:,}",
            n=res.facilities,
            scenario=res.scenario,
        )
    )
    typer.echo("\t".join([*text("coverage.fca_columns", lg).split("|"), f"per_{res.per_people}"]))
    for r in res.units:
        typer.echo(f"{r['code']}\t{_name(lg, r)}\t{_fmt(r['accessibility_per'], 3)}")


# --------------------------------------------------------------------------- siting

CandidatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--facilities-candidates",
        help="Candidate sites (CSV or GeoJSON, FACILITIES.md format).",
        show_default=False,
    ),
]
BuiltinOpt = Annotated[
    str | None,
    typer.Option(
        "--builtin-candidates",
        help="Use the dataset's own points as candidates: seats or townships.",
    ),
]
ExistingOpt = Annotated[
    Path | None,
    typer.Option(
        "--existing", help="Facilities already in service (always open).", show_default=False
    ),
]
GeojsonOpt = Annotated[
    Path | None,
    typer.Option("--geojson", help="Also write the proposed sites as GeoJSON to this file."),
]


def _site(
    model: str,
    *,
    candidates: Path | None,
    builtin: str | None,
    existing: Path | None,
    scenario: str | None,
    minutes: float | None,
    p: int | None,
    capacitated: bool,
    datum: str,
    as_json: bool,
    geojson: Path | None,
    dataset: str,
    lang: str | None,
) -> None:
    from metrocircle.coverage.results import site
    from metrocircle.coverage.service import BUILTIN_CANDIDATES

    lg = cli_lang(lang)
    if (candidates is None) == (builtin is None):
        fail("give exactly one of --facilities-candidates FILE or --builtin-candidates NAME")
    if builtin is not None and builtin not in BUILTIN_CANDIDATES:
        fail(
            f"--builtin-candidates was {builtin!r} but is expected to be one of {list(BUILTIN_CANDIDATES)}"
        )
    if model in ("mclp", "pmedian") and p is None:
        fail(f"{model} needs --p N (the number of open sites, existing ones included)")
    if minutes is not None and (not math.isfinite(minutes) or minutes < 0):
        fail("--minutes must be a non-negative number of minutes")
    region = load_region_or_exit(dataset)
    cands = _layer(candidates, datum)
    old = _layer(existing, datum)
    res = _run(
        text("coverage.site_progress", lg, model=model),
        lambda: site(
            region,
            model=model,
            candidates=cands,
            builtin_candidates=builtin,
            existing=old,
            p=p,
            minutes=minutes,
            capacitated=capacitated,
            scenario=scenario,
        ),
    )
    if geojson is not None:
        try:
            res.write_geojson(geojson)
        except OSError as exc:
            fail(f"cannot write {geojson}: {exc}")
    if as_json:
        emit_json(res.to_json())
        return
    d = res.summary
    typer.echo(
        text("coverage.site_head", lg, model=model, scenario=d["scenario"], solver=d["solver"])
    )
    mean = d["mean_minutes"]
    typer.echo(
        text("coverage.site_objective", lg, objective=f"{d['objective']:g}")
        + (text("coverage.site_mean", lg, minutes=f"{mean:.1f}") if mean else "")
    )
    if d["service_minutes"] is not None:
        typer.echo(
            text(
                "coverage.site_service",
                lg,
                minutes=f"{d['service_minutes']:g}",
                covered=f"{d['covered_weight']:.0f}",
            )
        )
    typer.echo("\t".join(text("coverage.site_columns", lg).split("|")))
    for r in res.chosen:
        kind = text("coverage.existing" if r["existing"] else "coverage.new", lg)
        typer.echo(f"{r['id']}\t{_name(lg, r)}\t{kind}\t{r['lon']:.5f}\t{r['lat']:.5f}")


def _site_command(model: str, doc: str) -> Callable[..., None]:
    def command(
        *,
        candidates: CandidatesOpt = None,
        builtin: BuiltinOpt = None,
        existing: ExistingOpt = None,
        scenario: ScenarioOpt = None,
        minutes: Annotated[
            float | None,
            typer.Option("--minutes", help="Service time for lscp/mclp, minutes (default 60)."),
        ] = None,
        p: Annotated[
            int | None, typer.Option("--p", help="Open sites in total, existing included.", min=1)
        ] = None,
        capacitated: Annotated[
            bool,
            typer.Option("--capacitated", help="Respect site capacities (lscp, pmedian; persons)."),
        ] = False,
        datum: DatumOpt = "wgs84",
        as_json: JsonOpt = False,
        geojson: GeojsonOpt = None,
        dataset: DatasetOpt = "chongqing",
        lang: LangOpt = None,
    ) -> None:
        _site(
            model,
            candidates=candidates,
            builtin=builtin,
            existing=existing,
            scenario=scenario,
            minutes=minutes,
            p=p,
            capacitated=capacitated,
            datum=datum,
            as_json=as_json,
            geojson=geojson,
            dataset=dataset,
            lang=lang,
        )

    command.__doc__ = doc
    command.__name__ = f"site_{model}"
    return command


site_app.command("lscp")(
    _site_command(
        "lscp", "Fewest sites that put every reachable township within --minutes (set covering)."
    )
)
site_app.command("mclp")(
    _site_command(
        "mclp", "The --p sites that put the most population within --minutes (maximal covering)."
    )
)
site_app.command("pmedian")(
    _site_command(
        "pmedian", "The --p sites that minimise total population-weighted travel time (p-median)."
    )
)
