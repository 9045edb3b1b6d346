"""Validation of a dataset's sector files (``<dataset>/sectors/``) for ``metrocircle validate``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem

__all__ = ["validate_sector_files"]


def validate_sector_files(path: Path, manifest: Any = None) -> list[Problem]:
    """Every problem in the sector files present under ``path / "sectors"`` (none if absent).

    Checks the station registry, scenic areas, shared areas, and the optional user files
    (scenic capacities, cross-border section registry).
    """
    from metrocircle.sectors.air_eval import load_air_stations
    from metrocircle.sectors.fiscal import load_shared_areas
    from metrocircle.sectors.flood import load_flood_rules, load_flood_sources, load_flood_stations
    from metrocircle.sectors.tourism import load_capacities, load_scenic_areas
    from metrocircle.sectors.water import load_section_registry

    folder = Path(path) / "sectors"
    checks = (
        ("air_stations.csv", load_air_stations),
        ("scenic_areas.csv", load_scenic_areas),
        ("shared_areas.toml", load_shared_areas),
        ("scenic_capacities.csv", load_capacities),
        ("cross_border_sections.csv", load_section_registry),
        ("flood_sources.csv", load_flood_sources),
        ("flood_stations.csv", load_flood_stations),
        ("flood_rules.toml", load_flood_rules),
    )
    problems: list[Problem] = []
    for name, loader in checks:
        f = folder / name
        if not f.is_file():
            continue
        try:
            loader(f)
        except DataValidationError as exc:
            problems.extend(exc.problems)
    return problems
