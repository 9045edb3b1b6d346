"""The ``metrocircle`` command line (typer): thin commands over the library."""

from __future__ import annotations

from typing import Annotated

import typer

from metrocircle.cli import _common, core
from metrocircle.cli._common import DatasetOpt, JsonOpt, LangOpt
from metrocircle.cli.access import access_app, rank_command, scenarios_app
from metrocircle.cli.coverage import coverage_app, site_app
from metrocircle.cli.evaluate import evaluate_command, report_command
from metrocircle.cli.fares import fares_app
from metrocircle.cli.flood import flood_app
from metrocircle.cli.network import network_app
from metrocircle.cli.observations import observations_command
from metrocircle.cli.sectors import air_app, fiscal_app, tourism_app, water_app
from metrocircle.cli.serve import serve_command
from metrocircle.cli.users import audit_app, review_app, users_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="metrocircle",
    help="Monitor and analyse a metropolitan-area development plan (default: 重庆都市圈 Chongqing).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # help texts are plain text: "[water_body]" or "[files.facilities]" must show as written,
    # not be taken for Rich markup and dropped
    rich_markup_mode=None,
)


@app.callback()
def _new_run() -> None:
    # each run settles its own language (cli_lang); forget the previous run's in this process
    _common.reset_run_lang()


app.command("info")(core.info)
app.command("districts")(core.list_districts)
app.command("targets")(core.list_targets)

projects_app = typer.Typer(
    help="The plan's key projects (with no subcommand: list them).", invoke_without_command=True
)


@projects_app.callback()
def _projects(
    ctx: typer.Context,
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    type_: Annotated[str | None, typer.Option("--type", help="Only projects of this type.")] = None,
    lang: LangOpt = None,
) -> None:
    if ctx.invoked_subcommand is None:
        core.list_projects(dataset=dataset, json_out=json_out, type_=type_, lang=lang)


projects_app.command("rank")(rank_command)
app.add_typer(projects_app, name="projects")
app.command("validate")(core.validate)
app.add_typer(core.import_app, name="import")
app.command("export")(core.export)
app.command("evaluate")(evaluate_command)
app.command("observations")(observations_command)
app.command("report")(report_command)
app.add_typer(access_app, name="access")
app.add_typer(scenarios_app, name="scenarios")
app.add_typer(network_app, name="network")
app.add_typer(coverage_app, name="coverage")
app.add_typer(site_app, name="site")
app.add_typer(air_app, name="air")
app.add_typer(water_app, name="water")
app.add_typer(tourism_app, name="tourism")
app.add_typer(fiscal_app, name="fiscal")
app.add_typer(flood_app, name="flood")
app.add_typer(fares_app, name="fares")
app.command("serve")(serve_command)
app.add_typer(users_app, name="users")
app.add_typer(review_app, name="review")
app.add_typer(audit_app, name="audit")


def main() -> None:
    """Entry point of the ``metrocircle`` script."""
    app()
