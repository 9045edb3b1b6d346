"""metrocircle: plan monitoring and accessibility analysis for a metropolitan-area development plan."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from metrocircle._errors import (
    CrsError,
    DataValidationError,
    MetrocircleError,
    Problem,
    ScenarioError,
    UnknownIndicatorError,
    UnknownUnitError,
)
from metrocircle.data import AVAILABLE, get_path
from metrocircle.region import Region, load_region, validate_dataset

try:
    __version__ = version("metrocircle")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "AVAILABLE",
    "CrsError",
    "DataValidationError",
    "MetrocircleError",
    "Problem",
    "Region",
    "ScenarioError",
    "UnknownIndicatorError",
    "UnknownUnitError",
    "__version__",
    "get_path",
    "load_region",
    "validate_dataset",
]
