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
    emit_json,
    fail,
    load_region_or_exit,
    user_errors,
)

if TYPE_CHECKING:
    from metrocircle.coverage.facilities import FacilityLayer
    from metrocircle.region import Region

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


def _layer(
    path: Path | None, datum: str, kind: str | None, region: Region | None = None
) -> FacilityLayer:
    """The user's facility file, or (no file) the layers the region ships, of ``kind``."""
    from metrocircle.coverage.facilities import load_facilities
    from metrocircle.coverage.layers import shipped_facilities

    with user_errors():
        if path is None:
            shipped = None if region is None else shipped_facilities(region)
            if shipped is None:
                fail(
                    "the dataset ships no facility layer; give --facilities FILE "
                    "(format: coverage/FACILITIES.md)"
                )
            layer = shipped
            where = "the shipped layers"
        else:
            layer = load_facilities(path, datum=datum)  # type: ignore[arg-type]
            where = str(path)
        if kind is not None:
            layer = layer.of_type(kind)
            if len(layer) == 0:
                fail(
                    f"{where} have no facility of type {kind!r}"
                    if path is None
                    else f"{where} has no facility of type {kind!r}"
                )
        return layer
    raise AssertionError  # pragma: no cover


def _gap_note(region: Region, path: Path | None, layer_key: str) -> str | None:
    """The shipped layer's incompleteness statement (None for a user file or a complete layer)."""
    from metrocircle.coverage.layers import layer_gap

    if path is not None:
        return None
    with user_errors():
        gap = layer_gap(region, layer_key)
        return None if gap is None or gap.complete else gap.statement()
    raise AssertionError  # pragma: no cover


def _check_scenario(region: Region, scenario: str | None) -> None:
    from metrocircle.coverage.service import scenario_ids

    if scenario and scenario != "base":
        known = scenario_ids(region)
        if scenario not in known:
            fail(f"unknown scenario {scenario!r}; the dataset defines {known}")


def _fmt(v: Any, nd: int = 1) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        if math.isnan(v):
            return "—"
        return f"{v:.{nd}f}" if math.isfinite(v) else "∞"
    return str(v)


def _name(region: Region, code: str) -> str:
    try:
        return region.unit(code).name_zh
    except KeyError:
        return code


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
) -> None:
    """Population within the rescue circle of the nearest emergency reserve centre, per unit and area."""
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.service import coverage_from_region, zones_geojson

    params = load_parameters()["rescue_circle"]
    t = float(params["minutes"] if minutes is None else minutes)
    if not math.isfinite(t) or t < 0:
        fail("--minutes must be a non-negative number of minutes")
    region = load_region_or_exit(dataset)
    _check_scenario(region, scenario)
    layer = _layer(facilities, datum, facility_type or str(params["facility_type"]), region)
    gap = _gap_note(region, facilities, "emergency_sites")
    cov, _ = _run(
        "computing network times…",
        lambda: coverage_from_region(region, layer, minutes=t, scenario=scenario),
    )
    rows = [
        {
            "code": str(code),
            "name_zh": _name(region, str(code)),
            "population": float(r["population"]),
            "covered_population": float(r["covered_population"]),
            "share": None if r["share"] != r["share"] else float(r["share"]),
        }
        for code, r in cov.by_unit.iterrows()
    ]
    uncovered = cov.zones[~cov.zones["covered"]]
    if as_json:
        emit_json(
            {
                "scenario": scenario or "base",
                "minutes": t,
                "facilities": len(layer),
                "population": cov.population,
                "covered_population": cov.covered_population,
                "share": cov.share,
                "units": rows,
                "uncovered_zones": zones_geojson(
                    cov.zones.merge(_zone_points(region), on="zone_id", how="left"),
                    mask=~cov.zones["covered"].to_numpy(),
                ),
                "population_method": "township zones, population estimated from census county totals",
                "layer": "user file" if facilities is not None else "shipped",
                "layer_gap": gap,
            }
        )
        return
    if gap:
        typer.echo(f"warning: {gap}", err=True)
    typer.echo(f"scenario {scenario or 'base'} · {len(layer)} facilities · threshold {t:g} min")
    typer.echo("code\tname\tpopulation\tcovered\tshare_%")
    for r in rows:
        share = None if r["share"] is None else 100 * r["share"]
        typer.echo(
            f"{r['code']}\t{r['name_zh']}\t{r['population']:.0f}\t{r['covered_population']:.0f}\t{_fmt(share)}"
        )
    share_all = None if cov.share is None else 100 * cov.share
    typer.echo(f"area\t\t{cov.population:.0f}\t{cov.covered_population:.0f}\t{_fmt(share_all)}")
    typer.echo(f"{len(uncovered)} zone(s) outside the circle")


def _zone_points(region: Region) -> Any:
    from metrocircle.coverage.service import zone_table

    return zone_table(region)[["zone_id", "lon", "lat"]]


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
) -> None:
    """Time from each township zone to its n-th nearest facility; per unit the worst and mean."""
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.service import nth_nearest_from_region

    region = load_region_or_exit(dataset)
    _check_scenario(region, scenario)
    if facilities is None and facility_type is None:
        facility_type = str(load_parameters()["defaults"]["nth_facility_type"])
    layer = _layer(facilities, datum, facility_type, region)
    gap = _gap_note(
        region, facilities, "hospitals" if facility_type == "hospital" else "emergency_sites"
    )
    z = _run(
        "computing network times…",
        lambda: nth_nearest_from_region(region, layer, n=n, scenario=scenario),
    )
    units = []
    for code, g in z.groupby("unit", sort=True):
        finite = g[g["minutes"] != float("inf")]
        pop = float(finite["population"].sum())
        mean = float((finite["population"] * finite["minutes"]).sum() / pop) if pop > 0 else None
        units.append(
            {
                "code": str(code),
                "name_zh": _name(region, str(code)),
                "max_minutes": float(g["minutes"].max()),
                "mean_minutes": mean,
                "unreached_zones": int((g["minutes"] == float("inf")).sum()),
            }
        )
    if as_json:
        emit_json(
            {
                "scenario": scenario or "base",
                "n": n,
                "facilities": len(layer),
                "layer": "user file" if facilities is not None else "shipped",
                "layer_gap": gap,
                "units": units,
                "zones": z.to_dict(orient="records"),
            }
        )
        return
    if gap:
        typer.echo(f"warning: {gap}", err=True)
    typer.echo(f"time to facility #{n} of {len(layer)} · scenario {scenario or 'base'}")
    typer.echo("code\tname\tmax_min\tmean_min\tunreached")
    for u in units:
        typer.echo(
            f"{u['code']}\t{u['name_zh']}\t{_fmt(u['max_minutes'])}\t{_fmt(u['mean_minutes'])}\t{u['unreached_zones']}"
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
) -> None:
    """Two-step floating catchment accessibility (capacity per person), per unit."""
    from metrocircle.coverage.measures import DECAYS
    from metrocircle.coverage.service import two_step_fca_from_region

    if decay is not None and decay not in DECAYS:
        fail(f"--decay was {decay!r} but is expected to be one of {list(DECAYS)}")
    from metrocircle.coverage.measures import load_parameters

    defaults = load_parameters()["defaults"]
    region = load_region_or_exit(dataset)
    _check_scenario(region, scenario)
    if facilities is None and facility_type is None:
        facility_type = str(defaults["fca_facility_type"])
    layer = _layer(facilities, datum, facility_type, region)
    gap = _gap_note(
        region, facilities, "hospitals" if facility_type == "hospital" else "emergency_sites"
    )
    excluded: list[str] = []
    if facilities is None:
        # the shipped layer: only facilities with a published capacity take part
        has = layer.table["capacity"].notna()
        excluded = layer.table.loc[~has, "id"].astype(str).tolist()
        if not bool(has.any()):
            fail(
                "no shipped facility of this type has a published capacity; give --facilities FILE"
            )
        from metrocircle.coverage.facilities import FacilityLayer as _Layer

        layer = _Layer(layer.table.loc[has].reset_index(drop=True), layer.origin, layer.datum)
    zones, units = _run(
        "computing network times…",
        lambda: two_step_fca_from_region(
            region, layer, catchment_min=catchment, decay=decay, scenario=scenario
        ),
    )
    unit_of = layer.table["capacity_unit"].dropna().unique().tolist()
    per = int(defaults["per_people_beds"] if unit_of == ["beds"] else defaults["per_people"])
    rows = [
        {
            "code": str(c),
            "name_zh": _name(region, str(c)),
            "population": float(r["population"]),
            "accessibility": None
            if r["accessibility"] != r["accessibility"]
            else float(r["accessibility"]),
            "accessibility_per": None
            if r["accessibility"] != r["accessibility"]
            else float(r["accessibility"]) * per,
        }
        for c, r in units.iterrows()
    ]
    bound = (
        f"lower bound: {len(excluded)} facilities without a published capacity left out"
        if excluded
        else None
    )
    if as_json:
        emit_json(
            {
                "scenario": scenario or "base",
                "capacity_unit": unit_of,
                "per_people": per,
                "facilities": len(layer),
                "layer": "user file" if facilities is not None else "shipped",
                "layer_gap": gap,
                "excluded_no_capacity": excluded,
                "bound": bound,
                "units": rows,
                "zones": zones.to_dict(orient="records"),
            }
        )
        return
    for note in (gap, bound):
        if note:
            typer.echo(f"warning: {note}", err=True)
    typer.echo(
        f"2SFCA · {', '.join(unit_of)} per {per:,} people · {len(layer)} facilities · "
        f"scenario {scenario or 'base'}"
    )
    typer.echo(f"code\tname\tper_{per}")
    for r in rows:
        typer.echo(f"{r['code']}\t{r['name_zh']}\t{_fmt(r['accessibility_per'], 3)}")


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
) -> None:
    from metrocircle.coverage.service import (
        BUILTIN_CANDIDATES,
        builtin_candidates,
        sites_geojson,
        siting_from_region,
    )

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
    _check_scenario(region, scenario)
    if candidates is not None:
        cands = _layer(candidates, datum, None)
    else:
        with user_errors():
            cands = builtin_candidates(region, str(builtin))
    old = _layer(existing, datum, None) if existing is not None else None
    run = _run(
        f"solving {model} with HiGHS…",
        lambda: siting_from_region(
            region,
            cands,
            model=model,  # type: ignore[arg-type]
            scenario=scenario,
            existing=old,
            service_min=minutes,
            p=p,
            capacitated=capacitated,
        ),
    )
    if geojson is not None:
        import json

        try:
            geojson.write_text(json.dumps(sites_geojson(run), ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {geojson}: {exc}")
    res = run.result
    chosen = run.sites[run.sites["selected"]]
    if as_json:
        d = run.to_dict()
        d["sites"] = sites_geojson(run)
        emit_json(d)
        return
    typer.echo(f"{model} · scenario {run.scenario} · solver {res.solver}")
    typer.echo(
        f"objective {res.objective:g}"
        + (f" · mean {res.mean_minutes:.1f} min" if res.mean_minutes else "")
    )
    if res.service_minutes is not None:
        typer.echo(
            f"service time {res.service_minutes:g} min · covered population {res.covered_weight:.0f}"
        )
    typer.echo("id\tname\texisting\tlon\tlat")
    for r in chosen.itertuples():
        typer.echo(
            f"{r.id}\t{r.name_zh}\t{'yes' if r.existing else 'new'}\t{r.lon:.5f}\t{r.lat:.5f}"
        )


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
