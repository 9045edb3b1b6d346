"""The ``metrocircle`` command line (typer): thin commands over the library."""

from __future__ import annotations

import typer

from metrocircle.cli import core
from metrocircle.cli.sectors import air_app, fiscal_app, tourism_app, water_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="metrocircle",
    help="Monitor and analyse a metropolitan-area development plan (default: 重庆都市圈 Chongqing).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("info")(core.info)
app.command("districts")(core.list_districts)
app.command("targets")(core.list_targets)
projects_app = typer.Typer(help="The plan's key projects.", invoke_without_command=True)
projects_app.callback()(core.list_projects)
app.add_typer(projects_app, name="projects")
app.command("validate")(core.validate)
app.add_typer(core.import_app, name="import")
app.command("export")(core.export)
app.add_typer(air_app, name="air")
app.add_typer(water_app, name="water")
app.add_typer(tourism_app, name="tourism")
app.add_typer(fiscal_app, name="fiscal")


def main() -> None:
    """Entry point of the ``metrocircle`` script."""
    app()
