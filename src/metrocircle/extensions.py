"""The composition root: every dataset-file validator and computed indicator, listed by import.

Nothing is found by name at run time. The built-in parts are imported here, so a renamed
or missing module fails at import with :class:`ImportError` instead of silently dropping a
check or an indicator. The faces list theirs the same way: the API routers in
:data:`metrocircle.api.app.ROUTERS`, the report sections in
:data:`metrocircle.report.build.SECTIONS`, the CLI commands in :mod:`metrocircle.cli`.

A third-party package adds an extension through the entry-point group
``metrocircle.extensions`` whose object is a :class:`DatasetExtension`::

    [project.entry-points."metrocircle.extensions"]
    noise = "metrocircle_noise:EXTENSION"

Its validator runs when a dataset loads, its indicators join the registry and its routers
(``fastapi.APIRouter``) join the API. An entry point that cannot be loaded, is not a
:class:`DatasetExtension`, or reuses a name or an indicator id raises
:class:`~metrocircle._errors.ExtensionError` naming it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import ExtensionError, Problem
from metrocircle.access import indicators as access_indicators
from metrocircle.coverage import indicators as coverage_indicators
from metrocircle.coverage.layers import validate_all_facility_files
from metrocircle.indicators import builtin as builtin_indicators
from metrocircle.network.dataset import validate_network_files
from metrocircle.sectors import indicators as sector_indicators
from metrocircle.sectors.dataset import validate_sector_files
from metrocircle.store.observations_file import validate_observation_files

if TYPE_CHECKING:
    from metrocircle.indicators.computed import IndicatorSpec
    from metrocircle.schema import Manifest

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "DatasetExtension",
    "Validator",
    "indicator_specs",
    "installed",
    "load_entry_points",
    "validate_dataset_files",
]

Validator = Callable[[Path, "Manifest"], list[Problem]]
"""``(dataset folder, manifest) -> problems`` for the files one extension owns."""

ENTRY_POINT_GROUP = "metrocircle.extensions"


@dataclass(frozen=True)
class DatasetExtension:
    """One capability that reads dataset files: its validator, indicators and API routers.

    Attributes
    ----------
    name
        Short unique name (``"network"``).
    validate_files
        Checks the files the extension owns; run by the Region loader, all-or-nothing.
    indicators
        Computed indicators it provides.
    routers
        ``fastapi.APIRouter`` objects added to the API (built-in routers are listed in
        :data:`metrocircle.api.app.ROUTERS` instead, so the library never imports FastAPI).
    """

    name: str
    validate_files: Validator | None = None
    indicators: Iterable[IndicatorSpec] = ()
    routers: Sequence[Any] = ()


BUILTIN: tuple[DatasetExtension, ...] = (
    DatasetExtension("census", indicators=builtin_indicators.INDICATORS),
    DatasetExtension(
        "network", validate_files=validate_network_files, indicators=access_indicators.INDICATORS
    ),
    DatasetExtension("observations", validate_files=validate_observation_files),
    DatasetExtension(
        "sectors", validate_files=validate_sector_files, indicators=sector_indicators.INDICATORS
    ),
    DatasetExtension(
        "facilities",
        validate_files=validate_all_facility_files,
        indicators=coverage_indicators.INDICATORS,
    ),
)
"""The extensions shipped with metrocircle, in the order their validators run."""


def load_entry_points(group: str = ENTRY_POINT_GROUP) -> tuple[DatasetExtension, ...]:
    """The extensions installed packages declare in the entry-point ``group``.

    Raises
    ------
    ExtensionError
        When an entry point cannot be imported or is not a :class:`DatasetExtension`.
    """
    out: list[DatasetExtension] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception as exc:  # any failure of third-party code: say which entry point
            msg = f"extension entry point {ep.name!r} ({ep.value}) failed to load: {exc}"
            raise ExtensionError(msg) from exc
        if not isinstance(obj, DatasetExtension):
            msg = (
                f"extension entry point {ep.name!r} ({ep.value}) is a {type(obj).__name__}, "
                "expected a metrocircle.extensions.DatasetExtension"
            )
            raise ExtensionError(msg)
        out.append(obj)
    return tuple(out)


def _checked(exts: Sequence[DatasetExtension]) -> tuple[DatasetExtension, ...]:
    names: set[str] = set()
    for ext in exts:
        if ext.name in names:
            msg = f"two extensions are named {ext.name!r}"
            raise ExtensionError(msg)
        names.add(ext.name)
    return tuple(exts)


# functools.cache, not the result cache (metrocircle.cache): the installed extensions, never a dataset's
# file, so the answer is the same for every region and cannot go stale in a process.
@functools.cache
def installed() -> tuple[DatasetExtension, ...]:
    """The built-in extensions followed by those of installed packages (loaded once)."""
    return _checked((*BUILTIN, *load_entry_points()))


def validate_dataset_files(path: Path, manifest: Manifest) -> list[Problem]:
    """Every problem the installed extensions find in the dataset at ``path``."""
    problems: list[Problem] = []
    for ext in installed():
        if ext.validate_files is not None:
            problems.extend(ext.validate_files(path, manifest))
    return problems


def indicator_specs(
    exts: Sequence[DatasetExtension] | None = None,
) -> dict[str, IndicatorSpec]:
    """Indicator id → spec over ``exts`` (default: :func:`installed`); ids must be unique."""
    out: dict[str, IndicatorSpec] = {}
    owner: dict[str, str] = {}
    for ext in installed() if exts is None else exts:
        for spec in ext.indicators:
            if spec.id in out:
                msg = (
                    f"indicator {spec.id!r} is provided by both {owner[spec.id]!r} and {ext.name!r}"
                )
                raise ExtensionError(msg)
            out[spec.id] = spec
            owner[spec.id] = ext.name
    return out
