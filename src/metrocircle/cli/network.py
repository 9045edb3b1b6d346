"""The ``network`` app: ``network build`` from an OpenStreetMap extract (a thin wrapper)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrocircle.cli._common import LangOpt, cli_lang, fail_key, progress_bar, say, user_errors

__all__ = ["network_app"]

network_app = typer.Typer(
    help="Build a full-resolution network from an OSM PBF (a dataset folder, or with a GTFS feed).",
    no_args_is_help=True,
)


@network_app.command("build")
def network_build(  # noqa: PLR0917 - typer options
    osm: Annotated[Path, typer.Option("--osm", help="OpenStreetMap extract (.osm.pbf).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Output folder: a dataset folder with --from-dataset, else the network files.",
        ),
    ],
    from_dataset: Annotated[
        str | None,
        typer.Option(
            "--from-dataset",
            help="Write a whole dataset folder (load it with --dataset OUT): this dataset's "
            "files and rail layer, the extract's roads, seats and zones snapped.",
        ),
    ] = None,
    gtfs: Annotated[
        Path | None, typer.Option("--gtfs", help="GTFS feed (.zip) of public transport.")
    ] = None,
    seat_snap_max_km: Annotated[
        float | None,
        typer.Option(
            "--seat-snap-max-km",
            help="With --from-dataset: refuse a unit seat farther than this from every road "
            "node (parameter osm.seat_snap_max_km, default 2 km).",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="Table format without --from-dataset: parquet (default) or csv.",
        ),
    ] = "parquet",
    use_cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache", help="Reuse the road tables cached for the same PBF file."
        ),
    ] = True,
    contract: Annotated[
        bool,
        typer.Option(
            "--contract/--no-contract",
            help="Also compile the network and build (and cache) its contraction hierarchy.",
        ),
    ] = True,
    lang: LangOpt = None,
) -> None:
    """Build a full-resolution network (drive roads + GTFS transit, or a dataset's rail layer).

    Degree-2 chains of road segments are joined into single links; intersections, dead
    ends and changes of class or speed are kept; one-way streets are directed links.
    """
    from metrocircle.messages import text
    from metrocircle.network.osm import build_network_files
    from metrocircle.network.osm_dataset import build_osm_dataset

    lg = cli_lang(lang)
    if not osm.is_file():
        fail_key("file_missing", option="--osm", path=osm)
    if gtfs is not None and not gtfs.is_file():
        fail_key("file_missing", option="--gtfs", path=gtfs)
    if fmt not in ("parquet", "csv"):
        fail_key("bad_choice", option="--format", value=repr(fmt), choices="parquet, csv")
    if from_dataset is not None and gtfs is not None:
        fail_key(
            "bad_choice",
            option="--gtfs",
            value=repr(str(gtfs)),
            choices="(none with --from-dataset)",
        )
    label = text("cli.network_progress", lg)
    with user_errors(), progress_bar(label) as step:
        step(label, 0, None)
        if from_dataset is not None:
            counts = build_osm_dataset(
                osm,
                from_dataset,
                out,
                seat_snap_max_km=seat_snap_max_km,
                contract=contract,
                use_cache=use_cache,
                progress=lambda msg: step(msg, 0, None),
            )
        else:
            counts = build_network_files(
                osm,
                out,
                gtfs=gtfs,
                contract=contract,
                fmt=fmt,
                use_cache=use_cache,
                progress=lambda msg: step(msg, 0, None),
            )
    if counts.get("cached"):
        say("osm_tables_cached")
    if from_dataset is not None:
        say(
            "osm_dataset_written",
            path=out,
            nodes=f"{counts['nodes']:,}",
            links=f"{counts['links']:,}",
            roads=f"{counts['road_links']:,}",
            rail=f"{counts['rail_links']:,}",
            seats=counts["seats_snapped"],
            zones=counts["zones_snapped"],
            snap=f"{counts['seat_snap_max_m']:.0f}",
        )
    else:
        say("network_written", nodes=f"{counts['nodes']:,}", links=f"{counts['links']:,}", path=out)
    if "graph_nodes" in counts:
        say(
            "network_contracted",
            nodes=f"{counts['graph_nodes']:,}",
            arcs=f"{counts['graph_arcs']:,}",
        )
